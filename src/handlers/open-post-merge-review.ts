import type { Config } from "../config.js";
import type { IssueLike, RepoClient } from "../github/client.js";
import { createIssue, listOwnIssues, retireDuplicate } from "../github/issues.js";
import { isOwnIssue } from "../github/own-comments.js";
import { reviewRecordOf, writeReviewRecord } from "../github/post-merge-reviews.js";
import { pullsMergedIntoMain } from "../github/pulls.js";
import { marker, readMarker } from "../markers.js";
import {
  commitsToAsk,
  postMergeReviewText,
  postMergeReviewTitle,
  pullMergedAsPush,
  unreviewedCommits,
  type MergedPull,
  type PushedCommit,
} from "../policy/post-merge-review.js";
import { appBody } from "../policy/text.js";
import type { Deps } from "./deps.js";

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
 * 1. did GitHub merge a pull request as this push? (one read: the pull requests of the head)
 * 2. if not, which commits came through no pull request? (one read per commit, the newest 20; older ones are not verified)
 * 3. none (a push that carries no commit, such as a rewind, too) → nothing; in shadow mode → only
 *    said, as for an unapproved deploy (shadow opens nothing by itself)
 * 4. the push's issue — the app's own, whose record (or marker) names the push — found, or opened and
 *    looked for again (another delivery may have opened one too: the oldest counts, a newer one is retired)
 * 5. its signed record (who pushed, the head) heads its body, once: what a close is judged by
 */
export async function openPostMergeReview(client: RepoClient, config: Config, mainBranch: string, deps: Deps, push: MainPush): Promise<PostMergeReviewOutcome> {
  if (push.commits.length === 0) return { outcome: "none" };
  const ofHead = await pullsMergedIntoMain(client, mainBranch, push.after);
  const merged = pullMergedAsPush(push.after, ofHead);
  if (merged) return { outcome: "none", pull: merged.number };
  const unreviewed = unreviewedCommits(push.commits, await pullsOfPushed(client, mainBranch, push, ofHead));
  if (!unreviewed) return { outcome: "none" };
  const counts = { unreviewed: unreviewed.commits.length, unchecked: unreviewed.unchecked };
  if (config.mode === "shadow") return { outcome: "would-open", ...counts };

  const text = postMergeReviewText({ pusher: push.pusher.login, mainBranch, after: push.after, forced: push.forced, compareUrl: push.compareUrl, repositoryUrl: push.repositoryUrl, unreviewed });
  const found = await findReviewIssue(client, deps, push);
  const review = found ?? (await createReviewIssue(client, config, deps, push, text));
  if (!review.recorded) {
    const fields = { after: push.after.toLowerCase(), pusher: push.pusher.login, account: push.pusher.account, at: deps.now().toISOString() };
    await writeReviewRecord(client, deps.records.key, review.issue.number, fields, text);
  }
  return { outcome: found ? "found" : "opened", issue: review.issue.number, ...counts };
}

/** A review issue, and whether its record heads its body yet. */
type FoundReview = { issue: IssueLike; recorded: boolean };

/** The merged pull requests of each commit asked about (the head's are read already). */
async function pullsOfPushed(client: RepoClient, mainBranch: string, push: MainPush, ofHead: MergedPull[]): Promise<Map<string, MergedPull[]>> {
  const asked = commitsToAsk(push.commits).map((c) => c.sha.toLowerCase());
  const head = push.after.toLowerCase();
  const pulls = await Promise.all(asked.map(async (sha) => [sha, sha === head ? ofHead : await pullsMergedIntoMain(client, mainBranch, sha)] as const));
  return new Map(pulls);
}

/**
 * The review this app opened for the push: its own issue (a body anyone could copy is not enough)
 * whose record names the push, or — opened by a delivery that failed before it wrote the record —
 * whose marker does; the oldest one. Found as the report finds reviews, among the issues the app
 * created (touched since the push), never by label: a triager can take the label off, and a
 * redelivery must not open a second review then.
 */
async function findReviewIssue(client: RepoClient, deps: Deps, push: MainPush): Promise<FoundReview | undefined> {
  const after = push.after.toLowerCase();
  const issues = await listOwnIssues(client, await deps.botLogin(), push.pushedAt);
  return issues
    .filter((issue) => isOwnIssue(issue, deps.appId))
    .flatMap((issue) => {
      const held = reviewRecordOf(deps.records.key, client.repoId, issue);
      if (typeof held === "object") return held.record.after === after ? [{ issue, recorded: true }] : [];
      // An edited record names no push any more: a new review opens rather than one nobody can finish.
      if (held) return [];
      return readMarker(issue.body, "post-merge-review")?.after === after ? [{ issue, recorded: false }] : [];
    })
    .sort((a, b) => a.issue.number - b.issue.number)[0];
}

/** Opened with the push's marker, then looked for again: a concurrent delivery of the same push may have opened one too, and the oldest counts. */
async function createReviewIssue(client: RepoClient, config: Config, deps: Deps, push: MainPush, text: string): Promise<FoundReview> {
  const created = await createIssue(client, {
    title: postMergeReviewTitle(push.after),
    body: appBody(text, marker("post-merge-review", { after: push.after.toLowerCase() })),
    labels: [config.labels.postMergeReview],
  });
  const kept = await findReviewIssue(client, deps, push);
  if (!kept || kept.issue.number === created.number) return { issue: created, recorded: false };
  await retireDuplicate(client, created.number, kept.issue.number);
  return kept;
}
