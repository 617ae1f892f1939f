import type { Config } from "../config.js";
import type { RepoClient } from "../github/client.js";
import { findMergeBackIssues, type MergeBackIssue } from "../github/incidents.js";
import type { MainCommit } from "../policy/merge-back.js";
import { checkMergeBack, closeDoneMergeBack, mainHistorySince } from "./check-merge-back.js";
import type { Deps } from "./deps.js";

/**
 * Re-checks open merge-back items and closes those whose change reached main. `candidates`
 * are the commits known to have just landed (a push); without them, main's history since the
 * items were opened is read once and shared. Returns the incidents whose items changed.
 */
export async function recheckMergeBacks(
  client: RepoClient,
  config: Config,
  mainBranch: string,
  deps: Deps,
  options: { incident?: number; candidates?: readonly MainCommit[] } = {},
): Promise<Set<number>> {
  const open = await findMergeBackIssues(client, config.labels.mergeBack, {
    state: "open",
    ...(options.incident !== undefined ? { incident: options.incident } : {}),
  });
  const candidates = options.candidates ?? (await mainHistorySince(client, mainBranch, open));
  const changed = new Set<number>();
  for (const issue of open) {
    if (await closeIfDone(client, mainBranch, issue, candidates, deps)) changed.add(issue.mergeBack.incident);
  }
  return changed;
}

async function closeIfDone(client: RepoClient, mainBranch: string, issue: MergeBackIssue, candidates: readonly MainCommit[], deps: Deps): Promise<boolean> {
  const match = await checkMergeBack(client, mainBranch, issue.mergeBack.sha, candidates, deps);
  if (!match.done) return false;
  await closeDoneMergeBack(client, issue, match);
  return true;
}
