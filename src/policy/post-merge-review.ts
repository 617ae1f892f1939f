import { escapeUserText, quietLogin, shortSha } from "./text.js";
import { issueTitles } from "../public-names.js";
import { isMergedInto, type MergedPull as PullOfMergeBack } from "./merge-back.js";

/**
 * How many commits of one push are asked about, newest first: each costs a read of GitHub, and a
 * push can carry thousands (SPEC 8: bounded whatever users push). Past it a commit is not verified.
 */
export const REVIEW_COMMITS_LOOKED_INTO = 20;

/** GitHub lists at most this many commits in a push webhook; a push that lists them all may carry more. */
export const PUSH_COMMITS_LISTED = 2048;

export type PushedCommit = { sha: string; message: string };

/** A pull request merged into main that GitHub associates with a commit, and the commit its merge left on main. */
export type MergedPull = { number: number; mergeCommitSha: string };

/**
 * The pull request this push merged, if GitHub merged one: its merge commit (a merge commit, a
 * squash commit, or the last commit of a rebase) is the head the push left on main, and every
 * commit the push carried is that pull request's. One read decides the usual push.
 */
export function pullMergedAsPush(after: string, pullsOfHead: readonly MergedPull[]): MergedPull | undefined {
  return pullsOfHead.find((pull) => sameSha(pull.mergeCommitSha, after));
}

/** The commits to ask about: the newest ones (the head among them), at most the bound. */
export function commitsToAsk(commits: readonly PushedCommit[]): PushedCommit[] {
  return commits.slice(-REVIEW_COMMITS_LOOKED_INTO);
}

/**
 * The commits of a push whose pull requests are read, in one query shared by the merge-back re-check
 * and the review: its head (the merge commit of a pull request GitHub merged as this push) and the
 * newest commits up to the bound. None for a push that carries no commit.
 */
export function shasToAsk(after: string, commits: readonly PushedCommit[]): string[] {
  return commits.length === 0 ? [] : [after, ...commitsToAsk(commits).map((c) => c.sha)];
}

/**
 * Of the pull requests GitHub associates with a commit (for a commit on the default branch, the
 * merged pull request that introduced it — its merge commit, its squash commit, each commit of its
 * rebase), those merged into main. Open or closed unmerged ones, and those merged into another
 * branch, are left out: a pull request nobody merged into main reviewed nothing that is on main.
 */
export function mergedIntoMain(pulls: readonly PullOfMergeBack[], mainBranch: string): MergedPull[] {
  return pulls.flatMap((pull) => (isMergedInto(pull, mainBranch) ? [{ number: pull.number, mergeCommitSha: pull.mergeCommitSha }] : []));
}

/** What a push brought to main unreviewed: commits no pull request merged, and how many were not asked about. */
export type Unreviewed = { commits: PushedCommit[]; unchecked: number; mayHaveMore: boolean };

/**
 * The commits of a push that came to main through no pull request, or undefined when every one did.
 * A commit came through one when a pull request merged into main lists it and that pull request's
 * merge commit is in this same push: a pull request merged before does not vouch for a commit
 * pushed again by hand (one that added it and reverted it merged nothing of it). A commit not asked
 * about (`pullsOf` has no entry) is not verified, so it needs a review too: never a pass.
 */
export function unreviewedCommits(commits: readonly PushedCommit[], pullsOf: ReadonlyMap<string, readonly MergedPull[]>): Unreviewed | undefined {
  const pushed = new Set(commits.map((c) => c.sha.toLowerCase()));
  const mayHaveMore = commits.length >= PUSH_COMMITS_LISTED;
  let unchecked = 0;
  const unreviewed: PushedCommit[] = [];
  for (const commit of commits) {
    const pulls = pullsOf.get(commit.sha.toLowerCase());
    if (pulls === undefined) unchecked++;
    else if (!pulls.some((pull) => pushed.has(pull.mergeCommitSha.toLowerCase()))) unreviewed.push(commit);
  }
  return unreviewed.length === 0 && unchecked === 0 ? undefined : { commits: unreviewed, unchecked, mayHaveMore };
}

