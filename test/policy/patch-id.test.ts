import { chmodSync } from "node:fs";
import { join } from "node:path";
import { patchId } from "../../src/policy/patch-id.js";
import { gitPatchId, Repo } from "./real-git.js";

const lines = (count: number, prefix = "line"): string => Array.from({ length: count }, (_, i) => `${prefix} ${i + 1}\n`).join("");
const code = (indent: string): string => `function f() {\n${indent}const a = 1;\n${indent}return a;\n}\n`;

describe("patchId agrees with git patch-id --stable", () => {
  const repo = new Repo();
  const diffs: Record<string, Buffer> = {};

  beforeAll(() => {
    const base = repo.commit("base", { "app.txt": lines(20), "f.js": code("  "), "old.txt": lines(3, "old"), "tool.sh": "echo hi\n" });
    const fix = repo.commit("fix", { "app.txt": lines(20).replace("line 10\n", "line 10 fixed\n") });
    diffs["a one-line change"] = repo.diffOf(fix);

    // The same fix cherry-picked onto a main that grew 5 lines above it: its hunk moves.
    repo.git("checkout", "-q", "-b", "shifted", base);
    repo.commit("grow", { "app.txt": lines(5, "new") + lines(20) });
    repo.git("cherry-pick", "-x", fix);
    diffs["the same change cherry-picked at other line numbers"] = repo.diffOf("HEAD");

    repo.git("checkout", "-q", "-b", "reindent", base);
    repo.commit("reindent", { "f.js": code("    ") });
    diffs["a whitespace-only reindent"] = repo.diffOf("HEAD");
    repo.commit("fix reindented", { "f.js": code("    ").replace("return a;", "return a + 1;") });
    diffs["a change in reindented code"] = repo.diffOf("HEAD");
    repo.git("checkout", "-q", "main");
    repo.commit("fix original", { "f.js": code("  ").replace("return a;", "return a + 1;") });
    diffs["the same change in the original indentation"] = repo.diffOf("HEAD");

    repo.git("rm", "-q", "old.txt");
    repo.git("mv", "tool.sh", "run.sh");
    chmodSync(join(repo.dir, "run.sh"), 0o755);
    diffs["several files: a change, an addition, a deletion, a rename with a mode change"] = repo.diffOf(
      repo.commit("many", { "app.txt": lines(21), "added.txt": "hello", "z.txt": lines(2) }),
    );
    chmodSync(join(repo.dir, "run.sh"), 0o644);
    diffs["a mode change only"] = repo.diffOf(repo.commit("mode"));
    diffs["a binary file among text files"] = repo.diffOf(
      repo.commit("binary", { "a.txt": "a\n", "image.bin": Buffer.from([0, 1, 2, 255]), "z.txt": lines(3) }),
    );
    diffs["a binary file alone"] = repo.diffOf(repo.commit("binary again", { "image.bin": Buffer.from([0, 9]) }));
  });

  afterAll(() => repo.remove());

  test.each([
    "a one-line change",
    "the same change cherry-picked at other line numbers",
    "a whitespace-only reindent",
    "a change in reindented code",
    "the same change in the original indentation",
    "several files: a change, an addition, a deletion, a rename with a mode change",
    "a mode change only",
    "a binary file among text files",
    "a binary file alone",
  ])("%s", (name) => {
    const diff = diffs[name]!;
    expect(diff.toString("latin1")).toMatch(/^diff --git /);
    expect(patchId(diff)).toBe(gitPatchId(diff));
  });

  test("a cherry-pick onto a shifted main has the same id as the original", () => {
    const original = diffs["a one-line change"]!;
    const picked = diffs["the same change cherry-picked at other line numbers"]!;
    expect(picked.equals(original)).toBe(false);
    expect(patchId(picked)).toBe(patchId(original));
  });

  test("the same change made in differently indented code has the same id", () => {
    expect(patchId(diffs["a change in reindented code"]!)).toBe(patchId(diffs["the same change in the original indentation"]!));
  });

  test("an empty diff has no id, for git and for us", () => {
    expect(gitPatchId("")).toBeUndefined();
    expect(patchId("")).toBeUndefined();
  });
});

