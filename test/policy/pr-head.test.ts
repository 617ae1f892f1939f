import { couldNotVerify, type PrCheckDecision } from "../../src/policy/pr-check.js";
import { PULLS_PAGE, SIBLING_LIMIT, siblingsToEvaluate, strictestResult, type ListedPull, type SiblingResult } from "../../src/policy/pr-head.js";

const HEAD = "d".repeat(40);
const PULL = { number: 1, headSha: HEAD };
const BRANCHES = { mainBranch: "main", releaseBranches: ["release/*"], mode: "enforce" as const };
const listed = (number: number, over: Partial<ListedPull> = {}): ListedPull => ({ number, state: "open", headSha: HEAD, baseRef: "release/1.0", ...over });
const many = (n: number, over: Partial<ListedPull> = {}) => Array.from({ length: n }, (_, i) => listed(100 + i, over));

describe("siblingsToEvaluate: the other open pull requests with this head", () => {
  test.each<[string, ListedPull[], number[]]>([
    // case, the pull requests GitHub lists for the head, the siblings evaluated
    ["only this one", [listed(1)], []],
    ["a closed one, one with another head now, and one open", [listed(1), listed(2, { state: "closed" }), listed(3, { headSha: "e".repeat(40) }), listed(4)], [4]],
    ["at the bound into release branches", [listed(1), ...many(SIBLING_LIMIT)], many(SIBLING_LIMIT).map((p) => p.number)],
    ["past the bound, but into main: not judged, so not counted", many(SIBLING_LIMIT + 1, { baseRef: "main" }), many(SIBLING_LIMIT + 1).map((p) => p.number)],
  ])("%s", (_case, pulls, numbers) => {
    expect(siblingsToEvaluate(PULL, pulls, BRANCHES)).toEqual({ siblings: pulls.filter((p) => numbers.includes(p.number)) });
  });

  test.each<[string, ListedPull[], "siblings" | "pulls", typeof BRANCHES.mode | "shadow"]>([
    ["more siblings into release branches than the bound", many(SIBLING_LIMIT + 1), "siblings", "enforce"],
    ["a full page of pull requests", many(PULLS_PAGE, { state: "closed" }), "pulls", "enforce"],
    ["a full page, in shadow mode", many(PULLS_PAGE, { state: "closed" }), "pulls", "shadow"],
  ])("%s: could not verify", (_case, pulls, what, mode) => {
    const limit = what === "pulls" ? PULLS_PAGE : SIBLING_LIMIT;
    expect(siblingsToEvaluate(PULL, pulls, { ...BRANCHES, mode })).toEqual({ decision: couldNotVerify(mode, { what, limit }) });
  });
});

describe("strictestResult: the head's run shows the strictest of its pull requests' results", () => {
  const check = (conclusion: "success" | "neutral" | "failure", summary: string): PrCheckDecision => ({ kind: "check", conclusion, title: conclusion, summary, offending: [] });
  const sibling = (number: number, decision: PrCheckDecision, baseRef = `release/${number}`): SiblingResult => ({ number, baseRef, decision });
  const shown = (number: number, baseRef: string, decision: PrCheckDecision) =>
    decision.kind === "check" && { ...decision, summary: `This commit is also the head of pull request #${number} into \`${baseRef}\`; its result is the strictest, so it is shown.\n\n${decision.summary}` };
  const own = check("success", "own");
  const neutral = check("neutral", "neutral sibling");
  const failing = check("failure", "failing sibling");

  test.each<[string, PrCheckDecision, SiblingResult[], PrCheckDecision | false]>([
    // case, this pull request's result, its siblings', what the run shows
    ["no siblings", own, [], own],
    ["a sibling fails: it is shown, and says whose it is", own, [sibling(2, failing)], shown(2, "release/2", failing)],
    ["a sibling as strict: this one's stays", check("failure", "own"), [sibling(2, failing)], check("failure", "own")],
    ["an easier sibling never overwrites a failure", check("failure", "own"), [sibling(2, own)], check("failure", "own")],
    ["a sibling with no check changes nothing", own, [sibling(2, { kind: "no-check" })], own],
    ["no check here: the sibling's is shown", { kind: "no-check" }, [sibling(2, own)], shown(2, "release/2", own)],
    ["several: the strictest of all", own, [sibling(2, neutral), sibling(3, failing), sibling(4, neutral)], shown(3, "release/3", failing)],
    ["two failing siblings: the first", own, [sibling(2, failing), sibling(3, check("failure", "other"))], shown(2, "release/2", failing)],
    ["a backtick in a base cannot end its code span", own, [sibling(2, failing, "release/`x`")], shown(2, "release/'x'", failing)],
  ])("%s", (_case, mine, siblings, expected) => {
    expect(strictestResult(mine, siblings)).toEqual(expected);
  });
});
