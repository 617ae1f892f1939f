import type { Command } from "../../commands/parse.js";
import { typedCommit } from "./typed-commit.js";
import { readExceptionRuns, writeExceptionRun } from "../../github/exception-runs.js";
import { readIncidentThread } from "../../github/incidents.js";
import { writeRecord } from "../../github/write-record.js";
import { commandEnvironment } from "../../policy/command-environment.js";
import { exceptionRunChanges } from "../../policy/exception-changes.js";
import { exceptionExpiry } from "../../policy/exception-expiry.js";
import { runOf, runStatus, type ExceptionRun } from "../../policy/exception-runs.js";
import { decideAllow, decideApprove, decideRevoke, type ExceptionInForce, type IncidentRecords } from "../../policy/exceptions.js";
import type { Person } from "../../policy/same-person.js";
import { escapeUserText, quietLogin, shortSha } from "../../policy/text.js";
import { rewriteLedger } from "../../incidents/refresh-ledger.js";
import { decideGrant } from "./hotfix-grant.js";
import { promotionWaiver } from "./hotfix-promotion.js";
import type { RecordFields } from "../../records.js";
import type { CommandEnv, Outcome } from "./types.js";

type Hotfix = Extract<Command, { name: "hotfix-allow" | "hotfix-approve" | "hotfix-revoke" }>;

/**
 * `/hotfix allow|approve|revoke`. The exception's state lives in its `mainline/exception` check
 * run (what the gate believes); the record comment, keyed by the command's comment and line, is
 * the copy people read. A redelivered line finds its record and only brings the run up to it.
 */
export async function runHotfix(env: CommandEnv, command: Hotfix): Promise<Outcome> {
  const { repo, deps, issue } = env;
  const typed = await typedCommit(repo.client, command.sha);
  if ("error" in typed) return { ok: false, error: typed.error };
  const { sha } = typed;
  // The runs are read whatever the thread shows: a grant's record may be gone (deleted, its restore not yet run)
  // while its run, what the gate believes, is in force or suspended.
  const [runs, thread] = await Promise.all([readExceptionRuns(repo.client, deps.appId, sha), readIncidentThread(repo.client, issue, deps.records)]);
  const records = thread.records;
  const done = [...records.exceptions, ...records.approvals, ...records.revokes].some((r) => r.source === env.source);
  const grant = records.exceptions.find((r) => r.source === env.source);
  const outcome = done ? await catchUp(env, command, sha, runs, records, grant) : await act(env, command, sha, runs, records);
  if (outcome.ok) await rewriteLedger(repo, issue, deps);
  return outcome;
}

/** This incident's exceptions for S as the commands judge them. */
function judged(env: CommandEnv, runs: readonly ExceptionRun[], records: IncidentRecords): ExceptionInForce[] {
  const now = env.repo.now();
  return runs
    .filter(({ state }) => state.incident === env.issue.number)
    .map((run) => ({ sha: run.state.sha, environment: run.state.env, grantor: grantorOf(run, records), status: runStatus(run.state, now) }));
}

function actorOf(env: CommandEnv): Person {
  return { login: env.actor, account: env.account };
}

/**
 * Who granted a run's exception: the login its run names, and the account id of the grant record
 * it was written for (the same command line); a grant recorded before ids were has none.
 */
function grantorOf(run: ExceptionRun, records: IncidentRecords): Person {
  return { login: run.state.by, account: records.exceptions.find((r) => r.source === run.state.source)?.account };
}

