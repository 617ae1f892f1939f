import { notesCherryPickOf } from "./merge-back.js";

type Lines = { additions: number; deletions: number };

/**
 * What GitHub says of a commit's change without its diff: the lines it adds and removes (undefined
 * when GitHub could not count them: a change too large, or a count that ran out of time), and how
 * many parents the commit has.
 */
export type CommitCounts = { lines: Lines | undefined; parents: number };

export type CountedCommit = { sha: string; message: string; counts: CommitCounts };

/**
 * The commits on main whose diffs are read to compare their patch with S's (`git patch-id
 * --stable`), in the order they are read (a bound on reads takes the first). The same patch adds
 * and removes the same lines, so as many of each: a commit whose counts differ from S's cannot
 * have S's patch, and is left out. Every other commit is one: first those whose note names S
 * (their diff is read for the note anyway), then those whose counts equal S's, then those whose
 * counts cannot be compared with S's, each newest first. Equal counts only make a commit a
 * candidate; its patch id is the proof. `countsOfS` undefined: S's counts are not known, so no
 * commit is left out.
 */
export function patchCandidates(commits: readonly CountedCommit[], sha: string, countsOfS: CommitCounts | undefined): string[] {
  const linesOfS = comparableLines(countsOfS);
  const rank = (commit: CountedCommit) => {
    if (notesCherryPickOf(commit.message, sha)) return 0;
    const lines = comparableLines(commit.counts);
    if (!lines || !linesOfS) return 2;
    return lines.additions === linesOfS.additions && lines.deletions === linesOfS.deletions ? 1 : undefined;
  };
  const ranked = commits.flatMap((commit) => {
    const r = rank(commit);
    return r === undefined ? [] : [{ sha: commit.sha, r }];
  });
  // A stable sort: within a rank, the order listed (newest first).
  return ranked.sort((a, b) => a.r - b.r).map((c) => c.sha);
}

/**
 * The lines GitHub counted, when they are those of the diff that is read (against the commit's
 * parent, or the empty tree for a root commit): of a merge, GitHub need not count the change whose
 * diff it serves.
 */
function comparableLines(counts: CommitCounts | undefined): Lines | undefined {
  return counts && counts.parents <= 1 ? counts.lines : undefined;
}
