import {
  CHECK_SUMMARY_LIMIT,
  CHECK_TITLE_LIMIT,
  decidePrCheck,
  judgesCommits,
  notesToVerify,
  shasToAsk,
  type PrCheckDecision,
  type PrCommit,
  type PrFacts,
} from "../../src/policy/pr-check.js";

const ON_MAIN = "a".repeat(40);
const OFF_MAIN = "b".repeat(40);
const SOURCE_ON_MAIN = "c".repeat(40);
const SOURCE_OFF_MAIN = "d".repeat(40);
const PICK_OF_ON_MAIN = "e".repeat(40);
const PICK_OF_OFF_MAIN = "f".repeat(40);
const MERGE = "9".repeat(40);

const commit = (sha: string, message: string, parents = 1): PrCommit => ({ sha, message, parents });
const trailer = (source: string) => `\n\n(cherry picked from commit ${source})`;
/** One change, as both a commit on main and its cherry-picks show it: each pick's change contains its source's. */
const FIX = new TextEncoder().encode("diff --git a/pay.js b/pay.js\nindex 1111111..2222222 100644\n--- a/pay.js\n+++ b/pay.js\n@@ -1 +1 @@\n-charge()\n+charge({ retry: true })\n");

const commits = {
  onMain: commit(ON_MAIN, "Fix checkout total"),
  offMain: commit(OFF_MAIN, "Patch prod directly\n\nlong body"),
  pickOfOnMain: commit(PICK_OF_ON_MAIN, `Fix rounding${trailer(SOURCE_ON_MAIN)}`),
  pickOfOffMain: commit(PICK_OF_OFF_MAIN, `Quick fix${trailer(SOURCE_OFF_MAIN)}`),
  merge: commit(MERGE, "Merge branch 'main' into release/1.2", 2),
};

function facts(over: Partial<PrFacts> = {}): PrFacts {
  return {
    baseRef: "release/1.2",
    headRef: "fix-checkout",
    mainBranch: "main",
    releaseBranches: ["release/*"],
    mode: "enforce",
    commits: [commits.onMain],
    onMain: new Set([ON_MAIN, SOURCE_ON_MAIN]),
    diffs: new Map([SOURCE_ON_MAIN, PICK_OF_ON_MAIN, PICK_OF_OFF_MAIN].map((sha) => [sha, FIX])),
    otherPrs: "success",
    ...over,
  };
}

function asCheck(decision: PrCheckDecision) {
  if (decision.kind !== "check") throw new Error(`expected a check, got ${decision.kind}`);
  return decision;
}

describe("decidePrCheck: which pull requests are judged, and the conclusion", () => {
  test.each([
    // case, conclusion (or no-check), facts
    ["release PR, commit on main", "success", facts()],
    ["release PR, -x cherry-pick of a commit on main", "success", facts({ commits: [commits.pickOfOnMain] })],
    ["release PR, commit not on main", "failure", facts({ commits: [commits.offMain] })],
    ["release PR, cherry-pick of a commit not on main", "failure", facts({ commits: [commits.pickOfOffMain] })],
    ["release PR, one bad commit among good ones", "failure", facts({ commits: [commits.onMain, commits.offMain, commits.pickOfOnMain] })],
    ["release PR, a merge commit not on main is not judged", "success", facts({ commits: [commits.onMain, commits.merge] })],
    ["release PR, no commits", "success", facts({ commits: [] })],
    ["release PR, bad commit under an exception", "neutral", facts({ commits: [commits.offMain], exception: { incident: 7, grantedBy: "octocat" } })],
    ["release PR, good commits with an exception: nothing needs it", "success", facts({ exception: { incident: 7, grantedBy: "octocat" } })],
    ["release PR, bad commit, shadow mode", "neutral", facts({ commits: [commits.offMain], mode: "shadow" })],
    ["release PR, good commit, shadow mode", "success", facts({ mode: "shadow" })],
    ["nested release branch matches release/*", "failure", facts({ baseRef: "release/2026/11", commits: [commits.offMain] })],
    ["release branch globs are case-sensitive", "success", facts({ baseRef: "Release/1.2", commits: [commits.offMain] })],
    ["another configured release pattern", "failure", facts({ baseRef: "stable-7", releaseBranches: ["release/*", "stable-?"], commits: [commits.offMain] })],
    ["hotfix/* into main", "success", facts({ baseRef: "main", headRef: "hotfix/checkout", commits: [commits.offMain] })],
    ["hotfix/* into main, otherPrs none: still checked", "success", facts({ baseRef: "main", headRef: "hotfix/checkout", otherPrs: "none" })],
    ["hotfix/* into main, shadow mode", "success", facts({ baseRef: "main", headRef: "hotfix/checkout", mode: "shadow" })],
    ["feature into main", "success", facts({ baseRef: "main", headRef: "feature/x", commits: [commits.offMain] })],
    ["feature into main, otherPrs none", "no-check", facts({ baseRef: "main", headRef: "feature/x", otherPrs: "none" })],
    ["into another branch", "success", facts({ baseRef: "develop", commits: [commits.offMain] })],
    ["into another branch, otherPrs none", "no-check", facts({ baseRef: "develop", otherPrs: "none" })],
    ["Hotfix/ (other case) into main is not a hotfix branch", "no-check", facts({ baseRef: "main", headRef: "Hotfix/x", otherPrs: "none" })],
    ["main matching a release pattern is still main", "success", facts({ baseRef: "main", releaseBranches: ["*"], commits: [commits.offMain] })],
    ["a custom main branch", "success", facts({ baseRef: "trunk", mainBranch: "trunk", headRef: "hotfix/y", commits: [commits.offMain] })],
  ] as const)("%s → %s", (_case, expected, input) => {
    const decision = decidePrCheck(input);
    expect(decision.kind === "no-check" ? "no-check" : decision.conclusion).toBe(expected);
  });
});

