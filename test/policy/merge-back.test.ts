import { cherryPickedFrom, isMergedInto, matchMergeBack, type MainCommit, type MergeBackFacts, type MergedPull } from "../../src/policy/merge-back.js";

const S = "abc1234".padEnd(40, "0");
const PICK = "def5678".padEnd(40, "1");
const SQUASH = "5a5a5a5".padEnd(40, "2");
const TWIN = "7e7e7e7".padEnd(40, "3");
const HEAD = "9999999".padEnd(40, "9");
const OTHER = "0123456".padEnd(40, "4");
const PATCH_OF_S = "e".repeat(40);

const pickOfS: MainCommit = { sha: PICK, message: `Fix the outage\n\n(cherry picked from commit ${S})\n` };
const twinOfS: MainCommit = { sha: TWIN, message: "Fix the outage again", patchId: PATCH_OF_S };
const unrelated: MainCommit = { sha: OTHER, message: "Unrelated work", patchId: "f".repeat(40) };
const squashed: MergedPull = { number: 12, baseRef: "main", mergedAt: "2026-11-20T10:00:00Z", mergeCommitSha: SQUASH };

function facts(over: Partial<MergeBackFacts> = {}): MergeBackFacts {
  return { sha: S, mainBranch: "main", reachableFromMain: false, mainCommits: [unrelated], patchIdOfS: PATCH_OF_S, pullsOfS: [], ...over };
}

const NOT_DONE =
  "abc1234 is not on main yet: it is not reachable from main, no commit on main is a cherry-pick of it, " +
  "no pull request with it was merged into main, and no commit on main has the same patch.";

describe("matchMergeBack: each way S can reach main, named with the commit on main", () => {
  test.each<[string, Partial<MergeBackFacts>, object]>([
    [
      "S is reachable from main's head",
      { reachableFromMain: true, mainHead: HEAD },
      { done: true, way: "reachable", commitOnMain: S, explanation: "abc1234 is on main: it is reachable from main's head 9999999." },
    ],
    [
      "S is reachable, main's head unknown",
      { reachableFromMain: true },
      { done: true, way: "reachable", commitOnMain: S, explanation: "abc1234 is on main: it is reachable from main." },
    ],
    [
      "S is itself one of the commits on main, before GitHub was asked",
      { reachableFromMain: undefined, mainCommits: [unrelated, { sha: S, message: "Fix" }] },
      { done: true, way: "reachable", commitOnMain: S, explanation: "abc1234 is on main: it is reachable from main." },
    ],
    [
      "a commit on main is a cherry-pick -x of S",
      { mainCommits: [unrelated, pickOfS] },
      {
        done: true,
        way: "cherry-pick",
        commitOnMain: PICK,
        explanation: `abc1234 reached main as a cherry-pick: def5678 carries \`(cherry picked from commit ${S})\`.`,
      },
    ],
    [
      "a pull request with S was squash- or rebase-merged into main",
      { pullsOfS: [squashed] },
      { done: true, way: "squash-or-rebase", commitOnMain: SQUASH, explanation: "abc1234 reached main through pull request #12, merged as 5a5a5a5." },
    ],
    [
      "a commit on main has S's patch",
      { mainCommits: [unrelated, twinOfS] },
      {
        done: true,
        way: "same-patch",
        commitOnMain: TWIN,
        explanation: "abc1234 reached main as the same change: 7e7e7e7 has the same patch (git patch-id).",
      },
    ],
    ["none of them", {}, { done: false, explanation: NOT_DONE }],
  ])("%s", (_case, over, expected) => {
    expect(matchMergeBack(facts(over))).toEqual(expected);
  });

  test("a main branch with another name is named as such", () => {
    expect(matchMergeBack(facts({ mainBranch: "trunk", reachableFromMain: true, mainHead: HEAD })).explanation).toBe(
      "abc1234 is on trunk: it is reachable from trunk's head 9999999.",
    );
  });
});

describe("matchMergeBack: the most direct evidence wins", () => {
  const everything = { reachableFromMain: true, mainCommits: [twinOfS, pickOfS], pullsOfS: [squashed] };
  test.each<[string, Partial<MergeBackFacts>, string, string]>([
    ["all four ways hold", everything, "reachable", S],
    ["all but reachability", { ...everything, reachableFromMain: false }, "cherry-pick", PICK],
    ["a merged pull request and the same patch", { pullsOfS: [squashed], mainCommits: [twinOfS] }, "squash-or-rebase", SQUASH],
  ])("%s → %s", (_case, over, way, commitOnMain) => {
    expect(matchMergeBack(facts(over))).toMatchObject({ done: true, way, commitOnMain });
  });

  test("of several commits on main that cherry-pick S, the first listed is named", () => {
    const second = { ...pickOfS, sha: OTHER };
    expect(matchMergeBack(facts({ mainCommits: [pickOfS, second] }))).toMatchObject({ commitOnMain: PICK });
  });

  test("of several merged pull requests with S, the first merged is named", () => {
    const later = { ...squashed, number: 13, mergedAt: "2026-11-21T10:00:00Z", mergeCommitSha: OTHER };
    expect(matchMergeBack(facts({ pullsOfS: [later, squashed] }))).toMatchObject({ commitOnMain: SQUASH });
  });
});

