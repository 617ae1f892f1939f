import { z } from "zod";
import { neutraliseMarkers } from "../policy/text.js";
import { proseLines } from "./prose-lines.js";
import { USAGE, usageOf } from "./usage.js";

export { USAGE, helpText } from "./usage.js";

export type Command =
  | { name: "incident"; title?: string }
  | { name: "incident-close" }
  | { name: "incident-force-close"; reason: string }
  | { name: "incident-rollback"; environment?: string }
  | { name: "hotfix-allow"; sha: string; environment?: string; reason: string }
  | { name: "hotfix-approve"; sha: string }
  | { name: "hotfix-revoke"; sha: string }
  | { name: "merge-back"; sha: string }
  | { name: "mainline-status" }
  | { name: "mainline-report" }
  | { name: "mainline-help" };

/**
 * One command line of a comment. `line` is the user's text as typed (without indentation):
 * escape it before echoing. `error` quotes user text only inside code spans, so it can be
 * posted as markdown as it is.
 */
export type ParsedLine =
  | { ok: true; line: string; lineNumber: number; command: Command }
  | { ok: false; line: string; lineNumber: number; error: string; usage: string };

type Outcome = { ok: true; command: Command } | { ok: false; error: string; usage: string };

/**
 * The families this app answers. The name must end at a blank or the line's end, so
 * `/merge-back` is never read as `/merge`, and `/incidents` or `/hotfixes` (other bots'
 * commands, or just words) are left alone.
 */
const FAMILY = /^\/(incident|hotfix|merge-back|mainline)(?=\s|$)/i;

/** Every slash-command of this app in a comment body, in order; never throws. */
export function parseCommands(body: string): ParsedLine[] {
  const parsed: ParsedLine[] = [];
  for (const { text, lineNumber } of proseLines(body)) {
    const family = FAMILY.exec(text)?.[1];
    if (family === undefined) continue;
    const outcome = parseFamily(family.toLowerCase(), text.slice(family.length + 1));
    parsed.push({ line: text, lineNumber, ...outcome });
  }
  return parsed;
}

function parseFamily(family: string, args: string): Outcome {
  switch (family) {
    case "incident":
      return parseIncident(args);
    case "hotfix":
      return parseHotfix(args);
    case "merge-back":
      return parseSingleSha("merge-back", args);
    default:
      return parseMainline(args);
  }
}

const TEXT_LIMIT = 1000;

const HEX_SHA = /^[0-9a-f]{7,40}$/i;

const shaSchema = z
  .string()
  .regex(HEX_SHA, { error: (issue) => `${quoted(String(issue.input))} is not a commit SHA: use 7 to 40 hex characters` })
  .transform((sha) => sha.toLowerCase());

/** GitHub's rules for environment names. */
const environmentSchema = z.string().regex(/^[A-Za-z0-9._-]{1,255}$/, {
  error: (issue) =>
    `${quoted(String(issue.input))} is not an environment name: use at most 255 letters, digits, \`-\`, \`_\` or \`.\``,
});

const freeText = (what: "reason" | "title") => z.string().max(TEXT_LIMIT, `${what} is longer than ${TEXT_LIMIT} characters`);

/**
 * `/incident [title]`, `/incident close`, `/incident force-close <reason>`, `/incident rollback [env]`.
 * A first word of `close`, `force-close` or `rollback` (any case) always names the subcommand, so
 * `/incident Close the DB` is a `/incident close` with stray words, answered with an error rather
 * than opening an incident titled "Close the DB": closing (or deploying) by mistake is worse than
 * retyping a title.
 */
function parseIncident(args: string): Outcome {
  const { word, rest } = firstWord(args);
  switch (word.toLowerCase()) {
    case "close":
      if (rest !== "") {
        return fail(
          `\`/incident close\` takes no arguments, but got ${quoted(rest)} (a title cannot start with the word close)`,
          USAGE["incident-close"],
        );
      }
      return { ok: true, command: { name: "incident-close" } };
    case "force-close": {
      if (rest === "") return fail("`/incident force-close` needs a reason", USAGE["incident-force-close"]);
      const reason = check(freeText("reason"), rest);
      if (!reason.ok) return fail(reason.error, USAGE["incident-force-close"]);
      return { ok: true, command: { name: "incident-force-close", reason: reason.value } };
    }
    case "rollback":
      return parseRollback(rest);
    default: {
      const title = check(freeText("title"), args.trim());
      if (!title.ok) return fail(title.error, USAGE.incident);
      return { ok: true, command: title.value === "" ? { name: "incident" } : { name: "incident", title: title.value } };
    }
  }
}

/** `[env]`: at most one word, an environment name. */
function parseRollback(args: string): Outcome {
  const usage = USAGE["incident-rollback"];
  const [environmentWord, ...extra] = words(args);
  if (environmentWord === undefined) return { ok: true, command: { name: "incident-rollback" } };
  if (extra.length > 0) {
    return fail(`\`/incident rollback\` takes at most one environment, but got ${extra.length + 1} words (a title cannot start with the word rollback)`, usage);
  }
  const environment = check(environmentSchema, environmentWord);
  if (!environment.ok) return fail(environment.error, usage);
  return { ok: true, command: { name: "incident-rollback", environment: environment.value } };
}

