import type { RepoScope } from "../delivery/repo-context.js";
import { ensureReviewIssue } from "../github/post-merge-reviews.js";
import type { PullsOfCommits } from "../github/pulls-of-commits.js";
import {
  commitsToAsk,
  mergedIntoMain,
  postMergeReviewText,
  pullMergedAsPush,
  unreviewedCommits,
  type PushedCommit,
} from "../policy/post-merge-review.js";
import type { Deps } from "../delivery/deps.js";

/** A push to main, as its (signed) webhook tells it. */
export type MainPush = {
  after: string;
  forced: boolean;
  /** Oldest first, as GitHub lists them. */
  commits: readonly PushedCommit[];
  /** GitHub's authenticated sender: the account that pushed (`pusher.name` is git's, and a deploy key's is its title). */
  pusher: { login: string; account: number };
  compareUrl: string;
  repositoryUrl: string;
  /** When GitHub took the push (`repository.pushed_at`): an issue for it is no older. */
  pushedAt?: string;
};

/** What the push came to, for its log line: counts, never commit messages (user text of any length). */
export type PostMergeReviewOutcome =
  | { outcome: "none"; pull?: number }
  | { outcome: "would-open"; unreviewed: number; unchecked: number }
  | { outcome: "opened" | "found"; issue: number; unreviewed: number; unchecked: number };

/**
 * A push to main that carries commits no pull request merged opens one post-merge review (SPEC 11):
 * 1. did GitHub merge a pull request as this push? (the pull requests of the head)
 * 2. if not, which commits came through no pull request? (those of the newest 20 commits; older ones are not verified)
 *    Both from one GraphQL query, `pullsOfPushed`, which the push's merge-back re-check shares.
 * 3. none (a push that carries no commit, such as a rewind, too) → nothing; in shadow mode → only
 *    said, as for an unapproved deploy (shadow opens nothing by itself)
 * 4. the push's issue — the app's own, whose record (or marker) names the push — found, or opened and
 *    looked for again (another delivery may have opened one too: the oldest counts, a newer one is retired)
 * 5. its signed record (who pushed, the head) heads its body, once: what a close is judged by
 */
export async function openPostMergeReview(
  { config, client, mainBranch, now }: RepoScope,
  deps: Deps,
  push: MainPush,
  pullsOfPushed: () => Promise<PullsOfCommits>,
): Promise<PostMergeReviewOutcome> {
  if (push.commits.length === 0) return { outcome: "none" };
  const pulls = await pullsOfPushed();
  const mergedOf = (sha: string) => mergedIntoMain(pulls.get(sha.toLowerCase()) ?? [], mainBranch);
  const merged = pullMergedAsPush(push.after, mergedOf(push.after));
  if (merged) return { outcome: "none", pull: merged.number };
  const asked = new Map(commitsToAsk(push.commits).map((c) => [c.sha.toLowerCase(), mergedOf(c.sha)]));
  const unreviewed = unreviewedCommits(push.commits, asked);
  if (!unreviewed) return { outcome: "none" };
  const counts = { unreviewed: unreviewed.commits.length, unchecked: unreviewed.unchecked };
  if (config.mode === "shadow") return { outcome: "would-open", ...counts };

  const text = postMergeReviewText({ pusher: push.pusher.login, mainBranch, after: push.after, forced: push.forced, compareUrl: push.compareUrl, repositoryUrl: push.repositoryUrl, unreviewed });
  const record = { after: push.after.toLowerCase(), pusher: push.pusher.login, account: push.pusher.account, at: now().toISOString() };
  const review = await ensureReviewIssue(client, deps.records, await deps.botLogin(), push.pushedAt, { record, text, label: config.labels.postMergeReview });
  return { outcome: review.opened ? "opened" : "found", issue: review.issue.number, ...counts };
}
