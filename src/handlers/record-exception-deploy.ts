import type { Config } from "../config.js";
import type { RepoClient } from "../github/client.js";
import { readIncidents } from "../github/incidents.js";
import { addLabels, createComment, getIssue } from "../github/issues.js";
import { hasLabel } from "../github/client.js";
import { marker } from "../markers.js";
import { findCascade } from "../policy/cascade.js";
import type { GrantedException } from "../policy/gate.js";
import { escapeUserText, shortSha } from "../policy/text.js";
import type { Deps } from "./deps.js";
import { viewIncident } from "./incident-view.js";
import { ensureMergeBackIssue } from "./open-merge-back.js";
import { refreshLedger } from "./refresh-ledger.js";

export type ExceptionDeploy = { exception: GrantedException; sha: string; environment: string; deploymentId: number };

/**
 * A deployment went through under an exception: record it in the incident (once per
 * deployment), open the merge-back issue for S at once, flag a cascade, rewrite the ledgers.
 */
export async function recordExceptionDeploy(client: RepoClient, config: Config, mainBranch: string, deps: Deps, deploy: ExceptionDeploy): Promise<void> {
  const incident = await getIssue(client, deploy.exception.incident);
  const view = await viewIncident(client, config, mainBranch, incident, deps);
  const at = deps.now().toISOString();
  if (!view.thread.records.deploys.some((d) => d.deployment === deploy.deploymentId)) {
    await createComment(
      client,
      incident.number,
      [
        `🚀 \`${shortSha(deploy.sha)}\` went to ${escapeUserText(deploy.environment, 100)} under the exception (deployment ${deploy.deploymentId}). It is not on \`${mainBranch}\`: a merge-back issue tracks bringing it there.`,
        marker("deploy", { sha: deploy.sha, env: deploy.environment, deployment: deploy.deploymentId, at }),
      ].join("\n\n"),
    );
  }
  await ensureMergeBackIssue(client, config, mainBranch, incident, deploy.sha, `was deployed to ${deploy.environment} under an exception in incident #${incident.number}`);
  const cascadeIncidents = await labelCascade(client, config, deps, at);
  const affected = new Set([incident.number, ...cascadeIncidents]);
  for (const number of affected) {
    const issue = number === incident.number ? incident : await getIssue(client, number);
    await refreshLedger(client, config, await viewIncident(client, config, mainBranch, issue, deps), deps);
  }
}

/** Labels every incident in a cascade that includes a deploy within the window before `at`. */
async function labelCascade(client: RepoClient, config: Config, deps: Deps, at: string): Promise<number[]> {
  const since = new Date(Date.parse(at) - config.cascade.windowHours * 3_600_000).toISOString();
  const recent = await readIncidents(client, config.labels.incident, deps.appId, since);
  const deploys = recent.flatMap(({ issue, thread }) => thread.records.deploys.map((d) => ({ incident: issue.number, sha: d.sha, env: d.env, at: d.at })));
  const cascade = findCascade(deploys.filter((d) => d.at >= since), config.cascade.windowHours);
  if (!cascade) return [];
  for (const { issue } of recent.filter(({ issue }) => cascade.incidents.includes(issue.number))) {
    if (!hasLabel(issue, config.labels.cascade)) await addLabels(client, issue.number, [config.labels.cascade]);
  }
  return cascade.incidents;
}
