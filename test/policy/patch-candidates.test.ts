import { patchCandidates, type CommitCounts, type CountedCommit } from "../../src/policy/patch-candidates.js";

/**
 * Which of main's commits have their diffs read for S's patch, from GitHub's counts alone. S
 * changes one line (1 added, 1 removed). What is left out can never be read, so a commit that
 * could have S's patch must never be; equal counts only make a commit a candidate.
 */
const S = "abc1234def5678abc1234def5678abc1234def56";
const counted = (additions: number, deletions: number, parents = 1): CommitCounts => ({ lines: { additions, deletions }, parents });
const uncounted = (parents = 1): CommitCounts => ({ lines: undefined, parents });
const OF_S = counted(1, 1);
const commit = (name: string, counts: CommitCounts, message = `Commit ${name}`): CountedCommit => ({ sha: name, message, counts });

test.each<[string, CountedCommit[], CommitCounts | undefined, string[]]>([
  ["same counts: a candidate", [commit("a", counted(1, 1))], OF_S, ["a"]],
  ["more lines added: left out", [commit("a", counted(2, 1))], OF_S, []],
  ["as many lines in all, split otherwise (2 added, none removed): left out", [commit("a", counted(2, 0))], OF_S, []],
  ["added and removed swapped: equal only for a change that adds as many as it removes", [commit("a", counted(3, 1))], counted(1, 3), []],
  ["nothing changed (an empty commit): left out", [commit("a", counted(0, 0))], OF_S, []],
  ["GitHub could not count the commit's lines: a candidate", [commit("a", uncounted())], OF_S, ["a"]],
  ["GitHub could not count S's lines: every commit is one", [commit("a", counted(9, 0)), commit("b", counted(1, 1))], uncounted(), ["a", "b"]],
  ["S's counts not known (not asked, or no such commit): every commit is one", [commit("a", counted(9, 0))], undefined, ["a"]],
  ["a merge, whose counts need not be of the diff read for it: a candidate", [commit("m", counted(0, 0, 2))], OF_S, ["m"]],
  ["S a merge: its counts are not compared, every commit is one", [commit("a", counted(9, 0))], counted(1, 1, 2), ["a"]],
  ["a root commit, counted against the empty tree as its diff is: compared", [commit("r", counted(40, 0, 0)), commit("q", counted(1, 1, 0))], OF_S, ["q"]],
  ["a note naming S, whatever its counts: a candidate (its diff is read for the note)", [commit("n", counted(7, 7), `Fix\n\n(cherry picked from commit ${S.slice(0, 7)})`)], OF_S, ["n"]],
  ["a note naming another commit: judged by its counts", [commit("n", counted(7, 7), "Fix\n\n(cherry picked from commit 0000000)")], OF_S, []],
  [
    "read in order: notes, then equal counts, then those that cannot be compared; each newest first",
    [
      commit("u1", uncounted()),
      commit("e1", counted(1, 1)),
      commit("x", counted(5, 0)),
      commit("m1", counted(3, 3, 2)),
      commit("n1", counted(2, 2), `(cherry picked from commit ${S})`),
      commit("e2", counted(1, 1)),
      commit("n2", counted(1, 1), `(cherry-picked from commit ${S.slice(0, 10)})`),
    ],
    OF_S,
    ["n1", "n2", "e1", "e2", "u1", "m1"],
  ],
  ["no commits: none", [], OF_S, []],
])("%s", (_case, commits, countsOfS, candidates) => {
  expect(patchCandidates(commits, S, countsOfS)).toEqual(candidates);
});