/** The SPEC's title: the head the push left on main. */
export function postMergeReviewTitle(after: string): string {
  return issueTitles.postMergeReview(shortSha(after));
}

export type ReviewIssueFacts = {
  pusher: string;
  mainBranch: string;
  after: string;
  forced: boolean;
  /** GitHub's link to the push's changes (`compare` in the payload). */
  compareUrl: string;
  /** The repository's web address, for links to commits. */
  repositoryUrl: string;
  unreviewed: Unreviewed;
};

/**
 * The issue's text: who pushed, each commit no pull request merged (short sha, first line of its
 * message: user text, escaped), what was not verified, and what closes it.
 */
export function postMergeReviewText(facts: ReviewIssueFacts): string {
  const { unreviewed } = facts;
  const pusher = quietLogin(facts.pusher);
  const lines = unreviewed.commits.map((c) => `- [\`${shortSha(c.sha)}\`](${facts.repositoryUrl}/commit/${c.sha}) ${escapeUserText(firstLine(c.message), 100)}`);
  if (unreviewed.unchecked > 0) {
    const what = unreviewed.unchecked === 1 ? "1 older commit" : `${unreviewed.unchecked} older commits`;
    lines.push(`- and ${what} of this push, not checked (mainline asks about the newest ${REVIEW_COMMITS_LOOKED_INTO} of a push): review them too`);
  }
  if (unreviewed.mayHaveMore) lines.push(`- GitHub lists at most ${PUSH_COMMITS_LISTED} commits of a push: this one may carry more (see the comparison)`);
  return [
    `${pusher} pushed to \`${facts.mainBranch}\` commits that no pull request merged, so nobody reviewed them before they landed${facts.forced ? " (a forced push: it rewrote the branch's history)" : ""}:`,
    lines.join("\n"),
    `[The push's changes](${facts.compareUrl}) · head \`${shortSha(facts.after)}\``,
    `**To finish:** someone with write access other than ${pusher} reviews these commits and closes this issue. A close by ${pusher}, or by someone without write access, reopens it.`,
  ].join("\n\n");
}

/** How one of the app's reviews left the repository, as GitHub's webhook tells it: `to` for a transfer, none for a deletion. */
export type GoneReview = {
  /** Its number here, which it no longer has. */
  previous: number;
  /** GitHub's sender: who transferred or deleted it. */
  by: string;
  /** It was closed when it left (a close that was a review leaves nothing to open again). */
  closed: boolean;
  /** Where it went: the repository's full name and the issue's number and address there. */
  to?: { repository: string; number: number; url: string };
};

/** How the paragraph saying that a review was opened again begins: the app's own text, first in the body. */
const OPENED_AGAIN = "🔁 ";

/**
 * The review's text when it is opened again here: what happened to the previous one, then the
 * previous text (commits, pusher, what closes it) as its signed record held it. A paragraph of an
 * earlier move is replaced, not kept: however often a review is moved, its body stays one size.
 */
export function reviewOpenedAgainText(previousText: string, gone: GoneReview): string {
  const text = previousText.startsWith(OPENED_AGAIN) ? previousText.slice(previousText.indexOf("\n\n") + 2) : previousText;
  const who = quietLogin(gone.by);
  const what = gone.to
    ? `${who} transferred #${gone.previous}, the post-merge review of this push, to [${escapeUserText(`${gone.to.repository}#${gone.to.number}`, 300)}](${gone.to.url}).`
    : `${who} deleted #${gone.previous}, the post-merge review of this push${gone.closed ? " (closed, but its comments went with it, so mainline cannot tell whether that close was a review)" : ""}.`;
  return `${OPENED_AGAIN}${what} A post-merge review stays in the repository the commits landed in until someone reviews them, so mainline opened it again here: the review is still to do.\n\n${text}`;
}

function firstLine(message: string): string {
  return message.split(/\r?\n/, 1)[0] ?? "";
}

function sameSha(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
