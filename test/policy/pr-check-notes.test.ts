import { diffsToRead, namedOnMain } from "../../src/policy/pick-notes.js";
import { couldNotVerify, decidePrCheck, type PrCheckDecision, type PrCommit, type PrFacts } from "../../src/policy/pr-check.js";
import { mergeBackScenario } from "./merge-back-scenario.js";

/**
 * SPEC 4: a commit in a pull request into a release branch that is not on main counts only when a
 * cherry-pick note names a commit on main and its change contains that commit's. Real commits:
 * S is on main; `honestPick` is `git cherry-pick -x S` made elsewhere; `lyingNote` notes S but
 * changes only the README.
 */
const scenario = mergeBackScenario();
const { shas, diffs, messages } = scenario;
afterAll(() => scenario.remove());

const S = shas.S;
const short = (sha: string) => sha.slice(0, 7);
/** Another commit known on main whose sha starts as S's does. */
const TWIN = `${S.slice(0, 7)}${"0".repeat(33)}`;
const OFF_MAIN = "b".repeat(40);

const commit = (sha: string, message: string): PrCommit => ({ sha, message, parents: 1 });
const honest = commit(shas.honestPick, messages.honestPick);
const lying = commit(shas.lyingNote, messages.lyingNote);
const noting = (sha: string, note: string) => commit(shas.honestPick, `Retry charges\n\n(${note} from commit ${sha})`);

function facts(commits: PrCommit[], over: Partial<PrFacts> = {}): PrFacts {
  return {
    baseRef: "release/1.2",
    headRef: "backport",
    mainBranch: "main",
    releaseBranches: ["release/*"],
    mode: "enforce",
    commits,
    onMain: new Set([S]),
    diffs: new Map([
      [S, diffs.S],
      [shas.honestPick, diffs.honestPick],
      [shas.lyingNote, diffs.lyingNote],
    ]),
    otherPrs: "success",
    ...over,
  };
}

function asCheck(decision: PrCheckDecision) {
  if (decision.kind !== "check") throw new Error(`expected a check, got ${decision.kind}`);
  return decision;
}

describe("a cherry-pick note counts when it names a commit on main and the pick's change contains that commit's", () => {
  test.each<[string, PrFacts, "success" | "failure", string | undefined]>([
    ["an honest note (git cherry-pick -x)", facts([honest]), "success", undefined],
    ["an honest note, abbreviated, of a commit known on main", facts([noting(short(S), "cherry picked")]), "success", undefined],
    ["the `cherry-picked` spelling, 12 hex", facts([noting(S.slice(0, 12), "cherry-picked")]), "success", undefined],
    ["a lying note: names S, changes something else", facts([lying]), "failure", `its note names ${short(S)} but its change does not contain ${short(S)}'s`],
    ["a note of a commit not on main", facts([noting(OFF_MAIN, "cherry picked")]), "failure", "cherry-pick of bbbbbbb, which is not on main"],
    [
      "an abbreviated note of no commit known on main: never looked up",
      facts([noting("7654321", "cherry picked")]),
      "failure",
      "its note names 7654321, which abbreviates no commit known to be on main (an abbreviated note is not looked up)",
    ],
    [
      "an abbreviated note of two commits known on main",
      facts([noting(short(S), "cherry picked")], { onMain: new Set([S, TWIN]) }),
      "failure",
      `its note names ${short(S)}, which abbreviates more than one commit on main`,
    ],
    [
      "an honest note whose diffs were not read proves nothing",
      facts([honest], { diffs: new Map() }),
      "failure",
      `could not verify its note of ${short(S)}: a change was not read`,
    ],
  ])("%s → %s", (_case, input, conclusion, why) => {
    const decision = asCheck(decidePrCheck(input));
    expect(decision.conclusion).toBe(conclusion);
    expect(decision.offending).toEqual(why ? [{ sha: input.commits[0]!.sha, why }] : []);
  });

  test("one note that holds is enough; when none does, every reason is given", () => {
    const both = (first: string) => commit(shas.lyingNote, `Tidy\n\n(cherry picked from commit ${first})\n(cherry picked from commit ${S})`);
    expect(asCheck(decidePrCheck(facts([commit(shas.honestPick, `${messages.honestPick}(cherry picked from commit ${OFF_MAIN})\n`)]))).conclusion).toBe("success");
    expect(asCheck(decidePrCheck(facts([both(OFF_MAIN)]))).offending).toEqual([
      { sha: shas.lyingNote, why: `cherry-pick of bbbbbbb, which is not on main; its note names ${short(S)} but its change does not contain ${short(S)}'s` },
    ]);
  });

  test("the lying note is listed in the check with its reason and the fix", () => {
    const decision = asCheck(decidePrCheck(facts([honest, lying])));
    expect(decision.title).toBe("1 of 2 commits is not on main");
    expect(decision.summary).toContain(`- \`${short(shas.lyingNote)}\` Tidy the README: its note names ${short(S)} but its change does not contain ${short(S)}'s\n\n**To fix:**`);
  });
});