describe("decidePrCheck: what the check run says", () => {
  test("a failure lists each offending commit, why, and the fix", () => {
    const decision = asCheck(decidePrCheck(facts({ commits: [commits.onMain, commits.offMain, commits.pickOfOffMain, commits.pickOfOnMain] })));
    expect(decision.title).toBe("2 of 4 commits are not on main");
    expect(decision.summary).toBe(
      [
        "Release branches take only commits already on `main`. In this pull request into `release/1.2`:",
        "- `bbbbbbb` Patch prod directly: not on main\n" + "- `fffffff` Quick fix: cherry-pick of ddddddd, which is not on main",
        "**To fix:** bring each change to `main` first, then cherry-pick it here with `-x`, which records the commit it came from:",
        "```sh\n" +
          "# 1. merge the change into main first (a pull request into main), then\n" +
          "# 2. on a branch from release/1.2, cherry-pick the commit that landed on main:\n" +
          "git cherry-pick -x <sha on main>\n" +
          "```",
      ].join("\n\n"),
    );
    expect(decision.offending).toEqual([
      { sha: OFF_MAIN, why: "not on main" },
      { sha: PICK_OF_OFF_MAIN, why: "cherry-pick of ddddddd, which is not on main" },
    ]);
  });

  test("a single offending commit reads in the singular", () => {
    expect(asCheck(decidePrCheck(facts({ commits: [commits.offMain] }))).title).toBe("1 of 1 commit is not on main");
  });

  test("a cherry-pick of a cherry-pick is fine when either source is on main, and names both when neither is", () => {
    const twice = (sources: string[]) => commit(PICK_OF_OFF_MAIN, `Backport${sources.map(trailer).join("")}`);
    expect(asCheck(decidePrCheck(facts({ commits: [twice([SOURCE_OFF_MAIN, SOURCE_ON_MAIN])] }))).conclusion).toBe("success");
    const decision = asCheck(decidePrCheck(facts({ commits: [twice([SOURCE_OFF_MAIN, OFF_MAIN])] })));
    expect(decision.offending).toEqual([{ sha: PICK_OF_OFF_MAIN, why: "cherry-pick of ddddddd and bbbbbbb, which are not on main" }]);
  });

  test("a commit that is itself on main needs no trailer, even if it names a source off main", () => {
    const decision = decidePrCheck(facts({ commits: [commit(ON_MAIN, `Fix${trailer(SOURCE_OFF_MAIN)}`)] }));
    expect(asCheck(decision).conclusion).toBe("success");
  });

  test("shas compare case-insensitively", () => {
    const decision = decidePrCheck(facts({ commits: [commit(ON_MAIN.toUpperCase(), "Fix")], onMain: new Set([ON_MAIN]) }));
    expect(asCheck(decision).conclusion).toBe("success");
  });

  test("a success says every commit comes from main", () => {
    const decision = asCheck(decidePrCheck(facts({ commits: [commits.onMain, commits.pickOfOnMain] })));
    expect(decision).toEqual({
      kind: "check",
      conclusion: "success",
      title: "All 2 commits come from main",
      summary: "Every commit in this pull request into `release/1.2` is on `main` or a `git cherry-pick -x` of a commit on `main`.",
      offending: [],
    });
    expect(asCheck(decidePrCheck(facts())).title).toBe("The commit comes from main");
  });

  test("merge commits are said not to be judged", () => {
    const ok = asCheck(decidePrCheck(facts({ commits: [commits.onMain, commits.merge] })));
    expect(ok.summary).toBe(
      "Every commit in this pull request into `release/1.2` is on `main` or a `git cherry-pick -x` of a commit on `main`.\n\n" +
        "Merge commits are not judged; their parents are.",
    );
    const bad = asCheck(decidePrCheck(facts({ commits: [commits.offMain, commits.merge] })));
    expect(bad.title).toBe("1 of 1 commit is not on main");
    expect(bad.summary).toContain("- `bbbbbbb` Patch prod directly: not on main\n\nMerge commits are not judged; their parents are.\n\n**To fix:**");
    expect(asCheck(decidePrCheck(facts({ commits: [commits.merge] })))).toMatchObject({
      conclusion: "success",
      title: "Only merge commits: nothing to judge",
    });
  });

  test("an empty pull request into a release branch passes with no commits", () => {
    expect(decidePrCheck(facts({ commits: [] }))).toEqual({
      kind: "check",
      conclusion: "success",
      title: "No commits",
      summary: "No commits: nothing to check.",
      offending: [],
    });
  });

  test("under an exception: neutral, names the incident, lists the offenders anyway, and no fix is asked for", () => {
    const decision = asCheck(decidePrCheck(facts({ commits: [commits.offMain, commits.merge], exception: { incident: 42, grantedBy: "octocat" } })));
    expect(decision.title).toBe("1 of 1 commit is not on main; allowed by the exception in incident #42");
    expect(decision.summary).toBe(
      "These commits into `release/1.2` are not on `main`, but the exception **octocat** granted in incident #42 covers this pull request. " +
        "When it merges, each gets a merge-back issue in incident #42:\n\n" +
        "- `bbbbbbb` Patch prod directly: not on main\n\n" +
        "Merge commits are not judged; their parents are.",
    );
    expect(decision.offending).toEqual([{ sha: OFF_MAIN, why: "not on main" }]);
  });

  test("shadow mode: neutral, says it would fail, and still shows the offenders and the fix", () => {
    const decision = asCheck(decidePrCheck(facts({ commits: [commits.offMain], mode: "shadow" })));
    expect(decision.title).toBe("[shadow] would fail: 1 of 1 commit is not on main");
    expect(decision.summary).toMatch(
      /^\*\*Shadow mode:\*\* enforce mode would fail this check; it blocks nothing\.\n\nRelease branches take only commits already on `main`\. In this pull request into `release\/1\.2`:\n\n- `bbbbbbb` Patch prod directly: not on main\n\n\*\*To fix:\*\*/,
    );
    expect(decision.offending).toEqual([{ sha: OFF_MAIN, why: "not on main" }]);
  });

  test("a hotfix into main says merging it resolves its merge-back items", () => {
    expect(decidePrCheck(facts({ baseRef: "main", headRef: "hotfix/checkout" }))).toEqual({
      kind: "check",
      conclusion: "success",
      title: "Hotfix into main",
      summary: "Hotfix into `main` from `hotfix/checkout`: merging it resolves its merge-back items.",
      offending: [],
    });
  });

  test.each([
    ["into main", facts({ baseRef: "main", headRef: "feature/x" }), "Into main: nothing to check", "A pull request into `main` is how a change reaches `main`: nothing to check."],
    [
      "into another branch",
      facts({ baseRef: "develop" }),
      "Not a release branch: nothing to check",
      "`develop` is not a release branch (`release/*`): only pull requests into release branches must carry commits already on `main`.",
    ],
    [
      "with no release branches configured",
      facts({ releaseBranches: [] }),
      "Not a release branch: nothing to check",
      "`release/1.2` is not a release branch (none configured): only pull requests into release branches must carry commits already on `main`.",
    ],
  ])("other pull requests get a one-line success (%s)", (_case, input, title, summary) => {
    const decision = asCheck(decidePrCheck(input));
    expect(decision).toMatchObject({ conclusion: "success", title, summary });
    expect(decision.summary).not.toContain("\n");
  });

  test("commit messages and branch names are shown inert", () => {
    const hostile = commit(OFF_MAIN, "<img src=x> @octocat fixes #1 | `rm`\nsecond line");
    const decision = asCheck(decidePrCheck(facts({ baseRef: "release/```x", commits: [hostile] })));
    expect(decision.summary).toContain("- `bbbbbbb` &lt;img src=x&gt; @\u200boctocat fixes \\#1 \\| \\`rm\\`: not on main\n");
    expect(decision.summary).not.toContain("second line");
    expect(decision.summary).toContain("into `release/'''x`:");
    expect(decision.summary).toContain("````sh\n# 1. merge the change into main first (a pull request into main), then\n# 2. on a branch from release/```x,");
  });
});

