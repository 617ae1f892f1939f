import type { Command, ParsedLine } from "../../commands/parse.js";
import type { DecisionLog } from "../../decision-log.js";
import type { CommentLike, RepoClient } from "../../github/client.js";
import { createComment, hasReactedDone, reactDone } from "../../github/issues.js";
import { findOwnComment } from "../../github/own-comments.js";
import { roleOf } from "../../github/permission.js";
import { marker } from "../../markers.js";
import { requiredRole, wrongPlace } from "../../policy/command-rules.js";
import { hasRole, type Role } from "../../policy/roles.js";
import { appBody, codeSpan, quietLogin } from "../../policy/text.js";
import { DONE_REACTION } from "../../public-names.js";
import type { Deps } from "../../delivery/deps.js";
import { runCommand } from "./runners.js";
import type { CommandEnv, Outcome } from "./types.js";

/** Who wrote the comment and where: what every decision line about its commands carries. */
export type CommentAbout = { issue: number; comment: number; actor: string };

/** One command line and how it ended. */
export type LineOutcome = { line: ParsedLine; outcome: Outcome };

/** How a command line ended: done (👍), or why it was not run or did not do its work. */
type Result = "done" | "invalid" | "wrong-place" | "not-allowed" | "refused";

/**
 * A comment the app already answered (👍 or a reply) is never run again: a redelivery must not
 * repeat its commands or, worse, answer `/incident close` on a now closed incident with an error.
 */
export async function alreadyAnswered(client: RepoClient, commentId: number, comments: readonly CommentLike[], deps: Deps): Promise<boolean> {
  // A reply comes after its command: a marker planted in an older comment of the app answers nothing.
  if (findOwnComment(comments, deps.appId, "reply", (m, reply) => m.source === commentId && reply.id > commentId)) return true;
  // No 👍 from anyone as the thread lists it: none from the app either, and no need to ask whose.
  if (comments.find((c) => c.id === commentId)?.reactions?.[DONE_REACTION] === 0) return false;
  return hasReactedDone(client, commentId, await deps.botLogin());
}

/**
 * Each line in turn, as its own act: checked for place (from the records) and role (asked of
 * GitHub once, when a line first needs it), then run; each line's outcome is one decision line.
 * `/incident` that worked makes the issue an incident for the lines after it.
 */
export async function runLines(env: CommandEnv, lines: readonly ParsedLine[], about: CommentAbout): Promise<LineOutcome[]> {
  let role: Promise<Role | "none"> | undefined;
  const roleOfActor = () => (role ??= roleOf(env.repo.client, env.actor));
  const results: LineOutcome[] = [];
  for (const line of lines) {
    const checked = line.ok
      ? await runChecked({ ...env, source: `${env.comment.id}:${line.lineNumber}` }, line.command, roleOfActor)
      : { outcome: { ok: false as const, error: `${line.error}. Write it as:\n\n    ${line.usage.split("\n").join("\n    ")}` }, result: "invalid" as const };
    logCommand(env.decisions, about, line, checked);
    if (line.ok && line.command.name === "incident" && checked.outcome.ok) env.isIncident = true;
    results.push({ line, outcome: checked.outcome });
  }
  return results;
}

/** The command's name ("hotfix-allow"); for a line that did not parse, its first word, clipped. */
export function commandName(line: ParsedLine): string {
  return line.ok ? line.command.name : (line.line.trim().split(/\s+/, 1)[0] ?? "").slice(0, 40);
}

function logCommand(decisions: DecisionLog, about: CommentAbout, line: ParsedLine, { outcome, result }: { outcome: Outcome; result: Result }): void {
  const command = line.ok ? line.command : undefined;
  const args = {
    sha: command && "sha" in command ? command.sha : undefined,
    environment: command && "environment" in command ? command.environment : undefined,
  };
  const message = outcome.ok ? `${commandName(line)}: done` : `${commandName(line)}: ${outcome.error}`;
  decisions.decided("command", result, { ...about, command: commandName(line), line: line.lineNumber, ...args }, message);
}

async function runChecked(env: CommandEnv, command: Command, roleOfActor: () => Promise<Role | "none">): Promise<{ outcome: Outcome; result: Result }> {
  const { issue, repo } = env;
  const place = { isPullRequest: Boolean((issue as { pull_request?: unknown }).pull_request), isIncident: env.isIncident, isOpen: issue.state === "open" };
  const misplaced = wrongPlace(command.name, place);
  if (misplaced) return { outcome: { ok: false, error: misplaced }, result: "wrong-place" };
  const needed = requiredRole(command.name, repo.config);
  if (needed) {
    const actual = await roleOfActor();
    if (!hasRole(actual, needed)) {
      return { outcome: { ok: false, error: `this needs the ${needed} role or higher in this repository; ${quietLogin(env.actor)} has ${actual === "none" ? "no role" : actual}` }, result: "not-allowed" };
    }
  }
  try {
    const outcome = await runCommand(env, command);
    return { outcome, result: outcome.ok ? "done" : "refused" };
  } catch (error) {
    env.decisions.log.error({ err: error, command: command.name }, "command failed");
    throw error;
  }
}

/**
 * One reply (marked with the comment's id) for what needs saying, then 👍 when all went well.
 * The 👍 goes last: a redelivery that finds it skips the comment, so a reply it came before
 * would be lost for good if its write had failed (the reply's own marker also answers it).
 */
export async function answer(env: CommandEnv, results: readonly LineOutcome[], skipped: string | undefined): Promise<void> {
  const failed = results.filter((r) => !r.outcome.ok);
  const replies = results.flatMap((r) => (r.outcome.ok && r.outcome.reply ? [r.outcome.reply] : []));
  if (failed.length > 0 || replies.length > 0 || skipped) {
    const problems = failed.map(({ line, outcome }) => `- ${codeSpan(line.line)}: ${outcome.ok ? "" : outcome.error}`);
    const text = [
      ...(failed.length > 0 ? [`mainline could not run ${failed.length === 1 ? "this command" : "these commands"} from [your comment](${env.comment.html_url}):`, ...problems] : []),
      ...(skipped ? [skipped] : []),
      ...replies,
    ].join("\n\n");
    await createComment(env.repo.client, env.issue.number, appBody(text, marker("reply", { source: env.comment.id })));
  }
  if (failed.length === 0) await reactDone(env.repo.client, env.comment.id);
}
