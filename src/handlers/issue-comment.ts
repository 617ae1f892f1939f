import type { Context } from "probot";
import { parseCommands, type Command, type ParsedLine } from "../commands/parse.js";
import { hasLabel, type IssueLike } from "../github/client.js";
import { createComment, hasReactedDone, listComments, reactDone } from "../github/issues.js";
import { findOwnComment } from "../github/own-comments.js";
import { roleOf } from "../github/permission.js";
import { marker } from "../markers.js";
import { requiredRole, wrongPlace } from "../policy/command-rules.js";
import { hasRole, type Role } from "../policy/roles.js";
import { codeSpan, quietLogin } from "../policy/text.js";
import { runHotfix } from "./commands/hotfix.js";
import { runIncident } from "./commands/incident.js";
import { runHelp, runReport, runStatus } from "./commands/mainline.js";
import { runMergeBack } from "./commands/merge-back.js";
import type { CommandEnv, Outcome } from "./commands/types.js";
import type { Deps } from "./deps.js";
import { repoContext } from "./repo-context.js";

/**
 * `issue_comment.created`: slash-commands. Only new comments by people count (edits and bots
 * are ignored). Each command line is checked for place and role, then run; the comment gets
 * 👍 when every command did its work, and one reply for anything to say or anything wrong.
 */
export function onIssueComment(deps: Deps) {
  return async (context: Context<"issue_comment.created">): Promise<void> => {
    const { comment, issue, sender } = context.payload;
    if (sender.type === "Bot" || comment.user?.type === "Bot") return;
    const lines = parseCommands(comment.body);
    if (lines.length === 0) return;
    const repo = await repoContext(context);
    const env: CommandEnv = { repo, deps, issue: issue as IssueLike, comment, actor: sender.login, log: context.log };
    if (await alreadyAnswered(env)) return;
    let role: Promise<Role | "none"> | undefined;
    const roleOfActor = () => (role ??= roleOf(repo.client, sender.login));
    const results: Array<{ line: ParsedLine; outcome: Outcome }> = [];
    for (const line of lines) {
      results.push({ line, outcome: line.ok ? await runChecked(env, line.command, roleOfActor) : { ok: false, error: `${line.error}. Write it as:\n\n    ${line.usage.split("\n").join("\n    ")}` } });
    }
    await answer(env, results);
  };
}

async function runChecked(env: CommandEnv, command: Command, roleOfActor: () => Promise<Role | "none">): Promise<Outcome> {
  const { issue, repo } = env;
  const place = { isPullRequest: Boolean((issue as { pull_request?: unknown }).pull_request), isIncident: hasLabel(issue, repo.config.labels.incident), isOpen: issue.state === "open" };
  const misplaced = wrongPlace(command.name, place);
  if (misplaced) return { ok: false, error: misplaced };
  const needed = requiredRole(command.name, repo.config);
  if (needed) {
    const actual = await roleOfActor();
    if (!hasRole(actual, needed)) return { ok: false, error: `this needs the ${needed} role or higher in this repository; ${quietLogin(env.actor)} has ${actual === "none" ? "no role" : actual}` };
  }
  try {
    return await run(env, command);
  } catch (error) {
    env.log.error({ err: error, command: command.name }, "command failed");
    throw error;
  }
}

function run(env: CommandEnv, command: Command): Promise<Outcome> {
  switch (command.name) {
    case "incident":
    case "incident-close":
    case "incident-force-close":
      return runIncident(env, command);
    case "hotfix-allow":
    case "hotfix-approve":
    case "hotfix-revoke":
      return runHotfix(env, command);
    case "merge-back":
      return runMergeBack(env, command.sha);
    case "mainline-status":
      return runStatus(env);
    case "mainline-help":
      return runHelp();
    case "mainline-report":
      return runReport(env);
  }
}

/**
 * A comment the app already answered (👍 or a reply) is never run again: a redelivery must not
 * repeat its commands or, worse, answer `/incident close` on a now closed incident with an error.
 */
async function alreadyAnswered(env: CommandEnv): Promise<boolean> {
  if (await hasReactedDone(env.repo.client, env.comment.id, await env.deps.botLogin())) return true;
  const comments = await listComments(env.repo.client, env.issue.number);
  return findOwnComment(comments, env.deps.appId, "reply", (m) => m.source === env.comment.id) !== undefined;
}

/** 👍 when all went well; one reply (marked with the comment's id) for the rest. */
async function answer(env: CommandEnv, results: Array<{ line: ParsedLine; outcome: Outcome }>): Promise<void> {
  const failed = results.filter((r) => !r.outcome.ok);
  const replies = results.flatMap((r) => (r.outcome.ok && r.outcome.reply ? [r.outcome.reply] : []));
  if (failed.length === 0) await reactDone(env.repo.client, env.comment.id);
  if (failed.length === 0 && replies.length === 0) return;
  const problems = failed.map(({ line, outcome }) => `- ${codeSpan(line.line)}: ${outcome.ok ? "" : outcome.error}`);
  const text = [
    ...(failed.length > 0 ? [`mainline could not run ${failed.length === 1 ? "this command" : "these commands"} from [your comment](${env.comment.html_url}):`, ...problems] : []),
    ...replies,
  ].join("\n\n");
  await createComment(env.repo.client, env.issue.number, `${text}\n\n${marker("reply", { source: env.comment.id })}`);
}
