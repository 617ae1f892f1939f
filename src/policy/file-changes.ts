import { withoutGitSpace } from "./git-space.js";

/**
 * One file's part of a diff, as far as what it changes: its path before and after (undefined
 * where the file does not exist), the mode it gives the file, and the lines it removes and adds.
 * Paths and lines are raw bytes held as latin1 strings (one character per byte), so they can be
 * compared and counted without ever being decoded.
 */
export type FileChange = {
  before: string | undefined;
  after: string | undefined;
  /** The mode the file has afterwards, when the diff says (`new mode`, `new file mode`, or the `index` line's). */
  modeAfter: string | undefined;
  /** Whether the diff sets the mode (a new file, or `new mode`): then the mode is part of the change. */
  setsMode: boolean;
  /** Each removed and added line with git's whitespace taken out, as `git patch-id` compares lines. */
  removed: string[];
  added: string[];
  /** A binary file's change: the blob names on its `index` line. */
  binary: { before: string; after: string } | undefined;
};

/**
 * Reads a git diff (`git show`, `git diff-tree -p`, GitHub's `.diff`) into its files. Undefined
 * when the bytes are not such a diff (a combined diff of a merge, a hunk whose lines do not add
 * up, a header it cannot place): what cannot be read proves nothing.
 */
export function fileChanges(diff: Uint8Array): FileChange[] | undefined {
  const lines = splitLines(Buffer.from(diff.buffer, diff.byteOffset, diff.byteLength).toString("latin1"));
  const files: FileChange[] = [];
  let i = 0;
  // Whatever precedes the first file (a commit message) is not part of the change; a diff of another kind is not read.
  while (i < lines.length && !lines[i]!.startsWith("diff --git ")) {
    if (lines[i]!.startsWith("diff ")) return undefined;
    i++;
  }
  while (i < lines.length) {
    const read = readFile(lines, i);
    if (!read) return undefined;
    files.push(read.file);
    i = read.next;
  }
  return files;
}

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

type Header = { names: [string, string] | undefined; from?: string; to?: string; created: boolean; deleted: boolean; newMode?: string; indexMode?: string; blobs?: [string, string] };

/** One file from its `diff --git` line at `start` to the next file's. */
function readFile(lines: string[], start: number): { file: FileChange; next: number } | undefined {
  const header: Header = { names: gitDiffNames(lines[start]!.slice("diff --git ".length)), created: false, deleted: false };
  let i = start + 1;
  const removed: string[] = [];
  const added: string[] = [];
  let binary = false;
  for (; i < lines.length && !lines[i]!.startsWith("diff --git "); i++) {
    const line = lines[i]!;
    if (line.startsWith("--- ")) {
      if (!lines[i + 1]?.startsWith("+++ ")) return undefined;
      const end = readHunks(lines, i + 2, removed, added);
      if (end === undefined) return undefined;
      i = end - 1;
    } else if (line.startsWith("Binary files ")) {
      binary = true;
    } else if (line === "GIT binary patch") {
      binary = true;
      // Its data lines are base85 and blank lines, none of which can look like `diff --git `.
      while (i + 1 < lines.length && !lines[i + 1]!.startsWith("diff --git ")) i++;
    } else if (!readHeaderLine(line, header)) {
      return undefined;
    }
  }
  const before = header.created ? undefined : (header.from ?? header.names?.[0]);
  const after = header.deleted ? undefined : (header.to ?? header.names?.[1]);
  if (before === undefined && after === undefined) return undefined;
  if (binary && !header.blobs) return undefined;
  return {
    file: {
      before,
      after,
      modeAfter: header.deleted ? undefined : (header.newMode ?? header.indexMode),
      setsMode: header.newMode !== undefined,
      removed,
      added,
      binary: binary ? { before: header.blobs![0], after: header.blobs![1] } : undefined,
    },
    next: i,
  };
}