describe("matchMergeBack: what does not count", () => {
  test.each<[string, Partial<MergeBackFacts>]>([
    ["a pull request with S merged into another branch", { pullsOfS: [{ ...squashed, baseRef: "release/1.0" }] }],
    ["a pull request with S into main, still open or closed unmerged", { pullsOfS: [{ ...squashed, mergedAt: null, mergeCommitSha: null }] }],
    ["a merged pull request whose commit on main is unknown", { pullsOfS: [{ ...squashed, mergeCommitSha: null }] }],
    ["a trailer naming another commit", { mainCommits: [{ sha: PICK, message: `(cherry picked from commit ${OTHER})` }] }],
    ["a trailer with S's short sha", { mainCommits: [{ sha: PICK, message: "(cherry picked from commit abc1234)" }] }],
    ["S's trailer quoted inside a line", { mainCommits: [{ sha: PICK, message: `Reverts "(cherry picked from commit ${S})"` }] }],
    ["a commit on main whose patch is unknown", { mainCommits: [{ sha: TWIN, message: "Fix" }] }],
  ])("%s", (_case, over) => {
    expect(matchMergeBack(facts(over))).toEqual({ done: false, explanation: NOT_DONE });
  });

  test("S's patch unknown: a commit on main with a patch id is not taken as the same change", () => {
    expect(matchMergeBack(facts({ patchIdOfS: undefined, mainCommits: [twinOfS] }))).toEqual({
      done: false,
      explanation:
        "abc1234 is not on main yet: it is not reachable from main, no commit on main is a cherry-pick of it, " +
        "no pull request with it was merged into main, and its patch was not compared with main's commits.",
    });
  });

  test("reachability not asked: the explanation says so instead of claiming S is off main", () => {
    expect(matchMergeBack(facts({ reachableFromMain: undefined }))).toEqual({
      done: false,
      explanation:
        "abc1234 is not on main yet: whether it is reachable from main was not checked, no commit on main is a cherry-pick of it, " +
        "no pull request with it was merged into main, and no commit on main has the same patch.",
    });
  });

  test("shas are compared whatever their case", () => {
    const upper = { sha: PICK, message: `(cherry picked from commit ${S.toUpperCase()})` };
    expect(matchMergeBack(facts({ sha: S.toUpperCase(), mainCommits: [upper] }))).toMatchObject({ done: true, way: "cherry-pick" });
  });
});

describe("cherryPickedFrom", () => {
  test.each<[string, string, string[]]>([
    ["git cherry-pick -x's trailer", `Fix\n\n(cherry picked from commit ${S})`, [S]],
    ["spaces around it", `Fix\n\n   (cherry picked from commit ${S})  \n`, [S]],
    ["Windows line endings", `Fix\r\n\r\n(cherry picked from commit ${S})\r\n`, [S]],
    ["upper-case hex, returned lowercased", `(cherry picked from commit ${S.toUpperCase()})`, [S]],
    ["a commit picked twice, in order", `(cherry picked from commit ${S})\n(cherry picked from commit ${OTHER})`, [S, OTHER]],
    ["a short sha", "(cherry picked from commit abc1234)", []],
    ["a sha longer than 40 hex", `(cherry picked from commit ${S}0)`, []],
    ["other text on the line", `see (cherry picked from commit ${S})`, []],
    ["another wording", `(cherry-picked from commit ${S})`, []],
    ["no trailer", "Fix the outage", []],
    ["an empty message", "", []],
  ])("%s", (_case, message, expected) => {
    expect(cherryPickedFrom(message)).toEqual(expected);
  });
});

describe("isMergedInto: the pull requests whose commits are worth reading", () => {
  test.each<[string, MergedPull, boolean]>([
    ["merged into main", squashed, true],
    ["merged into another branch", { ...squashed, baseRef: "release/1.0" }, false],
    ["into main, still open or closed unmerged", { ...squashed, mergedAt: null, mergeCommitSha: null }, false],
    ["merged into main, its commit there unknown", { ...squashed, mergeCommitSha: null }, false],
  ])("%s → %s", (_case, pull, expected) => {
    expect(isMergedInto(pull, "main")).toBe(expected);
  });
});
