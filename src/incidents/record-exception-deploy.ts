import type { RepoScope } from "../delivery/repo-context.js";
import { readExceptionRuns, writeExceptionRun } from "../github/exception-runs.js";
import { readIncidentThread, readIncidents } from "../github/incidents.js";
import { forgetReads } from "../github/delivery-reads.js";
import { addLabels, getIssue } from "../github/issues.js";
import { hasLabel } from "../github/client.js";
import { writeRecord } from "../github/write-record.js";
import { runOf } from "../policy/exception-runs.js";
import { findCascade } from "../policy/cascade.js";
import { exceptionDeployments } from "../policy/exceptions.js";
import { escapeUserText, shortSha } from "../policy/text.js";
import type { Deps } from "../delivery/deps.js";
import { ensureMergeBackIssue } from "./open-merge-back.js";
import { gateClosedIncident } from "./close-gate.js";
import { rewriteLedger } from "./refresh-ledger.js";

export type ExceptionDeploy = {
  incident: number;
  sha: string;
  environment: string;
  deploymentId: number;
  /** When the deployment reached the environment (its `success` status); absent when the gate just let it through. */
  reachedAt?: string;
  /**
   * How the gate's answer went: `first` — GitHub just took it, so no record of this deployment
   * can exist yet; `earlier` — GitHub already held one (a redelivery). Absent for statuses.
   */
  answer?: "first" | "earlier";
  /** S is on main and the exception let it skip its promotion rule: `after` is the environment it skipped. Nothing to merge back. */
  waived?: { after: string };
  /** git showed S off main as the gate decided (not when the compare failed): its deployment is no rollback candidate. */
  offMain?: true;
};

/**
 * A deployment went through under an exception: record it in the incident (once per deployment
 * and stage: let through by the gate, then reached the environment) together with the merge-back
 * issue for S, opened at once (none for a commit on main: SPEC section 10); flag a cascade;
 * rewrite the ledgers.
 *
 * The gate's record is written the moment GitHub takes the answer (after only the merge-back
 * issue, which it names): it is what tells a redelivery (which meets GitHub's earlier answer)
 * that the answer was this approval and not a refusal made while GitHub failed — only then does
 * it finish the bookkeeping. One record names both the deploy and the item: each comment costs
 * GitHub's pacing of content creation, and a delivery must answer within ten seconds.
 */
export async function recordExceptionDeploy(repo: RepoScope, deps: Deps, deploy: ExceptionDeploy): Promise<void> {
  const { client } = repo;
  // It runs in the repository's turn, after a decision made outside it: what the decision read may have changed.
  forgetReads(client.octokit);
  const at = deploy.reachedAt ?? repo.now().toISOString();
  const incident = await getIssue(client, deploy.incident);
  let thread = await readIncidentThread(client, incident, deps.records);
  const recorded = () => (deploy.reachedAt ? thread.records.deployed : thread.records.deploys).some((d) => d.deployment === deploy.deploymentId);
  if (deploy.answer === "earlier" && !recorded()) return;
  if (!recorded()) {
    const why = `was deployed to ${escapeUserText(deploy.environment, 100)} under an exception in incident #${incident.number}`;
    const item = deploy.waived ? undefined : await ensureMergeBackIssue(repo, incident, deploy.sha, why, deps, { record: false, thread });
    await writeDeployRecord(repo, deps, deploy, at, item?.number);
    thread = await readIncidentThread(client, incident, deps.records);
  }
  await markUsed(repo, deps, deploy, at);
  const cascadeIncidents = await labelCascade(repo, deps, at);
  const affected = new Set([incident.number, ...cascadeIncidents]);
  for (const number of affected) {
    const issue = number === incident.number ? incident : await getIssue(client, number);
    await rewriteLedger(repo, issue, deps, deploy.offMain ? { offMain: [deploy.sha] } : {});
  }
  // Closed while this deploy was being let through (before this turn; a close after it is gated in its own): the item just recorded must block it too.
  if (incident.state === "closed") await gateClosedIncident(repo, incident, deps);
}

/** The deploy record: with S's merge-back item, or (S on main, its promotion waived) with the environment it skipped. */
function writeDeployRecord({ client, mainBranch }: RepoScope, deps: Deps, deploy: ExceptionDeploy, at: string, issue: number | undefined) {
  const what = deploy.reachedAt ? `reached ${escapeUserText(deploy.environment, 100)} at ${at}` : `was let through to ${escapeUserText(deploy.environment, 100)}`;
  const lead = `🚀 \`${shortSha(deploy.sha)}\` ${what} under the exception`;
  const after = deploy.waived?.after;
  const [item, text] =
    issue === undefined
      ? [{ skipped: after }, `${lead}, skipped ${escapeUserText(after ?? "", 100)} (deployment ${deploy.deploymentId}). It is on \`${mainBranch}\`: nothing needs merging back.`]
      : [{ issue }, `${lead} (deployment ${deploy.deploymentId}). It is not on \`${mainBranch}\`: #${issue} tracks bringing it there, and this incident cannot close before it is done.`];
  const fields = { sha: deploy.sha, env: deploy.environment, deployment: deploy.deploymentId, at, ...item };
  return writeRecord(client, deps.records.key, { incident: deploy.incident }, deploy.reachedAt ? "deployed" : "deploy", fields, text);
}

/** The exception's run says it was used: it then stays valid for re-running that deploy while the incident is open, and never expires unused. */
async function markUsed({ client, now }: RepoScope, deps: Deps, deploy: ExceptionDeploy, at: string): Promise<void> {
  const run = runOf(await readExceptionRuns(client, deps.appId, deploy.sha), deploy.incident, deploy.environment);
  if (!run || run.state.used || run.state.ended) return;
  await writeExceptionRun(client, { ...run.state, used: at }, now(), run);
}

/** Labels every incident in a cascade that includes a deploy within the window before `at`. */
async function labelCascade({ client, config }: RepoScope, deps: Deps, at: string): Promise<number[]> {
  const since = new Date(Date.parse(at) - config.cascade.windowHours * 3_600_000).toISOString();
  const recent = await readIncidents(client, config.labels.incident, deps.records, since);
  const deploys = recent.flatMap(({ issue, thread }) => exceptionDeployments(thread.records).map((d) => ({ incident: issue.number, sha: d.sha, env: d.env, at: d.at })));
  const cascade = findCascade(deploys.filter((d) => d.at >= since), config.cascade.windowHours);
  if (!cascade) return [];
  for (const { issue } of recent.filter(({ issue }) => cascade.incidents.includes(issue.number))) {
    if (!hasLabel(issue, config.labels.cascade)) await addLabels(client, issue.number, [config.labels.cascade]);
  }
  return cascade.incidents;
}
