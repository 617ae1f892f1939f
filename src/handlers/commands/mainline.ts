import { helpText } from "../../commands/parse.js";
import { hasLabel } from "../../github/client.js";
import { becomeIncident } from "../become-incident.js";
import { recheckMergeBacks } from "../recheck-merge-backs.js";
import type { CommandEnv, Outcome } from "./types.js";

export async function runHelp(): Promise<Outcome> {
  return { ok: true, reply: helpText() };
}

/**
 * `/mainline status` in an incident: re-checks its merge-back items against main and rebuilds
 * everything derived (RCA issue if missing, ledger) from GitHub's facts.
 */
export async function runStatus(env: CommandEnv): Promise<Outcome> {
  const { repo, deps, issue } = env;
  if (!hasLabel(issue, repo.config.labels.incident)) {
    return { ok: false, error: "pull request checks are not part of this version of mainline yet; in an incident, `/mainline status` rebuilds the ledger" };
  }
  await recheckMergeBacks(repo.client, repo.config, repo.mainBranch, deps, { incident: issue.number });
  await becomeIncident(repo.client, repo.config, repo.mainBranch, issue, deps);
  return { ok: true };
}
