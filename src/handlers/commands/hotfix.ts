import type { Command } from "../../commands/parse.js";
import { resolveSha } from "../../github/commits.js";
import { createComment } from "../../github/issues.js";
import { marker } from "../../markers.js";
import { isGatedEnvironment } from "../../policy/environments.js";
import { decideAllow, decideApprove, decideRevoke, exceptionStates } from "../../policy/exceptions.js";
import { escapeUserText, quietLogin, shortSha } from "../../policy/text.js";
import { viewIncident } from "../incident-view.js";
import { rewriteLedger } from "../refresh-ledger.js";
import type { CommandEnv, Outcome } from "./types.js";

type Hotfix = Extract<Command, { name: "hotfix-allow" | "hotfix-approve" | "hotfix-revoke" }>;

/**
 * `/hotfix allow|approve|revoke`: each writes one record comment (marked with the command's
 * comment id, so a redelivered comment writes nothing new) and rewrites the ledger.
 */
export async function runHotfix(env: CommandEnv, command: Hotfix): Promise<Outcome> {
  const { repo, deps, issue } = env;
  const sha = await resolveSha(repo.client, command.sha);
  if (!sha) return { ok: false, error: `\`${escapeUserText(command.sha, 40)}\` is not a commit in this repository` };
  const view = await viewIncident(repo.client, repo.config, repo.mainBranch, issue, deps);
  const records = view.thread.records;
  const alreadyDone = [...records.exceptions, ...records.approvals, ...records.revokes].some((r) => r.source === env.comment.id);
  if (!alreadyDone) {
    const written = await writeRecord(env, command, sha, exceptionStates(records, repo.config.override.approvals, deps.now()));
    if (!written.ok) return written;
  }
  await rewriteLedger(repo.client, repo.config, repo.mainBranch, issue, deps);
  return { ok: true };
}

async function writeRecord(env: CommandEnv, command: Hotfix, sha: string, states: ReturnType<typeof exceptionStates>): Promise<Outcome> {
  const { repo, deps } = env;
  const at = deps.now().toISOString();
  const base = { sha, by: env.actor, at, source: env.comment.id };
  if (command.name === "hotfix-allow") {
    const environment = command.environment ?? repo.config.environments[0];
    if (!environment || /[*?]/.test(environment)) {
      return { ok: false, error: "name the environment: the first gated environment in the config is a pattern" };
    }
    if (!isGatedEnvironment(environment, repo.config.environments)) {
      return { ok: false, error: `${escapeUserText(environment, 100)} is not a gated environment, so it needs no exception` };
    }
    const verdict = decideAllow(states, sha, environment);
    if (!verdict.ok) return verdict;
    const expires = new Date(Date.parse(at) + repo.config.override.ttlHours * 3_600_000).toISOString();
    const second = repo.config.override.approvals === 2 ? ` It needs a second person's \`/hotfix approve ${shortSha(sha)}\` before it can be used.` : "";
    await post(env, `🟠 Exception granted by ${quietLogin(env.actor)}: \`${shortSha(sha)}\` may deploy to ${escapeUserText(environment, 100)} until ${expires} although it is not on \`${repo.mainBranch}\`. Reason: ${escapeUserText(command.reason)}.${second}`, marker("exception", { ...base, env: environment, expires, reason: command.reason }));
    return { ok: true };
  }
  if (command.name === "hotfix-approve") {
    const verdict = decideApprove(states, sha, env.actor, repo.config.override.approvals);
    if (!verdict.ok) return verdict;
    await post(env, `🟢 Second approval by ${quietLogin(env.actor)}: the exception for \`${shortSha(sha)}\` may now be used.`, marker("approval", base));
    return { ok: true };
  }
  const verdict = decideRevoke(states, sha);
  if (!verdict.ok) return verdict;
  await post(env, `⚪ Exception for \`${shortSha(sha)}\` withdrawn by ${quietLogin(env.actor)}.`, marker("revoke", base));
  return { ok: true };
}

async function post(env: CommandEnv, text: string, record: string): Promise<void> {
  await createComment(env.repo.client, env.issue.number, `${text}\n\n${record}`);
}
