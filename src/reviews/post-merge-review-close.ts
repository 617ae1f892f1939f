import type { DecisionLog } from "../decision-log.js";
import type { CommentLike, IssueLike, RepoClient } from "../github/client.js";
import { roleOf } from "../github/permission.js";
import { closeRecordedDone, isOwnReviewIssue, reviewRecordOf } from "../github/post-merge-reviews.js";
import { writeRecord } from "../github/write-record.js";
import { decideReviewClose, RECORD_CHANGED, reviewDoneText, type Closer } from "../policy/post-merge-closer.js";
import type { Deps } from "../delivery/deps.js";
import { reopenOnce } from "../incidents/reopen-once.js";

export type ReviewCloseResult = { outcome: "allowed" | "reopened" | "superseded" | "ignored"; closer: string; pusher?: string; why?: string };

/**
 * A post-merge review (the signed record heading its body says so; or the app opened the issue, and
 * its label, title or marker still says review: the record can be edited away) was closed:
 * 1. who closed it (GitHub's sender) against who pushed (the record); the closer's role only when that decides
 * 2. a person other than the pusher with write role → done: recorded in a comment (once per close), it stays closed
 * 3. anyone else → reopened, saying why (once per close: a redelivered event neither repeats it nor reopens a later close)
 * 4. the app's own review issue whose record fails its check, names another issue, or is gone was
 *    edited: who pushed is unknown, so it is reopened
 * The app's own close is judged too (`/incident close` or `/incident force-close` of a review someone
 * made an incident closes it on a person's word, and no review is done by that), except the close of
 * a duplicate it retired.
 * Undefined when the issue is no post-merge review here (a record naming another repository or issue
 * is not this one's). `comments`: the thread as read already (none when it has none); `label`: the
 * repository's post-merge review label.
 */
export async function gateClosedReview(client: RepoClient, issue: IssueLike, closer: Closer, comments: readonly CommentLike[], deps: Deps, label: string): Promise<ReviewCloseResult | undefined> {
  if (!issue.closed_at) return undefined;
  const held = reviewRecordOf(deps.records.key, client.repoId, issue);
  if (typeof held !== "object") {
    // Anyone can open an issue whose body looks like a record or copies one: only the app's own issues are reviews.
    if (!isOwnReviewIssue(issue, deps.appId, label)) return undefined;
    if (await isRetiredDuplicate(issue, closer, deps)) return { outcome: "ignored", closer: closer.login };
    return { outcome: await reopenOnce(client, issue.number, issue.closed_at, RECORD_CHANGED, deps.appId), closer: closer.login, why: RECORD_CHANGED };
  }
  const pusher = { login: held.record.pusher, account: held.record.account };
  const closerIsApp = await isRetiredDuplicate(issue, closer, deps);
  const first = decideReviewClose({ closer, closerIsApp, pusher });
  // A role costs a read: asked only when nothing else decides.
  const verdict = first.verdict === "ask-role" ? decideReviewClose({ closer, closerIsApp, pusher, role: await roleOf(client, closer.login) }) : first;
  const about = { closer: closer.login, pusher: pusher.login };
  switch (verdict.verdict) {
    case "reopen":
      return { outcome: await reopenOnce(client, issue.number, issue.closed_at, verdict.why, deps.appId), ...about, why: verdict.why };
    case "done":
      if (!closeRecordedDone(issue, comments, deps.records, client.repoId)) {
        const fields = { by: closer.login, account: closer.account, role: verdict.role, closed: issue.closed_at };
        await writeRecord(client, deps.records.key, { incident: issue.number }, "post-merge-reviewed", fields, reviewDoneText(closer.login, verdict.role, pusher.login));
      }
      return { outcome: "allowed", ...about };
    default:
      return { outcome: "ignored", ...about };
  }
}

/**
 * The app closed it as not planned: only `retireDuplicate` closes so (the incident commands close as
 * completed). Its bot login costs one read per process.
 */
async function isRetiredDuplicate(issue: IssueLike, closer: Closer, deps: Deps): Promise<boolean> {
  return issue.state_reason === "not_planned" && closer.type === "Bot" && closer.login === (await deps.botLogin());
}

/** The review's close-gate decision line. */
export function logReviewClose(decisions: DecisionLog, issue: number, { outcome, closer, pusher, why }: ReviewCloseResult): void {
  const what = { allowed: "reviewed: done", reopened: "reopened", superseded: "closed again since: the later close is judged", ignored: "closed by the app itself" }[outcome];
  decisions.decided("close-gate", outcome, { issue, review: "post-merge", closer, pusher }, `post-merge review #${issue} ${what}${why ? `: ${why}` : ""}`);
}
