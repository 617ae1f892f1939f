import type { Config } from "../config.js";
import type { RepoClient } from "../github/client.js";
import { readIncidents } from "../github/incidents.js";
import { addLabels, createComment, getIssue, listComments } from "../github/issues.js";
import { ownRecords } from "../github/own-comments.js";
import { hasLabel } from "../github/client.js";
import { marker } from "../markers.js";
import { findCascade } from "../policy/cascade.js";
import { exceptionDeployments } from "../policy/exceptions.js";
import { escapeUserText, shortSha } from "../policy/text.js";
import type { Deps } from "./deps.js";
import { viewIncident } from "./incident-view.js";
import { ensureMergeBackIssue } from "./open-merge-back.js";
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
};

/**
 * A deployment went through under an exception: record it in the incident (once per deployment
 * and stage: let through by the gate, then reached the environment), open the merge-back issue
 * for S at once, flag a cascade, rewrite the ledgers.
 *
 * The gate's record is written the moment GitHub takes the answer, before anything else is read:
 * it is what tells a redelivery (which meets GitHub's earlier answer) that the answer was this
 * approval and not a refusal made while GitHub failed — only then does it finish the bookkeeping.
 */
export async function recordExceptionDeploy(client: RepoClient, config: Config, mainBranch: string, deps: Deps, deploy: ExceptionDeploy): Promise<void> {
  const at = deploy.reachedAt ?? deps.now().toISOString();
  if (deploy.answer === "first") await recordLetThrough(client, deps, deploy, mainBranch, at);
  const incident = await getIssue(client, deploy.incident);
  const view = await viewIncident(client, config, mainBranch, incident, deps);
  const recorded = (deploy.reachedAt ? view.thread.records.deployed : view.thread.records.deploys).some((d) => d.deployment === deploy.deploymentId);
  if (deploy.answer === "earlier" && !recorded) return;
  if (!recorded) await createComment(client, incident.number, deployRecord(deploy, mainBranch, at));
  await ensureMergeBackIssue(client, config, mainBranch, incident, deploy.sha, `was deployed to ${escapeUserText(deploy.environment, 100)} under an exception in incident #${incident.number}`);
  const cascadeIncidents = await labelCascade(client, config, deps, at);
  const affected = new Set([incident.number, ...cascadeIncidents]);
  for (const number of affected) {
    const issue = number === incident.number ? incident : await getIssue(client, number);
    await rewriteLedger(client, config, mainBranch, issue, deps);
  }
}

/** The gate's record, unless the incident's thread already has it (one read, at most one write). */
async function recordLetThrough(client: RepoClient, deps: Deps, deploy: ExceptionDeploy, mainBranch: string, at: string): Promise<void> {
  const comments = await listComments(client, deploy.incident);
  if (ownRecords(comments, deps.appId, "deploy").some((d) => d.deployment === deploy.deploymentId)) return;
  await createComment(client, deploy.incident, deployRecord(deploy, mainBranch, at));
}

function deployRecord(deploy: ExceptionDeploy, mainBranch: string, at: string): string {
  const what = deploy.reachedAt ? `reached ${escapeUserText(deploy.environment, 100)} at ${at}` : `was let through to ${escapeUserText(deploy.environment, 100)}`;
  return [
    `🚀 \`${shortSha(deploy.sha)}\` ${what} under the exception (deployment ${deploy.deploymentId}). It is not on \`${mainBranch}\`: a merge-back issue tracks bringing it there.`,
    marker(deploy.reachedAt ? "deployed" : "deploy", { sha: deploy.sha, env: deploy.environment, deployment: deploy.deploymentId, at }),
  ].join("\n\n");
}

/** Labels every incident in a cascade that includes a deploy within the window before `at`. */
async function labelCascade(client: RepoClient, config: Config, deps: Deps, at: string): Promise<number[]> {
  const since = new Date(Date.parse(at) - config.cascade.windowHours * 3_600_000).toISOString();
  const recent = await readIncidents(client, config.labels.incident, deps.appId, since);
  const deploys = recent.flatMap(({ issue, thread }) => exceptionDeployments(thread.records).map((d) => ({ incident: issue.number, sha: d.sha, env: d.env, at: d.at })));
  const cascade = findCascade(deploys.filter((d) => d.at >= since), config.cascade.windowHours);
  if (!cascade) return [];
  for (const { issue } of recent.filter(({ issue }) => cascade.incidents.includes(issue.number))) {
    if (!hasLabel(issue, config.labels.cascade)) await addLabels(client, issue.number, [config.labels.cascade]);
  }
  return cascade.incidents;
}
