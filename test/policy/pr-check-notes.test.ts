import { decidePrCheck, shasToVerify, type PrCommit, type PrFacts } from "../../src/policy/pr-check.js";

/** A release-branch commit that is on main (so the check knows it), and a cherry-pick of it on the release branch. */
const KNOWN_ON_MAIN = "1234567890abcdef1234567890abcdef12345678";
const PICK = "f".repeat(40);
const OFF_MAIN = "b".repeat(40);

const commit = (sha: string, message: string): PrCommit => ({ sha, message, parents: 1 });

function facts(commits: PrCommit[]): PrFacts {
  return {
    baseRef: "release/1.2",
    headRef: "fix",
    mainBranch: "main",
    releaseBranches: ["release/*"],
    mode: "enforce",
    commits,
    onMain: new Set([KNOWN_ON_MAIN]),
    otherPrs: "success",
  };
}

describe("pr-check: cherry-pick notes, full or abbreviated, either spelling", () => {
  test.each<[string, string, "success" | "failure"]>([
    ["an abbreviated note of a commit known on main", "(cherry picked from commit 1234567)", "success"],
    ["the `cherry-picked` spelling", "(cherry-picked from commit 1234567890ab)", "success"],
    ["an abbreviation that names no commit known on main", "(cherry picked from commit 7654321)", "failure"],
  ])("%s → %s", (_case, note, conclusion) => {
    expect(decidePrCheck(facts([commit(PICK, `Fix\n\n${note}`)]))).toMatchObject({ kind: "check", conclusion });
  });

  test("an abbreviated note is never asked about: GitHub would take a branch or tag of that name for it", () => {
    expect(shasToVerify([commit(PICK, `Fix\n\n(cherry picked from commit 1234567)\n(cherry-picked from commit ${OFF_MAIN})`)])).toEqual([PICK, OFF_MAIN]);
  });
});
