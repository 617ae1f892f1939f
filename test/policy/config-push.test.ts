import { configTouchingCommits, PUSH_COMMITS_LISTED, type PushedCommit } from "../../src/policy/config-push.js";

type Commit = PushedCommit & { id: string };
const commit = (id: string, over: PushedCommit = {}): Commit => ({ id, added: [], modified: [], removed: [], ...over });
const CONFIG = ".github/mainline.yml";
const others = (n: number) => Array.from({ length: n }, (_, i) => commit(`c${i}`, { modified: ["README.md"] }));

describe("configTouchingCommits: may a push to main have changed the config?", () => {
  test.each<[string, Commit[], boolean, string[] | undefined]>([
    // case, the commits the push lists, forced, the commits that touched the file (undefined: the config is not read)
    ["no commit touches it", others(3), false, undefined],
    ["an empty push", [], false, undefined],
    ["added", [commit("a", { added: [CONFIG] })], false, ["a"]],
    ["modified, among others: the touching ones, in order", [commit("a", { modified: [CONFIG] }), ...others(1), commit("b", { modified: [CONFIG] })], false, ["a", "b"]],
    ["removed", [commit("a", { removed: [CONFIG] })], false, ["a"]],
    ["a file of a similar name", [commit("a", { modified: [".github/mainline.yaml", "x/.github/mainline.yml"] })], false, undefined],
    ["a payload that leaves the lists out", [{ id: "a" }], false, undefined],
    ["history rewritten, nothing listed touches it", others(1), true, []],
    ["one commit short of the listed bound", others(PUSH_COMMITS_LISTED - 1), false, undefined],
    ["the list is cut: a commit left out may have touched it", others(PUSH_COMMITS_LISTED), false, []],
  ])("%s", (_case, commits, forced, touching) => {
    expect(configTouchingCommits({ commits, forced })?.map((c) => c.id)).toEqual(touching);
  });
});