describe("patchId on hand-written diffs", () => {
  const diff = (file: string, header: string, body: string): string =>
    `diff --git a/${file} b/${file}\nindex 1111111..2222222 100644\n--- a/${file}\n+++ b/${file}\n${header}\n${body}`;
  const change = diff("x.ts", "@@ -10,3 +10,3 @@ function f() {", " keep\n-old();\n+fixed();\n keep\n");
  const other = diff("y.ts", "@@ -1 +1 @@", "-a\n+b\n");

  test.each([
    ["other line numbers and hunk context", diff("x.ts", "@@ -250,3 +250,3 @@ class C {", " keep\n-old();\n+fixed();\n keep\n")],
    ["other blob names on the index line", change.replace("index 1111111..2222222", "index abcdef0..0fedcba")],
    ["whitespace moved or added inside lines", diff("x.ts", "@@ -10,3 +10,3 @@", " keep\n-  old( );\n+\tfixed() ;\n  keep\n")],
    ["Windows line endings", change.replace(/\n/g, "\r\n")],
    ["a commit message before the diff", `Fix the bug\n\nDetails.\n\n${change}`],
    ["a `\\ No newline at end of file` note", `${change}\\ No newline at end of file\n`],
  ])("the same change with %s has the same id, as git says too", (_what, variant) => {
    expect(patchId(variant)).toBe(patchId(change));
    expect(patchId(variant)).toBe(gitPatchId(variant));
  });

  test.each([
    ["another replacement line", diff("x.ts", "@@ -10,3 +10,3 @@", " keep\n-old();\n+broken();\n keep\n")],
    ["the same lines in another file", diff("z.ts", "@@ -10,3 +10,3 @@", " keep\n-old();\n+fixed();\n keep\n")],
    ["the change reversed", diff("x.ts", "@@ -10,3 +10,3 @@", " keep\n-fixed();\n+old();\n keep\n")],
    ["other context lines", diff("x.ts", "@@ -10,3 +10,3 @@", " other\n-old();\n+fixed();\n keep\n")],
  ])("a different change (%s) has a different id, the one git gives", (_what, variant) => {
    expect(patchId(variant)).not.toBe(patchId(change));
    expect(patchId(variant)).toBe(gitPatchId(variant));
  });

  test("file order does not matter", () => {
    expect(patchId(change + other)).toBe(patchId(other + change));
    expect(patchId(change + other)).toBe(gitPatchId(change + other));
  });

  test.each([
    ["a hunk header without line numbers", change.replace("@@ -10,3 +10,3 @@ function f() {", "@@ -a +b @@")],
    ["an index line without `..`", change.replace("index 1111111..2222222 100644", "index 1111111")],
    ["a hunk header with a bad count", change.replace("@@ -10,3 +10,3 @@ function f() {", "@@ -10,x +10,3 @@")],
    ["a hunk header with a bad second count", change.replace("@@ -10,3 +10,3 @@ function f() {", "@@ -10,3 +10,y @@")],
  ])("malformed input (%s) gets the id git gives it", (_what, text) => {
    expect(patchId(text)).toBe(gitPatchId(text));
  });

  test("the id is git's 40-hex form", () => {
    expect(patchId(change)).toMatch(/^[0-9a-f]{40}$/);
  });

  test("lines after the last hunk that are not another file end the patch", () => {
    expect(patchId(`${change}-- \n2.39.5\n`)).toBe(patchId(change));
    expect(gitPatchId(`${change}-- \n2.39.5\n`)).toBe(gitPatchId(change));
  });

  test.each([
    ["an empty string", ""],
    ["only a commit message", "Fix the bug\n\nNo diff here.\n"],
    ["blank lines", "\n\n\n"],
  ])("%s has no id, for git either", (_what, text) => {
    expect(patchId(text)).toBeUndefined();
    expect(gitPatchId(text)).toBeUndefined();
  });
});
