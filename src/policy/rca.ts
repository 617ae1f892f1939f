import { neutraliseMarkers } from "./text.js";
/** Whether an RCA issue is done (SPEC section 5), and what still keeps it from being done. */
export type RcaCheck = { done: boolean; closed: boolean; emptySections: string[]; missingSections: string[] };

/**
 * An RCA is done when it is closed and every required section has content under its heading.
 * Sections are reported by their configured names, in the configured order.
 */
export function checkRca(input: { body: string | null; closed: boolean; requiredSections: readonly string[] }): RcaCheck {
  const sections = readSections(input.body ?? "");
  const emptySections: string[] = [];
  const missingSections: string[] = [];
  for (const name of input.requiredSections) {
    const found = sections.filter((section) => section.key === sectionKey(name));
    if (found.length === 0) missingSections.push(name);
    else if (!found.some((section) => section.hasContent)) emptySections.push(name);
  }
  const done = input.closed && emptySections.length === 0 && missingSections.length === 0;
  return { done, closed: input.closed, emptySections, missingSections };
}

const PROMPT = "<!-- Write this section here. An empty section keeps this RCA, and so the incident, open. -->";

/**
 * The RCA issue body the app opens: a line linking the incident, then each required section as a
 * `## ` heading with an HTML-comment prompt under it, so an unedited body has every section empty.
 *
 * The incident title is user text, so it is shown as a code span: nothing inside one is read as
 * markdown, HTML, an @mention or an issue reference, which is safer than escaping each of those
 * one by one; only the backtick fence has to be longer than any backtick run in the title.
 */
export function rcaBody(input: { incidentNumber: number; incidentTitle: string; requiredSections: readonly string[]; marker: string }): string {
  const intro =
    `Root-cause analysis for incident #${input.incidentNumber} ${codeSpan(input.incidentTitle)}. ` +
    "Close this issue when every section below is filled in: the incident cannot close before.";
  const sections = input.requiredSections.map((name) => `## ${name.replace(/\s+/g, " ").trim()}\n\n${PROMPT}`);
  return [intro, ...sections, input.marker].join("\n\n") + "\n";
}

function codeSpan(text: string): string {
  const flat = neutraliseMarkers(text.replace(/\s+/g, " ").trim()) || " ";
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  // A code span drops one space at each end, so padding keeps a title that starts or ends with a backtick intact.
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

type Section = { key: string; level: number; hasContent: boolean };

/**
 * The ATX-headed sections of a markdown body. A section runs until the next heading of the same
 * or a higher level, so text under its sub-headings is its content too. Headings inside code
 * blocks and HTML comments are not headings, just as GitHub does not render them as such.
 */
function readSections(body: string): Section[] {
  const sections: Section[] = [];
  const open: Section[] = [];
  let fence: string | undefined;
  let inComment = false;

  for (const line of body.split(/\r?\n/)) {
    if (fence !== undefined) {
      if (closesFence(line, fence)) fence = undefined;
      else if (line.trim() !== "") markContent(open);
      continue;
    }
    const visible = withoutComments(line, inComment);
    inComment = visible.inComment;
    const heading = parseHeading(visible.text);
    if (heading) {
      while (open.length > 0 && open[open.length - 1]!.level >= heading.level) open.pop();
      markContent(open);
      const section = { key: sectionKey(heading.text), level: heading.level, hasContent: false };
      sections.push(section);
      open.push(section);
      continue;
    }
    const opening = /^ {0,3}(`{3,}|~{3,})/.exec(visible.text);
    if (opening?.[1] && !(opening[1].startsWith("`") && visible.text.slice(opening[0].length).includes("`"))) {
      fence = opening[1];
      continue;
    }
    if (isContent(visible.text)) markContent(open);
  }
  return sections;
}

function markContent(open: readonly Section[]): void {
  for (const section of open) section.hasContent = true;
}

function parseHeading(line: string): { level: number; text: string } | undefined {
  const match = /^ {0,3}(#{1,6})(?:[ \t]+(.*))?$/.exec(line);
  if (!match?.[1]) return undefined;
  const text = (match[2] ?? "").replace(/(?:^|[ \t]+)#+[ \t]*$/, "").trim();
  return { level: match[1].length, text };
}

function closesFence(line: string, fence: string): boolean {
  const match = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
  return match?.[1] !== undefined && match[1][0] === fence[0] && match[1].length >= fence.length;
}

/**
 * The line as rendered: HTML comments, which may span lines, removed. A `<!--` inside a code span
 * is literal text, not a comment, as in an incident title the app quotes.
 */
function withoutComments(line: string, inComment: boolean): { text: string; inComment: boolean } {
  let text = "";
  let at = 0;
  let commented = inComment;
  while (at < line.length) {
    if (commented) {
      const end = line.indexOf("-->", at);
      if (end === -1) return { text, inComment: true };
      at = end + 3;
      commented = false;
      continue;
    }
    const next = /<!--|`+/.exec(line.slice(at));
    if (!next) return { text: text + line.slice(at), inComment: false };
    text += line.slice(at, at + next.index);
    at += next.index + next[0].length;
    if (next[0] === "<!--") {
      commented = true;
      continue;
    }
    const close = closingBackticks(line, at, next[0].length);
    const end = close === undefined ? at : close + next[0].length;
    text += next[0] + line.slice(at, end);
    at = end;
  }
  return { text, inComment: commented };
}

/** Where a code span opened by `length` backticks closes: the next run of exactly that many. */
function closingBackticks(line: string, from: number, length: number): number | undefined {
  const run = /`+/g;
  run.lastIndex = from;
  for (let match = run.exec(line); match; match = run.exec(line)) {
    if (match[0].length === length) return match.index;
  }
  return undefined;
}

/** Whether a line says anything: blank lines, bare list or checkbox markers and rules do not. */
function isContent(line: string): boolean {
  const words = line
    .trim()
    .replace(/^(?:(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$))+/, "")
    .replace(/^\[[ xX]?\](?:[ \t]+|$)/, "")
    .trim();
  return words !== "" && !/^([-*_])(?:[ \t]*\1){2,}$/.test(words);
}

/** Headings match required names whatever their case, spacing or trailing colon. */
function sectionKey(name: string): string {
  return name.trim().replace(/:$/, "").replace(/\s+/g, " ").trim().toLowerCase();
}
