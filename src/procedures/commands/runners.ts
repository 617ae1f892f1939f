import type { CommandName, CommandOf } from "../../commands/catalog.js";
import { runHotfix } from "./hotfix.js";
import { closeIfNothingBlocks, forceClose, makeIncident } from "./incident.js";
import { runHelp, runReport, runStatus } from "./mainline.js";
import { runMergeBack } from "./merge-back.js";
import { runRollback } from "./rollback.js";
import type { CommandEnv, Outcome } from "./types.js";

export type Runner<N extends CommandName> = (env: CommandEnv, command: CommandOf<N>) => Promise<Outcome>;

/** What each command of the catalog does, once its place and role are checked. */
export const RUNNERS: { readonly [N in CommandName]: Runner<N> } = {
  incident: (env, { title }) => makeIncident(env, title),
  "hotfix-allow": runHotfix,
  "hotfix-approve": runHotfix,
  "hotfix-revoke": runHotfix,
  "merge-back": (env, { sha }) => runMergeBack(env, sha),
  "incident-close": closeIfNothingBlocks,
  "incident-force-close": (env, { reason }) => forceClose(env, reason),
  "incident-rollback": (env, { environment }) => runRollback(env, environment),
  "mainline-status": runStatus,
  "mainline-report": runReport,
  "mainline-help": runHelp,
};

export function runCommand<N extends CommandName>(env: CommandEnv, command: CommandOf<N>): Promise<Outcome> {
  const runner: Runner<N> = RUNNERS[command.name];
  return runner(env, command);
}