describe("which diffs the caller reads", () => {
  test("each note that names one commit known on main: the pick's diff and that commit's, once each", () => {
    const notes = [
      { pick: shas.honestPick, noted: S },
      { pick: shas.lyingNote, noted: short(S) },
      { pick: shas.lyingNote, noted: OFF_MAIN },
      { pick: shas.lyingNote, noted: "7654321" },
    ];
    expect(diffsToRead(notes, new Set([S]))).toEqual([shas.honestPick, S, shas.lyingNote]);
    expect(diffsToRead([{ pick: shas.honestPick, noted: short(S) }], new Set([S, TWIN]))).toEqual([]);
  });

  test("an abbreviated note names only commits already known on main", () => {
    expect(namedOnMain(short(S), new Set([S, OFF_MAIN]))).toEqual([S]);
    expect(namedOnMain(short(S), new Set([OFF_MAIN]))).toEqual([]);
    expect(namedOnMain(S, new Set([TWIN]))).toEqual([]);
  });
});

describe("a bound reached: could not verify, never a pass", () => {
  test.each([
    [{ what: "commits", limit: 250 }, "the pull request has more than 250 commits"],
    [{ what: "notes", limit: 20 }, "its commits carry more than 20 cherry-pick notes to check"],
    [{ what: "siblings", limit: 5 }, "its head commit is also the head of more than 5 other open pull requests into release branches"],
    [{ what: "pulls", limit: 100 }, "GitHub lists 100 or more pull requests with its head commit"],
  ] as const)("%j → failure: %s", (unverified, reason) => {
    const decision = asCheck(decidePrCheck(facts([honest], { unverified })));
    expect(decision).toMatchObject({ conclusion: "failure", title: `Could not verify: ${reason}`, offending: [] });
    expect(decision.summary).toContain(`mainline could not verify: ${reason}. It reads no further`);
    expect(couldNotVerify("enforce", unverified)).toEqual(decision);
  });

  test("an exception covers commits it can name: a bound reached still fails", () => {
    const decision = decidePrCheck(facts([lying], { unverified: { what: "commits", limit: 250 }, exception: { incident: 7, grantedBy: "alice" } }));
    expect(asCheck(decision).conclusion).toBe("failure");
  });

  test("in shadow mode it says it would fail, and blocks nothing", () => {
    const decision = asCheck(decidePrCheck(facts([honest], { mode: "shadow", unverified: { what: "commits", limit: 250 } })));
    expect(decision.conclusion).toBe("neutral");
    expect(decision.title).toBe("[shadow] would fail: could not verify: the pull request has more than 250 commits");
    expect(decision.summary).toMatch(/^\*\*Shadow mode:\*\* enforce mode would fail this check; it blocks nothing\.\n\nmainline could not verify: /);
  });
});
