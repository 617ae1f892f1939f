import type { Context } from "probot";
import { parseCommands } from "../commands/parse.js";
import { decisionLog } from "../decision-log.js";
import type { IssueLike } from "../github/client.js";
import { readIncidentThread } from "../github/incidents.js";
import { linesToRun, skippedSentence } from "../policy/command-limits.js";
import { alreadyAnswered, answer, commandName, runLines } from "../procedures/commands/dispatch.js";
import type { CommandEnv } from "../procedures/commands/types.js";
import type { AppDeps } from "../delivery/deps.js";
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
    const env: CommandEnv = { repo, deps, issue: issue as IssueLike, comment, actor: sender.login, account: sender.id, decisions, isIncident: thread.isIncident, source: "" };
    const results = await runLines(env, run, about);
    const skipped = skippedSentence({ repeated: repeated.length, overLimit: overLimit.length });
    if (skipped) decisions.decided("command", "skipped", { ...about, repeated: repeated.length, overLimit: overLimit.length }, skipped);
    await answer(env, results, skipped);
  };
}
