import { containsChange } from "../../src/policy/change-contains.js";
import { patchId } from "../../src/policy/patch-id.js";
import { mergeBackScenario } from "./merge-back-scenario.js";

/** Every diff here is a real commit's `git show --format=` output (see merge-back-scenario.ts). */
describe("containsChange(outer, inner): does the commit on main carry S's change?", () => {
  const scenario = mergeBackScenario();
  const { diffs } = scenario;
  afterAll(() => scenario.remove());

  test.each<[string, keyof typeof diffs, keyof typeof diffs, boolean]>([
    ["an honest `git cherry-pick -x` onto a main that moved (other line numbers, other context)", "honestPick", "S", true],
    ["the same fix typed with other whitespace (as git patch-id compares lines)", "respacedPick", "S", true],
    ["a squash-merged pull request that holds S and more", "squashWithS", "S", true],
    ["a note on a commit that changes something else", "lyingNote", "S", false],
    ["a note on a commit that changes S's file, but other lines", "otherLines", "S", false],
    ["a pick that leaves out one of S's files", "partialPick", "S", false],
    ["a pull request that added S and then reverted it", "squashReverted", "S", false],
    ["a line with a byte that is not UTF-8, picked", "bytesPick", "bytesS", true],
    ["the same line with another byte that is not UTF-8 (equal once decoded)", "bytesLie", "bytesS", false],
    ["a line S adds twice, picked", "twicePick", "twiceS", true],
    ["a line S adds twice, added once (lines count as a multiset)", "onceOnly", "twiceS", false],
    ["a binary change, picked (the same blobs)", "binaryPick", "binaryS", true],
    ["a binary change to other bytes (other blobs)", "binaryOther", "binaryS", false],
    ["a rename with an edit, picked", "renamePick", "renameS", true],
    ["the edit made without the rename", "renameEditOnly", "renameS", false],
    ["a deletion, picked", "deletePick", "deleteS", true],
    ["the file emptied but kept", "emptiedOnly", "deleteS", false],
    ["a mode change, picked", "modePick", "modeS", true],
    ["an edit of the file without the mode change", "modeEditOnly", "modeS", false],
  ])("%s → %s", (_case, outer, inner, expected) => {
    expect(containsChange(diffs[outer], diffs[inner])).toBe(expected);
  });

  test("the cases are what they say: the honest pick is another diff with S's patch id; the byte lie reads the same once decoded", () => {
    expect(diffs.honestPick.equals(diffs.S)).toBe(false);
    expect(patchId(diffs.honestPick)).toBe(patchId(diffs.S));
    const addedLines = (diff: Buffer) => diff.toString("utf8").split("\n").filter((line) => line.startsWith("+") && !line.startsWith("+++"));
    expect(addedLines(diffs.bytesLie)).toEqual(addedLines(diffs.bytesS));
    expect(patchId(diffs.bytesLie)).not.toBe(patchId(diffs.bytesS));
  });

  test("a change contains itself; a bigger one contains a smaller one, not the other way round", () => {
    expect(containsChange(diffs.S, diffs.S)).toBe(true);
    expect(containsChange(diffs.squashWithS, diffs.S)).toBe(true);
    expect(containsChange(diffs.S, diffs.squashWithS)).toBe(false);
  });

  test.each<[string, Buffer]>([
    ["an empty change (an empty commit: proves nothing)", diffs.emptyS],
    ["bytes that are not a diff", Buffer.from("Fix the outage\n\nNo diff here.\n")],
    ["a combined diff of a merge", Buffer.from("diff --cc pay.js\nindex 1111111,2222222..3333333\n--- a/pay.js\n+++ b/pay.js\n@@@ -1,1 -1,1 +1,1 @@@\n- a\n -b\n++c\n")],
    ["a hunk whose lines do not add up", Buffer.from("diff --git a/x b/x\nindex 1111111..2222222 100644\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n-a\n+b\n")],
  ])("nothing is proven by %s", (_case, diff) => {
    expect(containsChange(diffs.S, diff)).toBe(false);
    expect(containsChange(diff, diffs.S)).toBe(false);
  });
});
