import { changedPaths } from "../../src/policy/file-changes.js";

/** Which files a diff changes: where a copy of that change on main must show (the close gate asks main's history for one of them). */
const bytes = (text: string) => new Uint8Array(Buffer.from(text, "utf8"));

test.each([
  ["one file edited", "diff --git a/pay.js b/pay.js\nindex 1..2 100644\n--- a/pay.js\n+++ b/pay.js\n@@ -1 +1 @@\n-a\n+b\n", ["pay.js"]],
  [
    "two files, the second new",
    "diff --git a/pay.js b/pay.js\n--- a/pay.js\n+++ b/pay.js\n@@ -1 +1 @@\n-a\n+b\ndiff --git a/lib/retry.js b/lib/retry.js\nnew file mode 100644\n--- /dev/null\n+++ b/lib/retry.js\n@@ -0,0 +1 @@\n+retry()\n",
    ["pay.js", "lib/retry.js"],
  ],
  ["a file deleted: the path it had", "diff --git a/old.js b/old.js\ndeleted file mode 100644\n--- a/old.js\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n", ["old.js"]],
  ["a rename: the path it has after", "diff --git a/a.js b/b.js\nsimilarity index 100%\nrename from a.js\nrename to b.js\n", ["b.js"]],
  ["a path outside ASCII, as GitHub takes it", "diff --git a/caf\u00e9.md b/caf\u00e9.md\n--- a/caf\u00e9.md\n+++ b/caf\u00e9.md\n@@ -1 +1 @@\n-a\n+b\n", ["caf\u00e9.md"]],
  [
    "a path git quotes (its bytes in octal)",
    'diff --git "a/caf\\303\\251.md" "b/caf\\303\\251.md"\n--- "a/caf\\303\\251.md"\n+++ "b/caf\\303\\251.md"\n@@ -1 +1 @@\n-a\n+b\n',
    ["caf\u00e9.md"],
  ],
  ["no change at all", "", []],
])("%s", (_case, diff, paths) => {
  expect(changedPaths(bytes(diff))).toEqual(paths);
});

test("what is not a diff names no file (the caller then asks all of main's history)", () => {
  expect(changedPaths(bytes("diff --cc merged.js\n"))).toBeUndefined();
});
