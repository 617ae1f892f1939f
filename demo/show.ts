import { changedLines } from "./line-diff.js";
import type { Seen } from "./observe.js";

/**
 * How the demo prints: plain text, coloured only when stdout is a terminal (and NO_COLOR is
 * unset). Bodies are shown as a person sees them on GitHub: without HTML comments, where the
 * app keeps its hidden markers.
 */
const tty = process.stdout.isTTY === true;
const colour = tty && !process.env.NO_COLOR;
const paint = (code: string) => (text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
export const bold = paint("1");
export const dim = paint("2");
export const red = paint("31");
export const green = paint("32");
export const yellow = paint("33");

const WIDTH = Math.min(Math.max((tty ? process.stdout.columns : undefined) ?? 100, 60), 120);
const BAR = `      ${dim("│")} `;
const BOT = "mainline[bot]";
const REACTIONS: Record<string, string> = { "+1": "👍", "-1": "👎", laugh: "😄", confused: "😕", heart: "❤️", hooray: "🎉", rocket: "🚀", eyes: "👀" };
const who = (login: string) => (login === BOT ? "mainline" : login);

/** A body as a person sees it on GitHub: without HTML comments. */
export function visible(body: string): string {
  return body
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/[ \t]+$/gm, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** A body quoted under the line that introduces it, long lines wrapped (tables left whole). */
function quote(body: string): string {
  return (visible(body) || "(empty)")
    .split("\n")
    .flatMap((line) => wrap(line, WIDTH - 8))
    .map(barred)
    .join("\n");
}

/** What changed between two versions of a body: removed lines, then added ones, where they differ. */
function quoteChanges(before: string, after: string): string {
  const lines = changedLines(visible(before), visible(after));
  if (lines.length === 0) return `${BAR}${dim("(no visible change)")}`;
  return lines
    .flatMap(({ mark, line }) => wrap(line, WIDTH - 10).map((part, i) => (mark === "+" ? green : red)(`${i === 0 ? mark : " "} ${part}`.trimEnd())))
    .map(barred)
    .join("\n");
}

const barred = (line: string) => (line ? `${BAR}${line}` : BAR.trimEnd());

function wrap(line: string, width: number): string[] {
  if (line.length <= width || line.startsWith("|")) return [line];
  const indent = /^(\s*(?:[-*] |\d+\. )?)/.exec(line)![1]!.replace(/\S/g, " ");
  const lines: string[] = [];
  let current = "";
  for (const word of line.split(" ")) {
    if (current && current.length + 1 + word.length > width) {
      lines.push(current);
      current = indent + word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  return [...lines, current];
}

/** One change, said as a person would see it on GitHub. */
export function describe(seen: Seen): string {
  switch (seen.kind) {
    case "answer": {
      const verdict = seen.state === "approved" ? green("✓ approved") : red(`✗ ${seen.state}`);
      return `    Deployment to ${seen.environment}: ${verdict} by mainline, the environment's protection rule, which says:\n${quote(seen.comment)}`;
    }
    case "deployment-status":
      return `    Deployment to ${seen.environment} marked ${seen.state}:\n${quote(seen.description)}`;
    case "issue-opened":
      return `    ${who(seen.by)} opened #${seen.number} "${seen.title}"${seen.labels.length ? ` [${seen.labels.join(", ")}]` : ""}:\n${quote(seen.body)}`;
    case "issue-state":
      return `    ${seen.state === "closed" ? "mainline closed" : yellow("mainline reopened")} #${seen.number} "${seen.title}"`;
    case "labels": {
      const said = [seen.added.length ? `labelled ${seen.added.join(", ")}` : "", seen.removed.length ? `unlabelled ${seen.removed.join(", ")}` : ""];
      return `    #${seen.number} ${said.filter(Boolean).join("; ")}`;
    }
    case "comment":
      return `    ${who(seen.by)} commented on #${seen.number}${ledger(seen.body)}:\n${quote(seen.body)}`;
    case "comment-edited":
      return `    ${who(seen.by)} edited its comment on #${seen.number}${ledger(seen.body)}; changed lines:\n${quoteChanges(seen.before, seen.body)}`;
    case "reaction":
      return `    ${who(seen.by)} reacted ${REACTIONS[seen.content] ?? seen.content} to ${who(seen.on)}'s comment on #${seen.number}`;
    case "check-run": {
      const head = `    Check run ${seen.name} on commit ${seen.sha.slice(0, 7)} (${seen.conclusion ?? "in progress"}): ${seen.title}`;
      return seen.before === undefined ? `${head}\n${quote(seen.summary)}` : `${head}\n${quoteChanges(seen.before, seen.summary)}`;
    }
  }
}

const ledger = (body: string) => (body.includes("<!-- mainline:ledger ") ? " (the ledger)" : "");
