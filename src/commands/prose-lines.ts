/** A line that GitHub renders as ordinary text, without its indentation or trailing blanks. */
export type ProseLine = { text: string; lineNumber: number };

type Fence = { char: "`" | "~"; length: number };

/** CommonMark's line endings: a comment written on Windows or pasted from one reads the same. */
const LINE_BREAK = /\r\n|\r|\n/;
/** From this column on, a line is an indented code block. */
const CODE_INDENT = 4;

/**
 * The lines of a comment outside fenced code, indented code and block quotes, numbered from 1.
 * A command shown there is an example or someone else's words, not a request. A line typed
 * right after a quote without `>` is read as prose (although CommonMark would continue the
 * quote lazily), because its author wrote it on a line of its own.
 * Scans each character a bounded number of times, so a huge comment costs linear time.
 */
export function proseLines(body: string): ProseLine[] {
  const prose: ProseLine[] = [];
  let fence: Fence | undefined;
  body.split(LINE_BREAK).forEach((raw, index) => {
    const { column, rest } = indentation(raw);
    if (fence) {
      if (column < CODE_INDENT && closesFence(rest, fence)) fence = undefined;
      return;
    }
    if (column >= CODE_INDENT) return;
    fence = opensFence(rest);
    if (fence || rest.startsWith(">")) return;
    prose.push({ text: rest.trimEnd(), lineNumber: index + 1 });
  });
  return prose;
}

/** The column where the line's text starts (tabs stop every 4 columns) and that text. */
function indentation(line: string): { column: number; rest: string } {
  let column = 0;
  let index = 0;
  for (; index < line.length && column < CODE_INDENT; index++) {
    const char = line[index];
    if (char === " ") column += 1;
    else if (char === "\t") column += CODE_INDENT - (column % CODE_INDENT);
    else break;
  }
  return { column, rest: line.slice(index) };
}

function opensFence(text: string): Fence | undefined {
  const char = text[0];
  if (char !== "`" && char !== "~") return undefined;
  const length = runLength(text, char);
  if (length < 3) return undefined;
  // A backtick in the info string makes the line inline code, not a fence.
  if (char === "`" && text.includes("`", length)) return undefined;
  return { char, length };
}

function closesFence(text: string, fence: Fence): boolean {
  const length = runLength(text, fence.char);
  return length >= fence.length && /^[ \t]*$/.test(text.slice(length));
}

function runLength(text: string, char: string): number {
  let length = 0;
  while (text[length] === char) length++;
  return length;
}
