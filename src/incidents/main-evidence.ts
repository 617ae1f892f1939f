import type { RepoClient } from "../github/client.js";
import { commitDiff, commitsOfPull, pullsOfCommit, type PullOfCommit } from "../github/commits.js";
import type { PullsOfCommits } from "../github/pulls-of-commits.js";
import { isMergedInto, type MainCommit, type MergedPull } from "../policy/merge-back.js";
import { patchId } from "../policy/patch-id.js";

/**
 * How many commits on main are looked into (their diff, whether for their patch, a cherry-pick
 * note or a merged pull request): each costs a read. A push's pull requests are read in one query,
 * for its newest commits (policy/post-merge-review.ts `shasToAsk`).
 */
const LOOKED_INTO = 20;

/**
 * Commits on main that may carry merge-back items' changes, and what GitHub says about them. What
 * depends only on these commits is read at most once, however many items are checked against them.
 */
export type MainEvidence = {
  commits: readonly MainCommit[];
  /** Whether any of the commits could have S's patch (none can when none adds and removes as many lines): only then is S's own diff read for it. */
  mayHavePatch: boolean;
  /** The commits, the ones looked into with their diff and patch id. */
  withPatches(): Promise<MainCommit[]>;
  /**
   * The diff of a commit on main, read once; undefined when LOOKED_INTO others were read already:
   * the bound stops the read, and what it would have shown cannot be verified.
   */
  diffOf(sha: string): Promise<Uint8Array | undefined>;
  /** The pull requests known to hold S (the policy counts those merged into main). */
  pullsWith(sha: string): Promise<MergedPull[]>;
  /** Main has older commits of the window than `commits` holds: what they show is not known. */
  cut?: true;
};

/**
 * Main's recent history. Which of its pull requests hold S is asked about S itself
 * (`commits/{S}/pulls`): asking about each commit of the history would cost more. `candidates`:
 * the commits among them that may have S's patch (`patchCandidates`), in the order their diffs are
 * read, when known: only their diffs are read for it.
 */
export function historyEvidence(client: RepoClient, commits: readonly MainCommit[], candidates?: readonly string[], diffOf = boundedDiffs(client), cut = false): MainEvidence {
  const mayHavePatch = candidates ? candidates.length > 0 : commits.length > 0;
  return { commits, mayHavePatch, withPatches: withPatches(commits, diffOf, candidates), diffOf, pullsWith: (sha) => pullsOfCommit(client, sha), ...(cut ? { cut: true as const } : {}) };
}

/**
 * The commits a push brought to main. A squash- or rebase-merge shows as a pushed commit whose pull
 * request (the merged one that introduced it) lists S among its own commits, so those pull requests
 * are read once per push and shared by every item — and by the push's post-merge review, in the
 * one query `pullsOfPushed` (its head and newest commits) — instead of asking once per item which
 * pull requests hold its commit. A pull request merged by an earlier push is that push's to find;
 * `/mainline status` and the close gate still ask about S itself.
 */
export function pushEvidence(client: RepoClient, mainBranch: string, pushed: readonly MainCommit[], pullsOfPushed: () => Promise<PullsOfCommits>): MainEvidence {
  let merged: Promise<PullOfCommit[]> | undefined;
  const mergedByPush = () => (merged ??= pullsOfPushed().then((pulls) => distinctPulls([...pulls.values()].flat().filter((pull) => isMergedInto(pull, mainBranch)))));
  const commitsOf = new Map<number, Promise<string[]>>();
  const holds = async (pull: PullOfCommit, sha: string) => {
    if (pull.headSha.toLowerCase() === sha) return true;
    if (!commitsOf.has(pull.number)) commitsOf.set(pull.number, commitsOfPull(client, pull.number).then((shas) => shas.map((s) => s.toLowerCase())));
    return (await commitsOf.get(pull.number)!).includes(sha);
  };
  const diffOf = boundedDiffs(client);
  return {
    commits: pushed,
    mayHavePatch: pushed.length > 0,
    withPatches: withPatches(pushed, diffOf),
    diffOf,
    async pullsWith(sha) {
      const holding: PullOfCommit[] = [];
      for (const pull of await mergedByPush()) if (await holds(pull, sha.toLowerCase())) holding.push(pull);
      return holding;
    },
  };
}

/** Diffs of commits on main, each read once, and no more than LOOKED_INTO of them, whichever way (and item) asks. */
export function boundedDiffs(client: RepoClient): (sha: string) => Promise<Uint8Array | undefined> {
  const read = new Map<string, Promise<Uint8Array>>();
  return async (sha) => {
    const key = sha.toLowerCase();
    if (!read.has(key)) {
      if (read.size >= LOOKED_INTO) return undefined;
      read.set(key, commitDiff(client, key));
    }
    return read.get(key);
  };
}

/**
 * The commits, newest first, each looked into while the bound allows with its diff and patch id
 * ("" when it has none, or when it is not among `candidates`: its patch cannot be S's); the
 * candidates' diffs are asked in their order, so the bound takes the first. The patch id is
 * computed once per commit, however often this is asked.
 */
function withPatches(commits: readonly MainCommit[], diffOf: (sha: string) => Promise<Uint8Array | undefined>, candidates?: readonly string[]): () => Promise<MainCommit[]> {
  const ids = new Map<Uint8Array, string>();
  return () => {
    const diffs = new Map((candidates ?? commits.map((commit) => commit.sha)).map((sha) => [sha, diffOf(sha)]));
    return Promise.all(
      commits.map(async (commit) => {
        const read = diffs.get(commit.sha);
        if (read === undefined) return { ...commit, patchId: "" };
        const diff = await read;
        if (diff === undefined) return commit;
        if (!ids.has(diff)) ids.set(diff, patchId(diff) ?? "");
        return { ...commit, diff, patchId: ids.get(diff)! };
      }),
    );
  };
}

/** A rebase-merge's commits all lead to the same pull request: it is read once. */
function distinctPulls(pulls: PullOfCommit[]): PullOfCommit[] {
  return [...new Map(pulls.map((pull) => [pull.number, pull])).values()];
}