/** Takes one extended header line into `header`; false for a line no git diff header has, or a name it cannot read. */
function readHeaderLine(line: string, header: Header): boolean {
  const field = (prefix: string) => (line.startsWith(prefix) ? line.slice(prefix.length) : undefined);
  const mode = field("new file mode ") ?? field("new mode ");
  if (mode !== undefined) {
    header.created ||= line.startsWith("new file mode ");
    header.newMode = mode;
    return true;
  }
  if (line.startsWith("deleted file mode ")) {
    header.deleted = true;
    return true;
  }
  const from = field("rename from ") ?? field("copy from ");
  if (from !== undefined) return (header.from = unquote(from)) !== undefined;
  const to = field("rename to ") ?? field("copy to ");
  if (to !== undefined) return (header.to = unquote(to)) !== undefined;
  const index = /^index ([0-9a-f]+)\.\.([0-9a-f]+)(?: ([0-7]+))?$/.exec(line);
  if (index) {
    header.blobs = [index[1]!, index[2]!];
    header.indexMode = index[3];
    return true;
  }
  return /^(old mode |similarity index |dissimilarity index )/.test(line);
}

/**
 * Reads hunks from `start` into `removed` and `added`, each hunk exactly as long as its header
 * says (so a removed line that reads `--- x` is not taken for a header). Returns where the next
 * file starts, or undefined when a hunk's lines do not add up.
 */
function readHunks(lines: string[], start: number, removed: string[], added: string[]): number | undefined {
  let i = start;
  while (i < lines.length && !lines[i]!.startsWith("diff --git ")) {
    const counts = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(lines[i]!);
    if (!counts) return undefined;
    let before = Number(counts[1] ?? 1);
    let after = Number(counts[2] ?? 1);
    for (i++; before > 0 || after > 0 || lines[i]?.startsWith("\\") === true; i++) {
      const line = lines[i];
      if (line === undefined) return undefined;
      const content = line.slice(1);
      if (line.startsWith(" ")) {
        before--;
        after--;
      } else if (line.startsWith("-")) {
        before--;
        removed.push(comparable(content));
      } else if (line.startsWith("+")) {
        after--;
        added.push(comparable(content));
      } else if (!line.startsWith("\\")) {
        return undefined;
      }
      if (before < 0 || after < 0) return undefined;
    }
  }
  return i;
}

function comparable(content: string): string {
  return withoutGitSpace(Buffer.from(content, "latin1")).toString("latin1");
}

/**
 * The two names of `diff --git a/<name> b/<name>`, without their prefixes. When the names differ
 * (a rename or copy) git also writes `rename from`/`rename to`, which are used instead; here
 * only a line whose two names are the same can be read, or a quoted pair.
 */
function gitDiffNames(rest: string): [string, string] | undefined {
  if (rest.startsWith('"')) {
    const first = quotedAt(rest, 0);
    if (!first || rest[first.end] !== " ") return undefined;
    const secondText = rest.slice(first.end + 1);
    const second = secondText.startsWith('"') ? quotedAt(secondText, 0)?.value : secondText;
    return second === undefined ? undefined : withoutPrefixes(first.value, second);
  }
  // Unquoted, `a/N b/N`: the names are the same, so the space between them is in the middle.
  const middle = (rest.length - 1) / 2;
  if (!Number.isInteger(middle) || rest[middle] !== " ") return undefined;
  return withoutPrefixes(rest.slice(0, middle), rest.slice(middle + 1));
}

function withoutPrefixes(a: string, b: string): [string, string] | undefined {
  if (!a.startsWith("a/") || !b.startsWith("b/")) return undefined;
  const names: [string, string] = [a.slice(2), b.slice(2)];
  return names[0] === names[1] ? names : undefined;
}

/** A name as git writes it in a header: quoted in C style when it holds special bytes. */
function unquote(text: string): string | undefined {
  if (!text.startsWith('"')) return text;
  const quoted = quotedAt(text, 0);
  return quoted && quoted.end === text.length ? quoted.value : undefined;
}

const ESCAPES: Record<string, string> = { a: "\x07", b: "\b", t: "\t", n: "\n", v: "\v", f: "\f", r: "\r", '"': '"', "\\": "\\" };

/** git's unquote_c_style: the bytes of the quoted string at `start`, and where it ends. */
function quotedAt(text: string, start: number): { value: string; end: number } | undefined {
  let value = "";
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') return { value, end: i + 1 };
    if (ch !== "\\") {
      value += ch;
      continue;
    }
    const next = text[++i];
    if (next === undefined) return undefined;
    const octal = /^[0-3][0-7]{2}/.exec(text.slice(i, i + 3));
    if (octal) {
      value += String.fromCharCode(Number.parseInt(octal[0], 8));
      i += 2;
    } else if (ESCAPES[next] !== undefined) {
      value += ESCAPES[next];
    } else {
      return undefined;
    }
  }
  return undefined;
}