async function act(env: CommandEnv, command: Hotfix, sha: string, runs: ExceptionRun[], records: IncidentRecords): Promise<Outcome> {
  const { repo, deps, issue } = env;
  const now = repo.now();
  const at = now.toISOString();
  const base = { sha, by: env.actor, at, source: env.source };
  // A grant and an approval also name the account: whether an approver is the grantor is decided by it.
  const signed = { ...base, account: env.account };
  const where = { incident: issue.number };
  if (command.name === "hotfix-allow") {
    const chosen = commandEnvironment(command.environment, repo.config.environments, "hotfix-allow");
    if (!chosen.ok) return chosen;
    const { environment } = chosen;
    const verdict = decideAllow(judged(env, runs, records), sha, environment);
    if (!verdict.ok) return verdict;
    const promotion = await promotionWaiver(env, sha, environment);
    if (!promotion.ok) return promotion;
    const discipline = await decideGrant(env, sha, command.reason, promotion);
    if (!discipline.ok) return discipline;
    const expires = exceptionExpiry(now, repo.config.override.ttlHours);
    const second = discipline.note ? ` ${discipline.note}` : "";
    const grant = { ...signed, env: environment, expires, reason: command.reason, ...(discipline.criterion ? { criterion: discipline.criterion } : {}), approvals: discipline.approvals, ...(promotion.waives ? { waives: promotion.waives } : {}) };
    // A commit on main is excepted from its promotion rule only (SPEC 10): the record says what that waives.
    const although = promotion.waives ? `although it did not go through its promotion (${escapeUserText(promotion.waives, 300)}); it is on \`${repo.mainBranch}\`, so nothing needs merging back` : `although it is not on \`${repo.mainBranch}\``;
    await writeRecord(repo.client, deps.records.key, where, "exception", grant, `🟠 Exception granted by ${quietLogin(env.actor)}: \`${shortSha(sha)}\` may deploy to ${escapeUserText(environment, 100)} until ${expires} ${although}. Reason: ${escapeUserText(command.reason)}.${second}`);
    return catchUp(env, command, sha, runs, records, grant);
  }
  if (command.name === "hotfix-approve") {
    const verdict = decideApprove(judged(env, runs, records), sha, actorOf(env), repo.config.override.approvals);
    if (!verdict.ok) return verdict;
    await writeRecord(repo.client, deps.records.key, where, "approval", signed, `🟢 Second approval by ${quietLogin(env.actor)}: the exception for \`${shortSha(sha)}\` may now be used.`);
    return catchUp(env, command, sha, runs, records);
  }
  const verdict = decideRevoke(judged(env, runs, records), sha);
  if (!verdict.ok) return verdict;
  // The run first: a revoke is in force the moment the gate can read it.
  const caughtUp = await catchUp(env, command, sha, runs, records);
  await writeRecord(repo.client, deps.records.key, where, "revoke", base, `⚪ Exception for \`${shortSha(sha)}\` withdrawn by ${quietLogin(env.actor)}.`);
  return caughtUp;
}

/** Brings the check runs up to this command line (idempotent: a run that already says so is left alone). */
async function catchUp(env: CommandEnv, command: Hotfix, sha: string, runs: ExceptionRun[], records: IncidentRecords, grant?: RecordFields<"exception">): Promise<Outcome> {
  const { repo, issue } = env;
  const now = repo.now();
  const mine = runs.filter(({ state }) => state.incident === issue.number);
  if (command.name === "hotfix-allow") {
    if (!grant) return { ok: true };
    const existing = runOf(mine, issue.number, grant.env);
    if (existing?.state.source === env.source) return { ok: true };
    await writeExceptionRun(
      repo.client,
      // What the grant decided (hotfix discipline may ask two where the config asks one); older grants: the config's.
      { incident: issue.number, sha, env: grant.env, by: grant.by, at: grant.at, expires: grant.expires, approvals: grant.approvals ?? repo.config.override.approvals, approved: "", revoked: "", used: "", ended: "", suspended: "", source: env.source },
      now,
      existing,
    );
    return { ok: true };
  }
  const granted = mine.map((run) => ({ run, grantor: grantorOf(run, records) }));
  for (const { run, state } of exceptionRunChanges(command.name, granted, actorOf(env), now)) await writeExceptionRun(repo.client, state, now, run);
  return { ok: true };
}
