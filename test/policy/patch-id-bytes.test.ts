import fc from "fast-check";
import { patchId } from "../../src/policy/patch-id.js";
import { gitPatchId, Repo } from "./real-git.js";

const bytes = (...parts: Array<string | number[] | Uint8Array>): Buffer =>
  Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part, "latin1") : Buffer.from(part))));
const lines = (count: number, prefix = "line"): string => Array.from({ length: count }, (_, i) => `${prefix} ${i + 1}\n`).join("");

/**
 * Real commits whose diffs hold what text decoding or a wider idea of whitespace would get wrong.
 * Each is checked against git itself, on the very bytes `git show` (as GitHub's `.diff`) and
 * `git diff-tree -p` print.
 */
describe("patchId(bytes) is git patch-id --stable on the same bytes", () => {
  const repo = new Repo();
  const cases: Array<[string, string, string[]]> = [];
  const commit = (name: string, files: Record<string, string | Uint8Array>, ...showOptions: string[]) => {
    cases.push([name, repo.commit(name, files), showOptions]);
  };

  beforeAll(() => {
    repo.commit("base", {
      "form.txt": lines(5),
      "vtab.txt": lines(5),
      "crlf.txt": lines(5).replace(/\n/g, "\r\n"),
      "latin1.txt": bytes("caf", [0xe9], "\n", lines(3)),
      "tail.txt": "no newline at the end",
      "ends.txt": "ends with a newline\n",
      "old name.txt": lines(10, "kept"),
      "moved.txt": lines(10, "moved"),
      "tool.sh": "echo hi\n",
      "image.bin": bytes([0, 1, 2, 255]),
      "late-nul.txt": lines(2),
    });
    commit("form feeds", { "form.txt": lines(5).replace("line 3\n", "line\f3\n\f\n") });
    commit("vertical tabs", { "vtab.txt": lines(5).replace("line 2\n", "\vline 2\v\n") });
    commit("CRLF line endings", { "crlf.txt": lines(6).replace(/\n/g, "\r\n").replace("line 4\r\n", "line four\r\n") });
    commit("bytes that are not UTF-8", { "latin1.txt": bytes("caf", [0xe9, 0xff], "\n", [0x80, 0xc0, 0xaf, 0xfe], " ok\n", lines(3)) });
    commit("a NUL byte past git's binary sniffing (a line git reads as a C string)", {
      "late-nul.txt": bytes("x".repeat(9000), "\n", "before", [0], "after\n", lines(2)),
    });
    commit("a last line loses its newline, another gains one", { "tail.txt": "no newline at the end, changed", "ends.txt": "ends without one" });
    commit("a binary file, shown as `Binary files differ`", { "image.bin": bytes([0, 1, 2, 3, 254]) });
    commit("a binary file as a `GIT binary patch`", { "image.bin": bytes([0, 9, 9, 255, 0]) }, "--binary");
    commit("a new binary file", { "new.bin": bytes([0, 0, 7]) });
    repo.git("mv", "old name.txt", "new name.txt");
    commit("a rename, no other change", {});
    repo.git("mv", "moved.txt", "renamed.txt");
    commit("a rename with a change", { "renamed.txt": lines(10, "moved").replace("moved 5\n", "moved five\n") });
    repo.chmod("tool.sh", 0o755);
    commit("a mode change", {});
    repo.chmod("tool.sh", 0o644);
    commit("a mode change with a change", { "tool.sh": "echo bye\n" });
    repo.git("rm", "-q", "ends.txt");
    commit("several files: changed, added, deleted, a name with spaces and non-ASCII bytes", {
      "form.txt": "replaced\n",
      "vtab.txt": lines(7),
      "added \u00e9 file.txt": bytes("new\r\n", [0xff], "\n"),
    });
  });

  afterAll(() => repo.remove());

  test.each([
    "form feeds",
    "vertical tabs",
    "CRLF line endings",
    "bytes that are not UTF-8",
    "a NUL byte past git's binary sniffing (a line git reads as a C string)",
    "a last line loses its newline, another gains one",
    "a binary file, shown as `Binary files differ`",
    "a binary file as a `GIT binary patch`",
    "a new binary file",
    "a rename, no other change",
    "a rename with a change",
    "a mode change",
    "a mode change with a change",
    "several files: changed, added, deleted, a name with spaces and non-ASCII bytes",
  ])("%s", (name) => {
    const found = cases.find(([n]) => n === name);
    expect(found).toBeDefined();
    const [, sha, showOptions] = found!;
    for (const diff of [repo.diffOf(sha, ...showOptions), repo.diffTreeOf(sha)]) {
      expect(diff.subarray(0, 11).toString("latin1")).toBe("diff --git ");
      expect(patchId(diff)).toBe(gitPatchId(diff));
    }
  });

  test("the binary patch case really is one", () => {
    const [, sha] = cases.find(([n]) => n === "a binary file as a `GIT binary patch`")!;
    expect(repo.diffOf(sha, "--binary").toString("latin1")).toContain("GIT binary patch");
  });
});

