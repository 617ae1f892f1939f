import type { CommentLike, IssueLike } from "../github/client.js";
import { closeRecordedDone, ensureReviewIssue, reviewRecordOf } from "../github/post-merge-reviews.js";
import { reviewOpenedAgainText, type GoneReview } from "../policy/post-merge-review.js";
import type { Deps } from "../delivery/deps.js";
import type { RepoScope } from "../delivery/repo-context.js";

/** An issue that left the repository, as GitHub's `issues.transferred` or `issues.deleted` webhook tells it. */
export type GoneIssue = {
  /** As it was when it left (the payload's `state` is always there: well-formed.ts). */
  issue: Pick<IssueLike, "number" | "body" | "closed_at" | "created_at"> & { state?: string };
  /** GitHub's sender. */
  by: string;
  /** Where a transferred issue went; none for a deleted one. */
  to?: GoneReview["to"];
};

export type GoneReviewOutcome = { outcome: "done" | "would-open-again" } | { outcome: "opened-again" | "found"; issue: number };

/**
 * An issue left the repository, transferred or deleted; if it was one of the app's post-merge
 * reviews, the review is not over (SPEC 8, 11): nobody reviewed the push by moving it away.
 * 1. a review? the signed record heading the body GitHub's webhook still carries names this
 *    repository and this issue; anything else (no record, an edited one, a copy) → nothing
 * 2. done already? closed, and its `post-merge-reviewed` record names that close (`comments`: a
 *    transferred issue's thread, read where GitHub's redirect leads) → nothing. A deleted issue's
 *    comments are gone with it: it is never known done, so it opens again
 * 3. in shadow mode → only said
 * 4. the review here again, as a push opens one: found by its record (a redelivery, or the push
 *    delivered again since, opened it already), or opened with the same title, label and text,
 *    first saying who moved or deleted the previous one; its record names the same push, pusher
 *    and time, so the close gate and `/mainline report` treat it as the review it replaces
 * Undefined when the issue was no review of this repository.
 */
export async function reopenGoneReview(repo: RepoScope, deps: Deps, gone: GoneIssue, comments: readonly CommentLike[]): Promise<GoneReviewOutcome | undefined> {
  const { client, config } = repo;
  const held = reviewRecordOf(deps.records.key, client.repoId, gone.issue);
  if (typeof held !== "object") return undefined;
  const closed = gone.issue.state === "closed";
  if (closed && closeRecordedDone({ ...gone.issue, state: "closed" }, comments, deps.records, client.repoId)) return { outcome: "done" };
  if (config.mode === "shadow") return { outcome: "would-open-again" };
  // The text under the record, as its signature holds it.
  const body = gone.issue.body ?? "";
  const previousText = body.slice(body.indexOf("\n\n") + 2);
  const text = reviewOpenedAgainText(previousText, { previous: gone.issue.number, by: gone.by, closed, ...(gone.to ? { to: gone.to } : {}) });
  // No review of the push is older than the one that left.
  const review = await ensureReviewIssue(client, deps.records, await deps.botLogin(), gone.issue.created_at, { record: held.record, text, label: config.labels.postMergeReview });
  return { outcome: review.opened ? "opened-again" : "found", issue: review.issue.number };
}

/** The outcome's log line, in the delivery's log (none for an issue that was no review). */
export function logGoneReview({ log }: RepoScope, previous: number, result: GoneReviewOutcome | undefined): void {
  if (!result) return;
  const what = {
    done: "it was done: nothing to open again",
    "would-open-again": "[shadow] enforce mode would open it again",
    "opened-again": "opened again",
    found: "open again already",
  }[result.outcome];
  log.info({ previous, ...result }, `post-merge review #${previous} left the repository: ${what}`);
}