function parseHotfix(args: string): Outcome {
  const { word, rest } = firstWord(args);
  const subcommand = word.toLowerCase();
  if (subcommand === "allow") return parseHotfixAllow(rest);
  if (subcommand === "approve") return parseSingleSha("hotfix-approve", rest);
  if (subcommand === "revoke") return parseSingleSha("hotfix-revoke", rest);
  const allForms = usageOf("hotfix-allow", "hotfix-approve", "hotfix-revoke");
  if (subcommand === "") return fail("`/hotfix` needs a subcommand: allow, approve or revoke", allForms);
  return fail(`${quoted(`/hotfix ${word}`)} is not a command: use allow, approve or revoke`, allForms);
}

/** `<sha> [env] -- <reason>`: the first `--` standing alone ends the SHA and environment; later ones belong to the reason. */
function parseHotfixAllow(args: string): Outcome {
  const usage = USAGE["hotfix-allow"];
  const separator = /(?:^|\s)--(?=\s|$)/.exec(args);
  const before = separator ? args.slice(0, separator.index) : args;
  const [shaWord, environmentWord, ...extra] = words(before);
  if (shaWord === undefined) return fail("a commit SHA is missing", usage);
  const sha = check(shaSchema, shaWord);
  if (!sha.ok) return fail(sha.error, usage);
  if (!separator) return fail("the reason is missing: end the command with `-- <reason>`", usage);
  if (extra.length > 0) {
    return fail(
      `too many words before \`--\`: expected a SHA and at most one environment, but got ${extra.length + 2}`,
      usage,
    );
  }
  const environment = environmentWord === undefined ? undefined : check(environmentSchema, environmentWord);
  if (environment && !environment.ok) return fail(environment.error, usage);
  const reasonText = args.slice(separator.index + separator[0].length).trim();
  if (reasonText === "") return fail("the reason after `--` is empty", usage);
  const reason = check(freeText("reason"), reasonText);
  if (!reason.ok) return fail(reason.error, usage);
  return {
    ok: true,
    command: {
      name: "hotfix-allow",
      sha: sha.value,
      ...(environment ? { environment: environment.value } : {}),
      reason: reason.value,
    },
  };
}

function parseSingleSha(name: "hotfix-approve" | "hotfix-revoke" | "merge-back", args: string): Outcome {
  const usage = USAGE[name];
  const [shaWord, ...extra] = words(args);
  if (shaWord === undefined) return fail("a commit SHA is missing", usage);
  if (extra.length > 0) return fail(`expected one SHA, but got ${extra.length + 1} words`, usage);
  const sha = check(shaSchema, shaWord);
  if (!sha.ok) return fail(sha.error, usage);
  return { ok: true, command: { name, sha: sha.value } };
}

const MAINLINE_SUBCOMMANDS = ["status", "report", "help"] as const;

function parseMainline(args: string): Outcome {
  const { word, rest } = firstWord(args);
  const subcommand = MAINLINE_SUBCOMMANDS.find((known) => known === word.toLowerCase());
  if (subcommand === undefined) {
    const allForms = usageOf("mainline-status", "mainline-report", "mainline-help");
    if (word === "") return fail("`/mainline` needs a subcommand: status, report or help", allForms);
    return fail(`${quoted(`/mainline ${word}`)} is not a command: use status, report or help`, allForms);
  }
  const name = `mainline-${subcommand}` as const;
  if (rest !== "") return fail(`\`${USAGE[name]}\` takes no arguments, but got ${quoted(rest)}`, USAGE[name]);
  return { ok: true, command: { name } };
}

function firstWord(args: string): { word: string; rest: string } {
  const trimmed = args.trimStart();
  const word = /^\S+/.exec(trimmed)?.[0] ?? "";
  return { word, rest: trimmed.slice(word.length).trim() };
}

function words(text: string): string[] {
  return text.split(/\s+/).filter((word) => word !== "");
}

function fail(error: string, usage: string): Outcome {
  return { ok: false, error, usage };
}

type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** The parsed value, or the first problem zod found, worded for the user. */
function check<T>(schema: z.ZodType<T, string>, input: string): Checked<T> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, error: result.error.issues[0]?.message ?? "invalid argument" };
}

const QUOTE_LIMIT = 60;

/**
 * User text as a markdown code span, cut to a readable length. Inside a code span GitHub
 * renders mentions, HTML and links literally, so an error can quote hostile text safely.
 */
function quoted(text: string): string {
  const clipped = text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT - 1).replace(/[\uD800-\uDBFF]$/, "")}…` : text;
  const cut = neutraliseMarkers(clipped);
  const longestRun = Math.max(0, ...Array.from(cut.matchAll(/`+/g), (run) => run[0].length));
  const ticks = "`".repeat(longestRun + 1);
  const pad = cut.startsWith("`") || cut.endsWith("`") ? " " : "";
  return `${ticks}${pad}${cut}${pad}${ticks}`;
}
