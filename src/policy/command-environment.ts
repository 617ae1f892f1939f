import { CONFIG_PATH } from "../public-names.js";
import { isGatedEnvironment } from "./environments.js";
import { escapeUserText } from "./text.js";

/** The environment a command acts on, or why it has none. */
export type CommandEnvironment = { ok: true; environment: string } | { ok: false; error: string };

/** Why each command refuses an environment the config does not gate. */
const UNGATED = {
  "hotfix-allow": ", so it needs no exception",
  "incident-rollback": `: mainline rolls back only those (\`environments\` in ${CONFIG_PATH})`,
} as const;

/**
 * `/hotfix allow` and `/incident rollback` act on the environment named, else on the first of
 * `environments`. A pattern names no one environment, so the user is asked to name one; an
 * environment the config does not gate is refused. GitHub compares environment names
 * case-insensitively, so `Production` is gated by `production` and is kept as the user wrote it.
 */
export function commandEnvironment(named: string | undefined, environments: readonly string[], command: keyof typeof UNGATED): CommandEnvironment {
  const environment = named ?? environments[0];
  if (!environment) return { ok: false, error: `name the environment: ${CONFIG_PATH} gates none` };
  if (/[*?]/.test(environment)) {
    const whose = named === undefined ? "the first gated environment in the config is a pattern" : `${escapeUserText(environment, 100)} is a pattern, not one environment`;
    return { ok: false, error: `name the environment: ${whose}` };
  }
  if (!isGatedEnvironment(environment, environments)) return { ok: false, error: `${escapeUserText(environment, 100)} is not a gated environment${UNGATED[command]}` };
  return { ok: true, environment };
}
