import { z } from "zod";
import { neutraliseMarkers } from "../policy/text.js";
import { COMMAND_NAMES, COMMANDS, type Command, type CommandName } from "./catalog.js";
import { proseLines } from "./prose-lines.js";
import { USAGE } from "./usage.js";

export type { Command } from "./catalog.js";
export { USAGE, helpText } from "./usage.js";

/**
 * One command line of a comment. `line` is the user's text as typed (without indentation):
 * escape it before echoing. `error` quotes user text only inside code spans, so it can be
 * posted as markdown as it is.
 */
export type ParsedLine =
  | { ok: true; line: string; lineNumber: number; command: Command }
  | { ok: false; line: string; lineNumber: number; error: string; usage: string };

type Outcome = { ok: true; command: Command } | { ok: false; error: string; usage: string };

/** The catalog's first words, e.g. `hotfix` (letters and hyphens: nothing to escape in a pattern). */
const FAMILIES = [...new Set(COMMAND_NAMES.map((name) => COMMANDS[name].words[0]))];

/**
 * The families this app answers. The name must end at a blank or the line's end, so
 * `/merge-back` is never read as `/merge`, and `/incidents` or `/hotfixes` (other bots'
 * commands, or just words) are left alone.
 */
const FAMILY = new RegExp(`^/(${FAMILIES.join("|")})(?=\\s|$)`, "i");

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

/**
 * A first word that names one of the family's subcommands (any case) always names it, so
 * `/incident Close the DB` is a `/incident close` with stray words, answered with an error
 * rather than opening an incident titled "Close the DB": closing (or deploying) by mistake is
 * worse than retyping a title. Otherwise the family's command without a subcommand reads all
 * the arguments; a family without one (`/hotfix`, `/mainline`) answers with its every form.
 */
function parseFamily(family: string, args: string): Outcome {
  const { word, rest } = firstWord(args);
  const members = COMMAND_NAMES.filter((name) => COMMANDS[name].words[0] === family);
  const named = members.find((name) => COMMANDS[name].words[1] === word.toLowerCase());
  if (named) return ARGUMENTS[named](rest);
  const bare = members.find((name) => COMMANDS[name].words.length === 1);
  if (bare) return ARGUMENTS[bare](args);
  const subcommands = members.map((name) => COMMANDS[name].words[1]);
  const choice = `${subcommands.slice(0, -1).join(", ")} or ${subcommands.at(-1)}`;
  const allForms = members.map((name) => USAGE[name]).join("\n");
  if (word === "") return fail(`\`/${family}\` needs a subcommand: ${choice}`, allForms);
  return fail(`${quoted(`/${family} ${word}`)} is not a command: use ${choice}`, allForms);
}

/** How each command reads what follows its words. */
const ARGUMENTS: Record<CommandName, (args: string) => Outcome> = {
  incident: parseTitle,
  "hotfix-allow": parseHotfixAllow,
  "hotfix-approve": (args) => parseSingleSha("hotfix-approve", args),
  "hotfix-revoke": (args) => parseSingleSha("hotfix-revoke", args),
  "merge-back": (args) => parseSingleSha("merge-back", args),
  "incident-close": parseClose,
  "incident-force-close": parseForceClose,
  "incident-rollback": parseRollback,
  "mainline-status": (args) => noArguments("mainline-status", args),
  "mainline-report": (args) => noArguments("mainline-report", args),
  "mainline-help": (args) => noArguments("mainline-help", args),
};

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

/** `/incident [title]`: all of the arguments are the title. */
function parseTitle(args: string): Outcome {
  const title = check(freeText("title"), args.trim());
  if (!title.ok) return fail(title.error, USAGE.incident);
  return { ok: true, command: title.value === "" ? { name: "incident" } : { name: "incident", title: title.value } };
}

function parseClose(rest: string): Outcome {
  if (rest !== "") {
    return fail(`\`/incident close\` takes no arguments, but got ${quoted(rest)} (a title cannot start with the word close)`, USAGE["incident-close"]);
  }
  return { ok: true, command: { name: "incident-close" } };
}

function parseForceClose(rest: string): Outcome {
  if (rest === "") return fail("`/incident force-close` needs a reason", USAGE["incident-force-close"]);
  const reason = check(freeText("reason"), rest);
  if (!reason.ok) return fail(reason.error, USAGE["incident-force-close"]);
  return { ok: true, command: { name: "incident-force-close", reason: reason.value } };
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

function noArguments(name: "mainline-status" | "mainline-report" | "mainline-help", rest: string): Outcome {
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
