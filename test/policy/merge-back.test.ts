import { cherryPickedFrom, isMergedInto, matchMergeBack, notesCherryPickOf, type MainCommit, type MergeBackFacts, type MergedPull } from "../../src/policy/merge-back.js";
import { mergeBackScenario } from "./merge-back-scenario.js";

/** The diffs are real commits' (`git show --format=`); the shas are stand-ins, so the texts stay short. */
const scenario = mergeBackScenario();
const { diffs } = scenario;
afterAll(() => scenario.remove());

const S = "abc1234".padEnd(40, "0");
const PICK = "def5678".padEnd(40, "1");
const SQUASH = "5a5a5a5".padEnd(40, "2");
const TWIN = "7e7e7e7".padEnd(40, "3");
const HEAD = "9999999".padEnd(40, "9");
const OTHER = "0123456".padEnd(40, "4");
const PATCH_OF_S = "e".repeat(40);

const pickOfS: MainCommit = { sha: PICK, message: `Fix the outage\n\n(cherry picked from commit ${S})\n`, diff: diffs.honestPick };
const twinOfS: MainCommit = { sha: TWIN, message: "Fix the outage again", patchId: PATCH_OF_S };
const unrelated: MainCommit = { sha: OTHER, message: "Unrelated work", patchId: "f".repeat(40) };
const squashed: MergedPull = { number: 12, baseRef: "main", mergedAt: "2026-11-20T10:00:00Z", mergeCommitSha: SQUASH, mergeDiff: diffs.squashWithS };