describe("patchId reads bytes as git does, not as text", () => {
  const change = (added: string | number[]) => bytes("diff --git a/x b/x\nindex 1111111..2222222 100644\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+", added, "\n");

  test.each<[string, string | number[], string | number[]]>([
    ["two different bytes that are not UTF-8 (decoding would make both U+FFFD)", [0xff], [0xfe]],
    ["a form feed added (git's whitespace is space, tab, CR and LF only)", "new", "new\f"],
    ["a vertical tab added", "new", "\vnew"],
    ["a non-breaking space added (0xa0 is not whitespace to git)", "new", bytes("new", [0xa0]).toString("latin1")],
  ])("%s is a different change, for git too", (_what, one, other) => {
    expect(patchId(change(one))).not.toBe(patchId(change(other)));
    expect(patchId(change(one))).toBe(gitPatchId(change(one)));
    expect(patchId(change(other))).toBe(gitPatchId(change(other)));
  });

  test("a tab, CR or space added is not a change, for git either", () => {
    expect(patchId(change("n e\tw\r"))).toBe(patchId(change("new")));
    expect(gitPatchId(change("n e\tw\r"))).toBe(gitPatchId(change("new")));
  });

  test.each<[string, Buffer]>([
    ["a line that starts with an object name ends the patch", bytes(change("new"), "0123456789abcdef0123456789abcdef01234567\n", change("other"))],
    ["`commit <object name>` ends it too", bytes(change("new"), "commit 0123456789ABCDEF0123456789abcdef01234567\n", change("other"))],
    ["`diff-tree <object name>` does not (git 2.39)", bytes("diff --git a/x b/x\ndiff-tree 0123456789abcdef0123456789abcdef01234567\n", change("new"))],
    ["a NUL byte hides the rest of its line", bytes(change("new"), "diff --git a/y b/y\n--- a/y\n+++ b/y\n@@ -1 +1 @@\n-a", [0], "hidden\n+b\n")],
    ["an `index` line without a newline at the very end", bytes("diff --git a/x b/x\nindex abc..def")],
    ["an `index` line with long names and a CR", bytes("diff --git a/x b/x\nindex ", "a".repeat(70), "..", "b".repeat(70), "\r\nBinary files a/x and b/x differ\n")],
    ["a hunk count past a 32-bit int", bytes("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,4294967297 +1 @@\n-a\n-b\n+c\n")],
    ["a hunk count past a 64-bit long", bytes("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,99999999999999999999 +1 @@\n-a\n+c\nd\n")],
    ["a hunk count after a vertical tab (atoi skips it)", bytes("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,\v2 +1 @@\n-a\n-b\n+c\n")],
  ])("hostile input: %s, as git reads it", (_what, diff) => {
    expect(patchId(diff)).toBe(gitPatchId(diff));
  });
});

describe("patchId on random contents (fast-check), against git", () => {
  const repo = new Repo();
  afterAll(() => repo.remove());

  /** Heavy in what git's whitespace rule and text decoding get wrong: \t \v \f \r \n, space, bytes above 0x7f. */
  const ALPHABET = [0x09, 0x0b, 0x0c, 0x0d, 0x0a, 0x0a, 0x0a, 0x20, 0x20, 0x61, 0x62, 0x2d, 0x2b, 0x5c, 0x40, 0x80, 0xa0, 0xc3, 0xa9, 0xe2, 0xfe, 0xff];
  const content = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 120 }).map((array) => Buffer.from(array));
  const FILES = ["a.txt", "b c.txt", "\u00e9.txt"];
  const state = fc.tuple(...FILES.map(() => fc.option(content, { nil: undefined })));

  test("whatever two versions of some files are, patchId of their diff is git's", () => {
    fc.assert(
      fc.property(state, state, fc.boolean(), (before, after, binary) => {
        const apply = (versions: Array<Buffer | undefined>) => {
          FILES.forEach((file, i) => {
            const version = versions[i];
            if (version === undefined) repo.unlink(file);
            else repo.write(file, version);
          });
          return repo.commit("state");
        };
        apply(before);
        const sha = apply(after);
        for (const diff of [repo.diffOf(sha, ...(binary ? ["--binary"] : [])), repo.diffTreeOf(sha)]) {
          expect(patchId(diff)).toBe(gitPatchId(diff));
        }
      }),
      { numRuns: 60 },
    );
  });
});
