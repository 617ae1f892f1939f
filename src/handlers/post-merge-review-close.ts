import type { DecisionLog } from "../decision-log.js";
import type { CommentLike, IssueLike, RepoClient } from "../github/client.js";
import { isOwnIssue } from "../github/own-comments.js";
import { roleOf } from "../github/permission.js";
import { closeRecordedDone, reviewRecordOf } from "../github/post-merge-reviews.js";
import { writeRecord } from "../github/write-record.js";
import { decideReviewClose, RECORD_CHANGED, reviewDoneText, type Closer } from "../policy/post-merge-closer.js";
import type { Deps } from "./deps.js";
import { reopenOnce } from "./reopen-once.js";

export type ReviewCloseResult = { outcome: "allowed" | "reopened" | "superseded" | "ignored"; closer: string; pusher?: string; why?: string };

/**
 * A post-merge review (the signed record heading its body says so, never its label) was closed:
 * 1. who closed it (GitHub's sender) against who pushed (the record); the closer's role only when that decides
 * 2. a person other than the pusher with write role → done: recorded in a comment (once per close), it stays closed
 * 3. anyone else → reopened, saying why (once per close: a redelivered event neither repeats it nor reopens a later close)
 * 4. the app's own issue whose body starts like a review record that fails its check was edited: who
 *    pushed is unknown, so it is reopened
 * Undefined when the issue is no post-merge review here (a record naming another repository or issue
 * is not this one's). `comments`: the thread as read already (none when it has none).
 */
export async function gateClosedReview(client: RepoClient, issue: IssueLike, closer: Closer, comments: readonly CommentLike[], deps: Deps): Promise<ReviewCloseResult | undefined> {
  const held = reviewRecordOf(deps.records.key, client.repoId, issue);
  if (!issue.closed_at || held === undefined || held === "elsewhere") return undefined;
  // Anyone can open an issue whose body looks like a broken record: only the app's own issues are reviews.
  if (held === "changed" && !isOwnIssue(issue, deps.appId)) return undefined;
  if (held === "changed") return { outcome: await reopenOnce(client, issue.number, issue.closed_at, RECORD_CHANGED, deps.appId), closer: closer.login, why: RECORD_CHANGED };
  const pusher = { login: held.record.pusher, account: held.record.account };
  const closerIsApp = closer.type === "Bot" && closer.login === (await deps.botLogin());
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

/** The review's close-gate decision line. */
export function logReviewClose(decisions: DecisionLog, issue: number, { outcome, closer, pusher, why }: ReviewCloseResult): void {
  const what = { allowed: "reviewed: done", reopened: "reopened", superseded: "closed again since: the later close is judged", ignored: "closed by the app itself" }[outcome];
  decisions.decided("close-gate", outcome, { issue, review: "post-merge", closer, pusher }, `post-merge review #${issue} ${what}${why ? `: ${why}` : ""}`);
}
