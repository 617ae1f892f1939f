import type { Context } from "probot";
import { parseCommands, type Command, type ParsedLine } from "../commands/parse.js";
import { decisionLog, type DecisionLog } from "../decision-log.js";
import type { CommentLike, IssueLike, RepoClient } from "../github/client.js";
import { readIncidentThread } from "../github/incidents.js";
import { createComment, hasReactedDone, reactDone } from "../github/issues.js";
import { findOwnComment } from "../github/own-comments.js";
import { roleOf } from "../github/permission.js";
import { marker } from "../markers.js";
import { requiredRole, wrongPlace } from "../policy/command-rules.js";
import { linesToRun, skippedSentence } from "../policy/command-limits.js";
import { hasRole, type Role } from "../policy/roles.js";
import { appBody, codeSpan, quietLogin } from "../policy/text.js";
import { runCommand } from "../procedures/commands/runners.js";
import type { CommandEnv, Outcome } from "../procedures/commands/types.js";
import type { AppDeps, Deps } from "../delivery/deps.js";
import { repoContext } from "../delivery/repo-context.js";

/**
 * `issue_comment.created`: slash-commands.
 * 1. only new comments by people count (edits and bots are ignored)
 * 2. the distinct command lines, at most 10 (the rest is named in the reply)
 * 3. a comment already answered (👍 or a reply) is not run again
 * 4. each line is checked for place (from the records) and role (from GitHub), then run as its own act
 * 5. 👍 when every line did its work; one reply for anything to say or anything wrong
 * Each line's outcome is one decision line in the log (and lines skipped or already answered one more).
 */
export function onIssueComment(deps: AppDeps) {
  return async (context: Context<"issue_comment.created">): Promise<void> => {
    const { comment, issue, sender } = context.payload;
    if (sender.type === "Bot" || comment.user?.type === "Bot") return;
    const parsed = parseCommands(comment.body);
    if (parsed.length === 0) return;
    const { run, repeated, overLimit } = linesToRun(parsed);
    const decisions = decisionLog(context);
    const about = { issue: issue.number, comment: comment.id, actor: sender.login };
    const repo = await repoContext(context, deps);
    const thread = await readIncidentThread(repo.client, issue, deps.records);
    if (await alreadyAnswered(repo.client, comment.id, thread.comments, deps)) {
      decisions.decided("command", "already-answered", { ...about, commands: run.map(commandName) }, "comment already answered: its commands are not run again");
      return;
    }
    let role: Promise<Role | "none"> | undefined;
    const roleOfActor = () => (role ??= roleOf(repo.client, sender.login));
    const env: CommandEnv = { repo, deps, issue: issue as IssueLike, comment, actor: sender.login, account: sender.id, decisions, isIncident: thread.isIncident, source: "" };
    const results: Array<{ line: ParsedLine; outcome: Outcome }> = [];
    for (const line of run) {
      const checked = line.ok
        ? await runChecked({ ...env, source: `${comment.id}:${line.lineNumber}` }, line.command, roleOfActor)
        : { outcome: { ok: false as const, error: `${line.error}. Write it as:\n\n    ${line.usage.split("\n").join("\n    ")}` }, result: "invalid" as const };
      logCommand(decisions, about, line, checked);
      if (line.ok && line.command.name === "incident" && checked.outcome.ok) env.isIncident = true;
      results.push({ line, outcome: checked.outcome });
    }
    const skipped = skippedSentence({ repeated: repeated.length, overLimit: overLimit.length });
    if (skipped) decisions.decided("command", "skipped", { ...about, repeated: repeated.length, overLimit: overLimit.length }, skipped);
    await answer(env, results, skipped);
  };
}

/** How a command line ended: done (👍), or why it was not run or did not do its work. */
type Result = "done" | "invalid" | "wrong-place" | "not-allowed" | "refused";

function logCommand(decisions: DecisionLog, about: { issue: number; comment: number; actor: string }, line: ParsedLine, { outcome, result }: { outcome: Outcome; result: Result }): void {
  const command = line.ok ? line.command : undefined;
  const args = {
    sha: command && "sha" in command ? command.sha : undefined,
    environment: command && "environment" in command ? command.environment : undefined,
  };
  const message = outcome.ok ? `${commandName(line)}: done` : `${commandName(line)}: ${outcome.error}`;
  decisions.decided("command", result, { ...about, command: commandName(line), line: line.lineNumber, ...args }, message);
}

/** The command's name ("hotfix-allow"); for a line that did not parse, its first word, clipped. */
function commandName(line: ParsedLine): string {
  return line.ok ? line.command.name : (line.line.trim().split(/\s+/, 1)[0] ?? "").slice(0, 40);
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
 * A comment the app already answered (👍 or a reply) is never run again: a redelivery must not
 * repeat its commands or, worse, answer `/incident close` on a now closed incident with an error.
 */
async function alreadyAnswered(client: RepoClient, commentId: number, comments: readonly CommentLike[], deps: Deps): Promise<boolean> {
  // A reply comes after its command: a marker planted in an older comment of the app answers nothing.
  if (findOwnComment(comments, deps.appId, "reply", (m, reply) => m.source === commentId && reply.id > commentId)) return true;
  // No 👍 from anyone as the thread lists it: none from the app either, and no need to ask whose.
  if (comments.find((c) => c.id === commentId)?.reactions?.["+1"] === 0) return false;
  return hasReactedDone(client, commentId, await deps.botLogin());
}

/**
 * One reply (marked with the comment's id) for what needs saying, then 👍 when all went well.
 * The 👍 goes last: a redelivery that finds it skips the comment, so a reply it came before
 * would be lost for good if its write had failed (the reply's own marker also answers it).
 */
async function answer(env: CommandEnv, results: Array<{ line: ParsedLine; outcome: Outcome }>, skipped: string | undefined): Promise<void> {
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
