import type { Config } from "../config.js";
import type { RepoClient } from "../github/client.js";
import { findMergeBackIssues, type MergeBackIssue } from "../github/incidents.js";
import type { MainCommit, MergeBackMatch } from "../policy/merge-back.js";
import { describeApiError, isApiError } from "../github/api-error.js";
import { checkMergeBack, closeDoneMergeBack, mainHistorySince } from "./check-merge-back.js";
import type { Deps } from "../delivery/deps.js";
import type { IncidentView } from "./incident-view.js";
import { pushEvidence, type MainEvidence } from "./main-evidence.js";
import { reopenOnce } from "./reopen-once.js";

/**
 * A push to main: re-checks the merge-back issues people see as open and closes those whose change
 * arrived. Labels and bodies are views, so this only tidies them; what blocks an incident is
 * decided from its records by `verifyIncidentItems`. Returns the incidents whose items changed.
 */
export async function recheckOpenMergeBacks(client: RepoClient, config: Config, mainBranch: string, deps: Deps, pushed: readonly MainCommit[]): Promise<Set<number>> {
  const items = await findMergeBackIssues(client, config.labels.mergeBack, { state: "open" });
  const evidence = pushEvidence(client, mainBranch, pushed);
  const changed = new Set<number>();
  for (const issue of items) {
    const match = await checkMergeBack(client, mainBranch, issue.mergeBack.sha, evidence, deps);
    if (!match.done) continue;
    await closeDoneMergeBack(client, issue, match, deps);
    changed.add(issue.mergeBack.incident);
  }
  return changed;
}

/**
 * Whether each of the incident's items (from its records) is done, asked of git now; on the way
 * the issues people see are put right: a done one closed with the way it matched, one closed
 * while its change is not on main reopened with why. This is what a close decision reads.
 */
export async function verifyIncidentItems(client: RepoClient, mainBranch: string, view: IncidentView, deps: Deps): Promise<Map<string, MergeBackMatch>> {
  const done = new Map<string, MergeBackMatch>();
  if (view.mergeBacks.length === 0) return done;
  let evidence: Promise<MainEvidence> | undefined;
  const mainEvidence = () => (evidence ??= historySinceItems(client, mainBranch, view));
  for (const item of view.mergeBacks) {
    const match = await checkedOrUnverifiable(async () => checkMergeBack(client, mainBranch, item.sha, await mainEvidence(), deps), item.sha);
    done.set(item.sha, match);
    if (!item.issue) continue;
    const issue: MergeBackIssue = { ...item.issue, mergeBack: { incident: view.incident.number, sha: item.sha } };
    if (match.done && issue.state === "open") await closeDoneMergeBack(client, issue, match, deps);
    if (!match.done && issue.state === "closed") {
      await reopenOnce(client, issue.number, issue.closed_at!, `🔁 Reopened: ${match.explanation} Merge it to \`${mainBranch}\` first; this issue closes by itself when it lands.`, deps.appId);
    }
  }
  return done;
}

/**
 * GitHub refusing a fact (a diff too large to serve, say) leaves the item not done, "could not
 * verify": a close decision must not fail before it decides, and must never count it done.
 */
async function checkedOrUnverifiable(check: () => Promise<MergeBackMatch>, sha: string): Promise<MergeBackMatch> {
  try {
    return await check();
  } catch (error) {
    if (!isApiError(error)) throw error;
    return { done: false, explanation: `could not verify whether ${sha.slice(0, 7)} is on main: GitHub did not answer (${describeApiError(error)}).` };
  }
}

/** Main's commits since the oldest item was recorded (a cherry-pick cannot be older than the need for it). */
function historySinceItems(client: RepoClient, mainBranch: string, view: IncidentView): Promise<MainEvidence> {
  return mainHistorySince(client, mainBranch, view.thread.mergeBacks.map((item) => ({ created_at: item.at })));
}
