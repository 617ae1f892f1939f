import type { Context } from "probot";
import { decisionLog } from "../decision-log.js";
import type { IssueLike } from "../github/client.js";
import { readIncidentThread } from "../github/incidents.js";
import { getIssue } from "../github/issues.js";
import { readMarker } from "../markers.js";
import { verifyClosedMergeBack } from "../incidents/check-merge-back.js";
import type { AppDeps } from "../delivery/deps.js";
import { gateClosedIncident, logCloseGate } from "../incidents/close-gate.js";
import { gateClosedReview, logReviewClose } from "../reviews/post-merge-review-close.js";
import { rewriteLedger } from "../incidents/refresh-ledger.js";
import { verifyRcaClose } from "../incidents/verify-rca-close.js";
import { repoContext } from "../delivery/repo-context.js";

/**
 * `issues.closed`: the close gate. Which issue is what comes from the app's records, never from
 * labels or bodies (views anyone with triage or write can change).
 * 1. an incident (its records say so): its exceptions end for good; closed with blockers → reopened
 *    (the close gate's decision is one log line)
 * 2. a merge-back issue its incident's records name, closed while S is not on main → reopened
 * 3. the RCA its incident's records name, closed with empty sections → reopened
 * 4. the incident's ledger shows the new state
 * 5. a post-merge review (the record heading its body says so, or the app opened it as one), an
 *    incident too or not (a triager's label must not lift the review): done when a person other than
 *    the pusher with write role closed it, else reopened (the decision is one log line)
 */
export function onIssueClosed(deps: AppDeps) {
  return async (context: Context<"issues.closed">): Promise<void> => {
    const issue = context.payload.issue as IssueLike;
    if (context.payload.issue.pull_request) return;
    const repo = await repoContext(context, deps);
    // An issue with no comments holds no records: it costs no read.
    const own = issue.comments === 0 ? undefined : await readIncidentThread(repo.client, issue, deps.records);
    // A thread holding a changed record may be an incident whose own record was changed: it goes through the gate (the change blocks).
    if (own?.isIncident || own?.tampered.length) logCloseGate(decisionLog(context), issue.number, await gateClosedIncident(repo, issue, deps), "issues.closed");
    const { sender } = context.payload;
    const closer = { login: sender.login, account: sender.id, type: sender.type };
    const review = await gateClosedReview(repo.client, issue, closer, own?.comments ?? [], deps, repo.config.labels.postMergeReview);
    if (review) logReviewClose(decisionLog(context), issue.number, review);
    const claimed = readMarker(issue.body, "merge-back")?.incident ?? readMarker(issue.body, "rca")?.incident;
    if (claimed === undefined || claimed === issue.number) return;
    const incident = await getIssue(repo.client, claimed);
    const thread = await readIncidentThread(repo.client, incident, deps.records);
    const item = thread.mergeBacks.find((m) => m.issue === issue.number);
    if (item) await verifyClosedMergeBack(repo.client, repo.mainBranch, { ...issue, mergeBack: { incident: claimed, sha: item.sha } }, deps);
    if (thread.rca?.issue === issue.number) await verifyRcaClose(repo, issue, deps);
    if (item || thread.rca?.issue === issue.number) await rewriteLedger(repo, incident, deps);
  };
}
