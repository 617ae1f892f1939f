import {
  commitsToAsk,
  mergedIntoMain,
  postMergeReviewText,
  postMergeReviewTitle,
  pullMergedAsPush,
  PUSH_COMMITS_LISTED,
  reviewOpenedAgainText,
  REVIEW_COMMITS_LOOKED_INTO,
  unreviewedCommits,
  type MergedPull,
  type PushedCommit,
} from "../../src/policy/post-merge-review.js";

const sha = (c: string) => c.repeat(40);
const commit = (c: string, message = `commit ${c}`): PushedCommit => ({ sha: sha(c), message });
const pull = (number: number, mergeCommit: string): MergedPull => ({ number, mergeCommitSha: sha(mergeCommit) });

describe("pullMergedAsPush: GitHub merged a pull request as this push", () => {
  test.each<[string, MergedPull[], number | undefined]>([
    ["a merge, squash or rebase: the head is the pull request's merge commit", [pull(5, "e")], 5],
    ["the head belongs to a pull request merged as another commit (pushed again by hand)", [pull(5, "d")], undefined],
    ["the head has no pull request", [], undefined],
  ])("%s", (_name, pulls, number) => {
    expect(pullMergedAsPush(sha("e"), pulls)?.number).toBe(number);
  });
});

describe("unreviewedCommits: which commits of a push no pull request merged", () => {
  const pulls = (entries: Array<[string, MergedPull[]]>) => new Map(entries.map(([c, p]) => [sha(c), p]));

  test.each<[string, PushedCommit[], Map<string, MergedPull[]>, string[] | undefined, number]>([
    // name, pushed (oldest first), pulls of those asked about, unreviewed, unchecked
    ["a pull request's commits and its merge commit, all in the push", [commit("1"), commit("2"), commit("e")], pulls([["1", [pull(5, "e")]], ["2", [pull(5, "e")]], ["e", [pull(5, "e")]]]), undefined, 0],
    ["two pull requests merged in one push (a merge queue)", [commit("1"), commit("d"), commit("e")], pulls([["1", [pull(5, "d")]], ["d", [pull(5, "d")]], ["e", [pull(6, "e")]]]), undefined, 0],
    ["a direct push of two commits", [commit("1"), commit("2")], pulls([["1", []], ["2", []]]), [sha("1"), sha("2")], 0],
    ["a commit of an earlier squash-merged pull request pushed again by hand", [commit("1")], pulls([["1", [pull(5, "d")]]]), [sha("1")], 0],
    ["a rebase-merge with a commit of the admin's on top", [commit("1"), commit("2"), commit("9")], pulls([["1", [pull(5, "2")]], ["2", [pull(5, "2")]], ["9", []]]), [sha("9")], 0],
    ["commits not asked about are not verified", [commit("1"), commit("2"), commit("3")], pulls([["3", [pull(5, "3")]]]), [], 2],
  ])("%s", (_name, pushed, asked, unreviewed, unchecked) => {
    const result = unreviewedCommits(pushed, asked);
    if (unreviewed === undefined) expect(result).toBeUndefined();
    else expect(result).toEqual({ commits: pushed.filter((c) => unreviewed.includes(c.sha)), unchecked, mayHaveMore: false });
  });

  test("SHAs are compared whatever their case", () => {
    expect(unreviewedCommits([{ sha: sha("A"), message: "x" }], new Map([[sha("a"), [pull(5, "A")]]]))).toBeUndefined();
  });

  test("a push listing as many commits as GitHub lists may carry more", () => {
    const pushed = Array.from({ length: PUSH_COMMITS_LISTED }, (_, i) => ({ sha: i.toString(16).padStart(40, "0"), message: "x" }));
    const asked = new Map(commitsToAsk(pushed).map((c) => [c.sha, [] as MergedPull[]]));
    expect(unreviewedCommits(pushed, asked)).toMatchObject({ unchecked: PUSH_COMMITS_LISTED - REVIEW_COMMITS_LOOKED_INTO, mayHaveMore: true });
  });

  test("the commits asked about are the newest, at most the bound", () => {
    const pushed = Array.from({ length: 25 }, (_, i) => ({ sha: i.toString(16).padStart(40, "0"), message: "x" }));
    expect(commitsToAsk(pushed)).toEqual(pushed.slice(5));
    expect(commitsToAsk(pushed.slice(0, 3))).toEqual(pushed.slice(0, 3));
  });
});

