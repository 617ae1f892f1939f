import type { RepoScope } from "../delivery/repo-context.js";
import type { RepoClient } from "../github/client.js";
import { findMergeBackIssues, type MergeBackIssue } from "../github/incidents.js";
import type { PullsOfCommits } from "../github/pulls-of-commits.js";
import type { MainCommit, MergeBackMatch } from "../policy/merge-back.js";
import { describeApiError, isApiError } from "../github/api-error.js";
import { getIssueHere } from "../github/issues.js";
import { checkMergeBack, closeDoneMergeBack, mainHistorySince } from "./check-merge-back.js";
import type { Deps } from "../delivery/deps.js";
import type { IncidentView } from "./incident-view.js";
import { pushEvidence } from "./main-evidence.js";
import { reopenOnce } from "./reopen-once.js";
import { rewriteLedger } from "./refresh-ledger.js";

/** A merge-back issue whose change a push brought to main, with the way it matched. */
export type DoneItem = { issue: MergeBackIssue; match: MergeBackMatch & { done: true } };

/**
 * A push to main: re-checks the merge-back issues people see as open and returns those whose
 * change arrived, by the incident their body names. Labels and bodies are views, so closing them is
 * only tidying; what blocks an incident is decided from its records by `verifyIncidentItems`.
 */
async function recheckOpenMergeBacks(
  { client, config, mainBranch }: RepoScope,
  deps: Deps,
  pushed: readonly MainCommit[],
  pullsOfPushed: () => Promise<PullsOfCommits>,
): Promise<{ open: readonly MergeBackIssue[]; done: Map<number, DoneItem[]> }> {
  const items = await findMergeBackIssues(client, config.labels.mergeBack, { state: "open" });
  const evidence = pushEvidence(client, mainBranch, pushed, pullsOfPushed);
  const done = new Map<number, DoneItem[]>();
  for (const issue of items) {
    const match = await checkMergeBack(client, mainBranch, issue.mergeBack.sha, evidence, deps);
    if (match.done) done.set(issue.mergeBack.incident, [...(done.get(issue.mergeBack.incident) ?? []), { issue, match }]);
  }
  return { open: items, done };
}

/**
 * A push to main settles the merge-back items it brings: each open item re-checked against the
 * pushed commits, then the ledger of each incident with done items rewritten, then those items
 * closed. The ledger says they are done before their issues close: a delivery that fails in between
 * leaves them open, and its redelivery finds them again (no closed issue's incident is left saying
 * "not on main").
 */
export async function settlePushedMergeBacks(repo: RepoScope, deps: Deps, pushed: readonly MainCommit[], pullsOfPushed: () => Promise<PullsOfCommits>): Promise<void> {
  const { open, done } = await recheckOpenMergeBacks(repo, deps, pushed, pullsOfPushed);
  for (const [number, items] of [...done].sort(([a], [b]) => a - b)) {
    // The incidents come from issue bodies (views): one that is not an issue here has no ledger to rewrite.
    const incident = await getIssueHere(repo.client, number);
    if (incident) await rewriteLedger(repo, incident, deps, { done: new Map(items.map(({ issue, match }) => [issue.mergeBack.sha, match])), openItems: open });
  }
  for (const items of done.values()) for (const { issue, match } of items) await closeDoneMergeBack(repo.client, issue, match, deps);
}

/**
 * Whether each of the incident's items (from its records) is done, asked of git now; on the way
 * the issues people see are put right: a done one closed with the way it matched, one closed
 * while its change is not on main reopened with why. This is what a close decision reads.
 */
export async function verifyIncidentItems(client: RepoClient, mainBranch: string, view: IncidentView, deps: Deps): Promise<Map<string, MergeBackMatch>> {
  const done = new Map<string, MergeBackMatch>();
  if (view.mergeBacks.length === 0) return done;
  const history = mainHistorySince(client, mainBranch, view.thread.mergeBacks);
  for (const item of view.mergeBacks) {
    const match = await checkedOrUnverifiable(() => checkMergeBack(client, mainBranch, item.sha, history, deps), item.sha);
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