describe("decidePrCheck: GitHub's output limits", () => {
  const many = (n: number, message = "Patch prod directly") =>
    Array.from({ length: n }, (_, i) => commit(i.toString(16).padStart(40, "0"), `${message} ${i}`));

  test("thousands of offending commits: the summary fits, ends with the fix, and counts the rest", () => {
    const input = facts({ commits: many(5000, "x".repeat(200)) });
    const decision = asCheck(decidePrCheck(input));
    const size = new TextEncoder().encode(decision.summary).length;
    expect(size).toBeLessThanOrEqual(CHECK_SUMMARY_LIMIT);
    expect(size).toBeGreaterThan(CHECK_SUMMARY_LIMIT - 200);
    const listed = decision.summary.split("\n").filter((line) => line.startsWith("- `")).length;
    expect(decision.summary).toContain(`\n…and ${5000 - listed} more\n\n**To fix:**`);
    expect(decision.summary).toMatch(/```\n?$/);
    expect(decision.offending).toHaveLength(5000);
    expect(decision.title).toBe("5000 of 5000 commits are not on main");
  });

  test("multi-byte messages are counted in bytes, so the summary still fits", () => {
    const decision = asCheck(decidePrCheck(facts({ commits: many(3000, "🚀".repeat(100)) })));
    expect(new TextEncoder().encode(decision.summary).length).toBeLessThanOrEqual(CHECK_SUMMARY_LIMIT);
    expect(decision.summary).toMatch(/\n…and \d+ more\n/);
  });

  test("a list that fits is not cut", () => {
    const decision = asCheck(decidePrCheck(facts({ commits: many(100) })));
    expect(decision.summary).not.toContain("more");
    expect(decision.summary.split("\n").filter((line) => line.startsWith("- `"))).toHaveLength(100);
  });

  test("a title stays one line within 1000 characters, even with a huge main branch name", () => {
    const decision = asCheck(decidePrCheck(facts({ mainBranch: "m".repeat(2000), commits: [commits.offMain] })));
    expect(decision.title.length).toBeLessThanOrEqual(CHECK_TITLE_LIMIT);
    expect(decision.title).toMatch(/^1 of 1 commit is not on m+…$/);
  });
});

describe("judgesCommits: whether the caller needs the commits at all", () => {
  test.each([
    ["release/1.2", "main", ["release/*"], true],
    ["main", "main", ["*"], false],
    ["develop", "main", ["release/*"], false],
    ["RELEASE/1", "main", ["release/*"], false],
  ] as const)("%s (main %s, %j) → %s", (baseRef, mainBranch, releaseBranches, judged) => {
    expect(judgesCommits({ baseRef, mainBranch, releaseBranches })).toBe(judged);
  });
});

describe("notesToVerify and shasToAsk: what the caller reads to judge the notes", () => {
  test("the notes of judged commits that are not on main, once each; a commit on main and a merge commit need none", () => {
    const picked = commit(PICK_OF_ON_MAIN, `One${trailer(SOURCE_ON_MAIN)}${trailer(SOURCE_ON_MAIN)}`);
    const alsoPicked = commit(PICK_OF_OFF_MAIN, `Two${trailer(SOURCE_OFF_MAIN)}${trailer(ON_MAIN)}`);
    const onMainWithNote = commit(ON_MAIN, `Three${trailer(SOURCE_OFF_MAIN)}`);
    const mergeWithNote = commit(MERGE, `Merge${trailer(SOURCE_OFF_MAIN)}`, 2);
    expect(notesToVerify([onMainWithNote, picked, alsoPicked, mergeWithNote], new Set([ON_MAIN]))).toEqual([
      { pick: PICK_OF_ON_MAIN, noted: SOURCE_ON_MAIN },
      { pick: PICK_OF_OFF_MAIN, noted: SOURCE_OFF_MAIN },
      { pick: PICK_OF_OFF_MAIN, noted: ON_MAIN },
    ]);
  });

  test("GitHub is asked about each commit named in full and not in the pull request, once: the pull request's own are known from its compare", () => {
    const notes = [
      { pick: PICK_OF_ON_MAIN, noted: SOURCE_ON_MAIN },
      { pick: PICK_OF_OFF_MAIN, noted: SOURCE_ON_MAIN },
      { pick: PICK_OF_OFF_MAIN, noted: ON_MAIN },
      { pick: PICK_OF_OFF_MAIN, noted: "ccccccc" },
    ];
    expect(shasToAsk(notes, [commits.onMain, commits.pickOfOnMain, commits.pickOfOffMain])).toEqual([SOURCE_ON_MAIN]);
  });

  test("shas are lowercased, as GitHub returns them", () => {
    const picked = commit(PICK_OF_OFF_MAIN.toUpperCase(), `x${trailer(SOURCE_OFF_MAIN.toUpperCase())}`);
    expect(notesToVerify([picked], new Set())).toEqual([{ pick: PICK_OF_OFF_MAIN, noted: SOURCE_OFF_MAIN }]);
  });

  test("no commits, nothing to ask", () => {
    expect(notesToVerify([], new Set())).toEqual([]);
    expect(shasToAsk([], [])).toEqual([]);
  });
});