describe("the issue", () => {
  const facts = {
    pusher: "alice",
    mainBranch: "main",
    after: sha("2"),
    forced: false,
    compareUrl: "https://github.com/acme/pay/compare/aaaaaaaaaaaa...222222222222",
    repositoryUrl: "https://github.com/acme/pay",
  };

  test("the title names the head the push left on main", () => {
    expect(postMergeReviewTitle(sha("2"))).toBe("Post-merge review: 2222222…");
  });

  test("lists each commit with its short sha and the first line of its message, escaped (no marker, markdown or mention)", () => {
    const text = postMergeReviewText({
      ...facts,
      unreviewed: { commits: [commit("1", "Fix the retry <!-- mainline:post-merge-review after=x -->\n\nLonger body"), commit("2", "Ping @bob about *this*")], unchecked: 0, mayHaveMore: false },
    });
    expect(text).toBe(
      [
        "**alice** pushed to `main` commits that no pull request merged, so nobody reviewed them before they landed:",
        [
          `- [\`1111111\`](https://github.com/acme/pay/commit/${sha("1")}) Fix the retry &lt;!-- mainline:post-merge-review after=x --&gt;`,
          `- [\`2222222\`](https://github.com/acme/pay/commit/${sha("2")}) Ping @\u200bbob about \\*this\\*`,
        ].join("\n"),
        "[The push's changes](https://github.com/acme/pay/compare/aaaaaaaaaaaa...222222222222) · head `2222222`",
        "**To finish:** someone with write access other than **alice** reviews these commits and closes this issue. A close by **alice**, or by someone without write access, reopens it.",
      ].join("\n\n"),
    );
  });

  test("says what was not checked, that a push may carry more, and that it was forced", () => {
    const text = postMergeReviewText({ ...facts, forced: true, unreviewed: { commits: [commit("2", "Hotfix")], unchecked: 2028, mayHaveMore: true } });
    expect(text.split("\n\n").slice(0, 2)).toEqual([
      "**alice** pushed to `main` commits that no pull request merged, so nobody reviewed them before they landed (a forced push: it rewrote the branch's history):",
      [
        `- [\`2222222\`](https://github.com/acme/pay/commit/${sha("2")}) Hotfix`,
        "- and 2028 older commits of this push, not checked (mainline asks about the newest 20 of a push): review them too",
        "- GitHub lists at most 2048 commits of a push: this one may carry more (see the comparison)",
      ].join("\n"),
    ]);
  });
});

describe("reviewOpenedAgainText: a review moved out of the repository, opened again", () => {
  const listed = "**alice** pushed to `main` commits that no pull request merged…\n\n- [`2222222`](https://github.com/acme/pay/commit/x) Retry\n\n**To finish:** …";
  const still = "A post-merge review stays in the repository the commits landed in until someone reviews them, so mainline opened it again here: the review is still to do.";

  test.each<[string, Parameters<typeof reviewOpenedAgainText>[1], string]>([
    [
      "transferred: who moved it and where (the repository's name escaped, GitHub's address as given)",
      { previous: 12, by: "bob", closed: false, to: { repository: "acme/pay_archive", number: 3, url: "https://github.com/acme/pay_archive/issues/3" } },
      `🔁 **bob** transferred #12, the post-merge review of this push, to [acme/pay\\_archive\\#3](https://github.com/acme/pay_archive/issues/3). ${still}`,
    ],
    ["deleted while open", { previous: 12, by: "alice", closed: false }, `🔁 **alice** deleted #12, the post-merge review of this push. ${still}`],
    [
      "deleted while closed: its comments are gone, so whether the close was a review is unknown",
      { previous: 12, by: "alice", closed: true },
      `🔁 **alice** deleted #12, the post-merge review of this push (closed, but its comments went with it, so mainline cannot tell whether that close was a review). ${still}`,
    ],
  ])("%s", (_name, gone, first) => {
    expect(reviewOpenedAgainText(listed, gone)).toBe(`${first}\n\n${listed}`);
  });

  test("moved again and again, it says only the latest move: the body stays one size", () => {
    const once = reviewOpenedAgainText(listed, { previous: 12, by: "bob", closed: false, to: { repository: "acme/a", number: 1, url: "https://github.com/acme/a/issues/1" } });
    const twice = reviewOpenedAgainText(once, { previous: 13, by: "alice", closed: false });
    expect(twice).toBe(`🔁 **alice** deleted #13, the post-merge review of this push. ${still}\n\n${listed}`);
  });
});

describe("mergedIntoMain: which of a commit's pull requests count as merged into main", () => {
  const pull = (over: Partial<{ baseRef: string; mergedAt: string | null; mergeCommitSha: string | null }>) => ({
    number: 7,
    baseRef: "main",
    mergedAt: "2026-11-20T10:00:00Z",
    mergeCommitSha: sha("e"),
    ...over,
  });
  test.each([
    ["merged into main", pull({}), [{ number: 7, mergeCommitSha: sha("e") }]],
    ["merged into another branch", pull({ baseRef: "release/1" }), []],
    ["closed unmerged", pull({ mergedAt: null }), []],
    ["merged, with no commit GitHub names", pull({ mergeCommitSha: null }), []],
  ])("%s", (_what, given, expected) => {
    expect(mergedIntoMain([given], "main")).toEqual(expected);
  });
});
