import { fileChanges, type FileChange } from "./file-changes.js";

/**
 * Whether the `outer` diff's change contains the `inner` diff's change: what proves that a commit
 * on main (a cherry-pick, the commit a pull request put on main) carries commit S's change, when
 * it merely says so or was merged from a branch that held S. Both are git diffs in raw bytes
 * (`git show`, `git diff-tree -p`, GitHub's `.diff`).
 *
 * The rule, for every file the inner diff changes:
 * - the outer diff changes the same path: the path before (for a file S changes, removes or
 *   renames away) and the path after (for a file S changes, adds or renames in);
 * - a file S removes or renames away, the outer removes or renames away too; a file S adds or
 *   renames in, the outer adds or renames in too; a mode S sets, the outer leaves the file with;
 * - every line S removes from a path, the outer removes from that path, and every line S adds to
 *   a path, the outer adds to it: as multisets (a line S adds twice, the outer adds at least
 *   twice), lines compared as `git patch-id` compares them, raw bytes with git's whitespace
 *   (space, tab, CR, LF) taken out. The outer may change more, and may change other files;
 * - a binary file: the outer has the same blob names before and after on its `index` line (the
 *   same object whatever the abbreviation: one name starts with the other, 7 hex at least).
 *
 * Context lines do not count: a cherry-pick lands next to other code. A diff that cannot be read
 * contains nothing and is contained in nothing, and an empty inner change (a merge shown as a
 * combined diff, say) is not proof of anything: the answer is false.
 */
export function containsChange(outer: Uint8Array, inner: Uint8Array): boolean {
  const outerFiles = filesOf(outer);
  const innerFiles = filesOf(inner);
  if (!outerFiles || !innerFiles || innerFiles.length === 0) return false;
  return (
    innerFiles.every((file) => fileContained(file, outerFiles)) &&
    linesWithin(linesByPath(innerFiles, "removed"), linesByPath(outerFiles, "removed")) &&
    linesWithin(linesByPath(innerFiles, "added"), linesByPath(outerFiles, "added"))
  );
}

// The same diff is compared again and again (with each note, each item): it is read once.
const read = new WeakMap<Uint8Array, FileChange[] | undefined>();

function filesOf(diff: Uint8Array): FileChange[] | undefined {
  if (!read.has(diff)) read.set(diff, fileChanges(diff));
  return read.get(diff);
}

function fileContained(file: FileChange, outer: readonly FileChange[]): boolean {
  const { before, after } = file;
  const fromSamePath = before === undefined ? [] : outer.filter((o) => o.before === before);
  const toSamePath = after === undefined ? [] : outer.filter((o) => o.after === after);
  if (before !== undefined && fromSamePath.length === 0) return false;
  if (after !== undefined && toSamePath.length === 0) return false;
  if (before !== undefined && before !== after && !fromSamePath.some((o) => o.after !== before)) return false;
  if (after !== undefined && before !== after && !toSamePath.some((o) => o.before !== after)) return false;
  if (file.setsMode && !toSamePath.some((o) => o.modeAfter === file.modeAfter)) return false;
  const { binary } = file;
  if (!binary) return true;
  return (after === undefined ? fromSamePath : toSamePath).some(
    (o) => o.binary !== undefined && sameBlob(o.binary.before, binary.before) && sameBlob(o.binary.after, binary.after),
  );
}

/** Two names of one blob, maybe abbreviated to different lengths. */
function sameBlob(a: string, b: string): boolean {
  return Math.min(a.length, b.length) >= 7 && (a.startsWith(b) || b.startsWith(a));
}

/** Removed lines belong to the path before, added lines to the path after; counted per path and line. */
function linesByPath(files: readonly FileChange[], side: "removed" | "added"): Map<string, Map<string, number>> {
  const byPath = new Map<string, Map<string, number>>();
  for (const file of files) {
    const path = side === "removed" ? file.before : file.after;
    if (path === undefined) continue;
    const counts = byPath.get(path) ?? new Map<string, number>();
    for (const line of file[side]) counts.set(line, (counts.get(line) ?? 0) + 1);
    byPath.set(path, counts);
  }
  return byPath;
}

function linesWithin(inner: Map<string, Map<string, number>>, outer: Map<string, Map<string, number>>): boolean {
  return [...inner].every(([path, lines]) => [...lines].every(([line, count]) => (outer.get(path)?.get(line) ?? 0) >= count));
}
