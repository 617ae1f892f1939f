import { formatProblems } from "../config.js";
import { CONFIG_PATH } from "../public-names.js";
import type { LocatedProblem } from "./config-lines.js";

/** What the `mainline/config` check run says. */
export type ConfigCheck = { conclusion: "success" | "failure"; title: string; summary: string };

/**
 * `mainline/config` for a pull request that changes the file: the file at its head removed
 * (undefined: the defaults apply, which is no failure), valid, or its problems, each with its line
 * where one is known. A problem fails the check: the app would run on the defaults for that key.
 */
export function configCheck(located: readonly LocatedProblem[] | undefined, headSha: string): ConfigCheck {
  if (!located) return { conclusion: "success", title: `${CONFIG_PATH} removed: the defaults (or the owner's .github repository) apply`, summary: `This pull request removes \`${CONFIG_PATH}\`.` };
  if (located.length === 0) return { conclusion: "success", title: `${CONFIG_PATH} is valid`, summary: `\`${CONFIG_PATH}\` at ${headSha.slice(0, 7)} matches mainline's schema.` };
  const lines = formatProblems([...located]).map((line, i) => `- ${located[i]!.line ? `line ${located[i]!.line}: ` : ""}${line}`);
  return {
    conclusion: "failure",
    title: `${CONFIG_PATH}: ${located.length} ${located.length === 1 ? "problem" : "problems"}`,
    summary: `${lines.join("\n")}\n\nUntil this is fixed, mainline would use the defaults for these keys (the gate stays on).`,
  };
}
