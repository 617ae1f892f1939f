import { ensureOnce } from "../../github/ensure-once.js";
import { readIncidentThread } from "../../github/incidents.js";
import { findRollbackCandidate, type RollbackSearch } from "../../github/rollback.js";
import { createRollbackDeployment, findRollbackDeployments, retireRollbackDuplicate, type RollbackDeployment } from "../../github/rollback-deployment.js";
import { ROLLBACK_TASK } from "../../public-names.js";
import { writeRecord } from "../../github/write-record.js";
import { commandEnvironment } from "../../policy/command-environment.js";
import { COMMAND_LOOKS } from "../../policy/rollback.js";
import { escapeUserText, quietLogin, shortSha } from "../../policy/text.js";
import type { RecordFields } from "../../records.js";
import { rewriteLedger } from "../../incidents/refresh-ledger.js";
import type { CommandEnv, Outcome } from "./types.js";

/**
 * `/incident rollback [env]` (write role, open incident: checked before): deploys the environment's
 * rollback candidate, once per command line whatever is delivered twice, retried or run on two replicas.
 * 1. the environment: as named, else the first gated one
 * 2. this line's record → done before (a delivery that failed after it): on to step 4
 * 3. a deployment this app made for this line (its payload names the line) → taken, else the
 *    candidate is found (among the environment's `COMMAND_LOOKS` newest deployments, deeper than
 *    the ledger looks: a few refused ones on top must not hide it) and its deployment created;
 *    looked for again: when another replica made one too, the oldest counts and this one is
 *    marked inactive. Then the record.
 * 4. the ledger; 👍 and the reply naming the deployment and the commit
 */
export async function runRollback(env: CommandEnv, named: string | undefined): Promise<Outcome> {
  const { repo, deps, issue } = env;
  const chosen = commandEnvironment(named, repo.config.environments, "incident-rollback");
  if (!chosen.ok) return chosen;
  const { environment } = chosen;
  const thread = await readIncidentThread(repo.client, issue, deps.records);
  const record = thread.rollbacks.find((r) => r.source === env.source) ?? (await deployOnce(env, environment));
  if ("error" in record) return { ok: false, error: record.error };
  await rewriteLedger(repo, issue, deps);
  return { ok: true, reply: rolledBack(record, repo.mainBranch) };
}

/** Step 3 and the record: the line's deployment (made before, or now) recorded; or why there is none. */
async function deployOnce(env: CommandEnv, environment: string): Promise<RecordFields<"rollback"> | { error: string }> {
  const { repo, deps, issue } = env;
  // Looked for again after it is made: a replica that lost the repository's lock may have made one for this line as well.
  const made = await ensureOnce({
    create: () => deployCandidate(env, environment),
    findAll: () => findRollbackDeployments(repo.client, deps.appId, environment, env.source),
    order: (deployment) => deployment.id,
    retire: (duplicate, kept) => retireRollbackDuplicate(repo.client, duplicate.id, kept.id),
  }).then(
    ({ kept }) => kept,
    (error: unknown) => {
      if (error instanceof NoCandidate) return { error: error.message };
      throw error;
    },
  );
  if ("error" in made) return made;
  const record: RecordFields<"rollback"> = { sha: made.sha, env: environment, deployment: made.id, of: made.rollbackOf, by: env.actor, at: repo.now().toISOString(), source: env.source };
  await writeRecord(repo.client, deps.records.key, { incident: issue.number }, "rollback", record, recordText(record, repo.mainBranch));
  return record;
}

/** Why nothing was made: the environment has no candidate (its message is the reply). */
class NoCandidate extends Error {}

/** Step 3 when nothing was made for the line yet: the candidate's deployment; `NoCandidate` when there is none. */
async function deployCandidate(env: CommandEnv, environment: string): Promise<RollbackDeployment> {
  const { repo, deps, issue } = env;
  const search = await findRollbackCandidate(repo.client, environment, (sha) => deps.ancestry.read(repo.client, repo.mainBranch, sha), deps.appId, COMMAND_LOOKS);
  if (search.kind !== "found") throw new NoCandidate(noCandidate(search, environment, repo.mainBranch));
  const { candidate } = search;
  return createRollbackDeployment(repo.client, {
    sha: candidate.sha,
    environment,
    payload: { mainline: { incident: issue.number, source: env.source, rollbackOf: candidate.deploymentId } },
    description: `Rollback to ${shortSha(candidate.sha)} (incident #${issue.number})`,
  });
}

function noCandidate(search: Extract<RollbackSearch, { kind: "none" }>, environment: string, mainBranch: string): string {
  const where = escapeUserText(environment, 100);
  if (search.looked === 0) return `there is no rollback candidate: ${where} has no deployment`;
  // Fewer than the bound came back: that was every deployment of the environment.
  const among = search.looked === COMMAND_LOOKS ? ` among its ${COMMAND_LOOKS} newest (mainline looks no further)` : "";
  if (search.succeeded === 0) return `there is no rollback candidate: no deployment to ${where} succeeded${among}`;
  return `there is no rollback candidate: no deployment to ${where} that succeeded was of a commit on \`${mainBranch}\`${among}`;
}

function recordText(record: RecordFields<"rollback">, mainBranch: string): string {
  return `↩️ Rollback by ${quietLogin(record.by)}: deployment ${record.deployment} takes ${escapeUserText(record.env, 100)} back to \`${shortSha(record.sha)}\`, the commit of deployment ${record.of}, the last from \`${mainBranch}\` that succeeded there.`;
}

function rolledBack(record: RecordFields<"rollback">, mainBranch: string): string {
  return (
    `↩️ Rolling back ${escapeUserText(record.env, 100)} to \`${record.sha}\`: deployment ${record.deployment} (task \`${ROLLBACK_TASK}\`) deploys what deployment ${record.of} ran, ` +
    `the last deployment there of a commit on \`${mainBranch}\` that succeeded. The deploy tool that listens for deployments carries it out.`
  );
}