function facts(over: Partial<MergeBackFacts> = {}): MergeBackFacts {
  return { sha: S, mainBranch: "main", reachableFromMain: false, mainCommits: [unrelated], patchIdOfS: PATCH_OF_S, diffOfS: diffs.S, pullsOfS: [], ...over };
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
        explanation: "abc1234 reached main as a cherry-pick: def5678 notes that it was cherry-picked from abc1234, and its change contains abc1234's.",
      },
    ],
    [
      "a pull request with S was squash- or rebase-merged into main",
      { pullsOfS: [squashed] },
      {
        done: true,
        way: "squash-or-rebase",
        commitOnMain: SQUASH,
        explanation: "abc1234 reached main through pull request #12, merged as 5a5a5a5, whose change contains abc1234's.",
      },
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
  /** A commit on main that was looked into: its diff read, its patch not S's. */
  const lookedInto = { diff: diffs.honestPick, patchId: "1".repeat(40) };
  test.each<[string, Partial<MergeBackFacts>]>([
    ["a pull request with S merged into another branch", { pullsOfS: [{ ...squashed, baseRef: "release/1.0" }] }],
    ["a pull request with S into main, still open or closed unmerged", { pullsOfS: [{ ...squashed, mergedAt: null, mergeCommitSha: null }] }],
    ["a merged pull request whose commit on main is unknown", { pullsOfS: [{ ...squashed, mergeCommitSha: null }] }],
    ["a trailer naming another commit", { mainCommits: [{ sha: PICK, message: `(cherry picked from commit ${OTHER})`, ...lookedInto }] }],
    ["a short trailer that S does not start with", { mainCommits: [{ sha: PICK, message: "(cherry picked from commit abc1235)", ...lookedInto }] }],
    ["a trailer of 6 hex: too short to name a commit", { mainCommits: [{ sha: PICK, message: "(cherry picked from commit abc123)", ...lookedInto }] }],
    ["S's trailer quoted inside a line", { mainCommits: [{ sha: PICK, message: `Reverts "(cherry picked from commit ${S})"`, ...lookedInto }] }],
  ])("%s", (_case, over) => {
    expect(matchMergeBack(facts(over))).toEqual({ done: false, explanation: NOT_DONE });
  });

  test("a commit on main whose patch is unknown (not looked into) could not be verified, and the explanation says so", () => {
    expect(matchMergeBack(facts({ mainCommits: [{ sha: TWIN, message: "Fix" }] }))).toEqual({
      done: false,
      explanation:
        "abc1234 is not on main yet: it is not reachable from main, no commit on main is a cherry-pick of it, " +
        "no pull request with it was merged into main, and no commit on main looked into has the same patch (could not verify 1 more: not looked into).",
    });
  });

  test("S's patch unknown: a commit on main with a patch id is not taken as the same change", () => {
    expect(matchMergeBack(facts({ patchIdOfS: undefined, mainCommits: [twinOfS] }))).toEqual({
      done: false,
      explanation:
        "abc1234 is not on main yet: it is not reachable from main, no commit on main is a cherry-pick of it, " +
        "no pull request with it was merged into main, and its patch was not compared with main's commits.",
    });
  });

  test("no commit on main adds and removes as many lines as S: no patch was compared, and the explanation says why none needed to be", () => {
    expect(matchMergeBack(facts({ patchIdOfS: undefined, countsMatchNone: true, mainCommits: [{ sha: TWIN, message: "Fix a typo", patchId: "" }] }))).toEqual({
      done: false,
      explanation:
        "abc1234 is not on main yet: it is not reachable from main, no commit on main is a cherry-pick of it, " +
        "no pull request with it was merged into main, and no commit on main adds and removes as many lines as it does.",
    });
  });

  test("main's history was cut (more commits in the window than are read): never done on that, and the explanation says what was not looked into", () => {
    expect(matchMergeBack(facts({ patchIdOfS: undefined, countsMatchNone: true, historyCut: true, mainCommits: [{ sha: TWIN, message: "Fix a typo", patchId: "" }] }))).toEqual({
      done: false,
      explanation:
        "abc1234 is not on main yet: it is not reachable from main, no commit on main is a cherry-pick of it, " +
        "no pull request with it was merged into main, no commit on main adds and removes as many lines as it does, " +
        "and could not verify main's older commits of that time: more than were read.",
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
    const upper = { sha: PICK, message: `(cherry picked from commit ${S.toUpperCase()})`, diff: diffs.honestPick };
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
    ["an abbreviated sha", "(cherry picked from commit abc1234)", ["abc1234"]],
    ["the `cherry-picked` spelling", `(cherry-picked from commit ${S})`, [S]],
    ["fewer than 7 hex", "(cherry picked from commit abc123)", []],
    ["a sha longer than 40 hex", `(cherry picked from commit ${S}0)`, []],
    ["other text on the line", `see (cherry picked from commit ${S})`, []],
    ["another wording", `(picked from commit ${S})`, []],
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
  ])("%s", (_case, pull, expected) => {
    expect(isMergedInto(pull, "main")).toBe(expected);
  });
});

describe("notesCherryPickOf: whom a note names", () => {
  test.each<[string, string, boolean]>([
    ["the full sha", `(cherry picked from commit ${S})`, true],
    ["an abbreviation S starts with", "(cherry picked from commit abc1234)", true],
    ["a longer abbreviation S starts with", `(cherry picked from commit ${S.slice(0, 12)})`, true],
    ["the `cherry-picked` spelling", "(cherry-picked from commit ABC1234)", true],
    ["an abbreviation of another commit", "(cherry picked from commit abc1235)", false],
    ["another commit's full sha", `(cherry picked from commit ${OTHER})`, false],
  ])("%s: %s → %s", (_case, message, expected) => {
    expect(notesCherryPickOf(`Fix\n\n${message}`, S)).toBe(expected);
  });
});

describe("matchMergeBack: a note is a claim, a merged pull request a maybe; only a change that contains S's counts", () => {
  /** A commit on main with a note; one whose diff was read was looked into, and its patch is not S's. */
  const noting = (message: string, diff: Buffer | undefined): MainCommit => ({
    sha: PICK,
    message: `Retry charges\n\n${message}\n`,
    ...(diff ? { diff, patchId: "1".repeat(40) } : {}),
  });
  const merged = (mergeDiff: Buffer | undefined): MergedPull => ({ ...squashed, mergeDiff });
  const PICKED = "abc1234 reached main as a cherry-pick: def5678 notes that it was cherry-picked from abc1234, and its change contains abc1234's.";
  const notDone = (cherryPick: string, pulls = "no pull request with it was merged into main", samePatch = "no commit on main has the same patch") =>
    `abc1234 is not on main yet: it is not reachable from main, ${cherryPick}, ${pulls}, and ${samePatch}.`;

  test.each<[string, Partial<MergeBackFacts>, object]>([
    ["an honest note (full sha)", { mainCommits: [noting(`(cherry picked from commit ${S})`, diffs.honestPick)] }, { done: true, way: "cherry-pick", explanation: PICKED }],
    ["an honest abbreviated note", { mainCommits: [noting("(cherry picked from commit abc1234)", diffs.honestPick)] }, { done: true, way: "cherry-pick", explanation: PICKED }],
    ["an honest note spelled `cherry-picked`", { mainCommits: [noting(`(cherry-picked from commit ${S})`, diffs.honestPick)] }, { done: true, way: "cherry-pick", explanation: PICKED }],
    ["an honest note on a pick typed with other whitespace", { mainCommits: [noting("(cherry picked from commit abc1234)", diffs.respacedPick)] }, { done: true, way: "cherry-pick" }],
    [
      "a lying note: the commit changes something else",
      { mainCommits: [noting(`(cherry picked from commit ${S})`, diffs.lyingNote)] },
      { done: false, explanation: notDone("a note is a claim: def5678 says it was cherry-picked from abc1234 but its change does not contain abc1234's") },
    ],
    [
      "a lying abbreviated note: the commit changes S's file, but other lines",
      { mainCommits: [noting("(cherry-picked from commit abc1234)", diffs.otherLines)] },
      { done: false, explanation: notDone("a note is a claim: def5678 says it was cherry-picked from abc1234 but its change does not contain abc1234's") },
    ],
    [
      "two lying notes",
      { mainCommits: [noting(`(cherry picked from commit ${S})`, diffs.lyingNote), { ...noting("(cherry picked from commit abc1234)", diffs.partialPick), sha: OTHER }] },
      { done: false, explanation: notDone("a note is a claim: def5678 and 0123456 say they were cherry-picked from abc1234 but their changes do not contain abc1234's") },
    ],
    [
      "a note on a commit whose diff a bound kept from being read",
      { mainCommits: [noting(`(cherry picked from commit ${S})`, undefined)] },
      {
        done: false,
        explanation: notDone(
          "could not verify the cherry-pick note of def5678: a change it compares was not read",
          undefined,
          "no commit on main looked into has the same patch (could not verify 1 more: not looked into)",
        ),
      },
    ],
    [
      "a note while S's own diff was not read",
      { diffOfS: undefined, mainCommits: [noting(`(cherry picked from commit ${S})`, diffs.honestPick)] },
      { done: false, explanation: notDone("could not verify the cherry-pick note of def5678: a change it compares was not read") },
    ],
    ["a squash-merged pull request whose commit on main contains S's change", { pullsOfS: [merged(diffs.squashWithS)] }, { done: true, way: "squash-or-rebase", commitOnMain: SQUASH }],
    [
      "a pull request that added S and then reverted it",
      { pullsOfS: [merged(diffs.squashReverted)] },
      {
        done: false,
        explanation: notDone(
          "no commit on main is a cherry-pick of it",
          "pull request #12 (merged as 5a5a5a5) put on main no change that contains abc1234's (a pull request that adds a change and then reverts it merges nothing of it)",
        ),
      },
    ],
    [
      "a merged pull request whose commit on main a bound kept from being read",
      { pullsOfS: [merged(undefined)] },
      { done: false, explanation: notDone("no commit on main is a cherry-pick of it", "could not verify what pull request #12 (merged as 5a5a5a5) put on main: a change it compares was not read") },
    ],
  ])("%s", (_case, over, expected) => {
    const match = matchMergeBack(facts(over));
    expect(match).toMatchObject(expected);
    if ("explanation" in expected) expect(match.explanation).toBe(expected.explanation);
  });

  test("a lying note does not hide an honest one: the commit whose change holds is named", () => {
    const lie = { ...noting(`(cherry picked from commit ${S})`, diffs.lyingNote), sha: OTHER };
    expect(matchMergeBack(facts({ mainCommits: [lie, noting("(cherry picked from commit abc1234)", diffs.honestPick)] }))).toMatchObject({
      done: true,
      way: "cherry-pick",
      commitOnMain: PICK,
    });
  });

  test("a reverted pull request does not hide a later one that brought S", () => {
    const later = { ...merged(diffs.squashWithS), number: 13, mergedAt: "2026-11-21T10:00:00Z", mergeCommitSha: OTHER };
    expect(matchMergeBack(facts({ pullsOfS: [merged(diffs.squashReverted), later] }))).toMatchObject({ done: true, commitOnMain: OTHER });
  });

  test("many lying notes are counted, not listed one by one", () => {
    const lies = Array.from({ length: 6 }, (_, i) => ({ ...noting(`(cherry picked from commit ${S})`, diffs.lyingNote), sha: `${i}`.repeat(40) }));
    expect(matchMergeBack(facts({ mainCommits: lies })).explanation).toContain(
      "a note is a claim: 0000000, 1111111, 2222222 and 3 more say they were cherry-picked from abc1234 but their changes do not contain abc1234's",
    );
  });
});
