import type { Config } from "../config.js";
import type { RepoClient } from "../github/client.js";
import { findMergeBackIssues, type MergeBackIssue } from "../github/incidents.js";
import type { MainCommit } from "../policy/merge-back.js";
import { checkMergeBack, closeDoneMergeBack, mainHistorySince, verifyClosedMergeBack } from "./check-merge-back.js";
import type { Deps } from "./deps.js";
import { pushEvidence, type MainEvidence } from "./main-evidence.js";

/**
 * Re-checks open merge-back items and closes those whose change reached main. `pushed` are the
 * commits a push just brought to main; without them, main's history since the items were opened is
 * read once and shared. With `verifyClosed` (before an incident may close), items a person closed
 * are verified too, and reopened when their change is not on main. Returns the incidents whose
 * items changed.
 */
export async function recheckMergeBacks(
  client: RepoClient,
  config: Config,
  mainBranch: string,
  deps: Deps,
  options: { incident?: number; pushed?: readonly MainCommit[]; verifyClosed?: boolean } = {},
): Promise<Set<number>> {
  const items = await findMergeBackIssues(client, config.labels.mergeBack, {
    state: options.verifyClosed ? "all" : "open",
    ...(options.incident !== undefined ? { incident: options.incident } : {}),
  });
  // What main's commits say is read once, and only if some item needs it.
  let evidence: Promise<MainEvidence> | undefined;
  const mainEvidence = () =>
    (evidence ??= options.pushed ? Promise.resolve(pushEvidence(client, mainBranch, options.pushed)) : mainHistorySince(client, mainBranch, items));
  const changed = new Set<number>();
  for (const issue of items) {
    if (issue.state === "open" && (await closeIfDone(client, mainBranch, issue, await mainEvidence(), deps))) changed.add(issue.mergeBack.incident);
    if (issue.state === "closed" && !(await verifyClosedMergeBack(client, mainBranch, issue, deps, mainEvidence))) changed.add(issue.mergeBack.incident);
  }
  return changed;
}

async function closeIfDone(client: RepoClient, mainBranch: string, issue: MergeBackIssue, evidence: MainEvidence, deps: Deps): Promise<boolean> {
  const match = await checkMergeBack(client, mainBranch, issue.mergeBack.sha, evidence, deps);
  if (!match.done) return false;
  await closeDoneMergeBack(client, issue, match, deps);
  return true;
}
