import type { RepoScope } from "../delivery/repo-context.js";
import type { IssueLike } from "../github/client.js";
import { ensureOnce } from "../github/ensure-once.js";
import { createIssue, listIssuesWithLabel, retireDuplicate } from "../github/issues.js";
import { marker, readMarker } from "../markers.js";
import { codeSpan, escapeUserText, shortSha } from "../policy/text.js";
import { issueTitles } from "../public-names.js";
import { becomeIncident } from "./become-incident.js";
import { isOwnIssue } from "../github/own-comments.js";
import type { Deps } from "../delivery/deps.js";
import { ensureMergeBackIssue } from "./open-merge-back.js";

export type UnapprovedDeploy = {
  sha: string;
  environment: string;
  deploymentId: number;
  reachedAt: string;
  /** What GitHub tells about how the deployment got past the gate, one sentence each. */
  how: string[];
  creator: string;
};

/**
 * A commit that is neither on main nor under an exception reached a gated environment: open an
 * incident for it (once per deployment, found again by its body marker), with its RCA issue and
 * a merge-back issue for the commit, so nothing reaches production unrecorded.
 */
export async function openUnapprovedIncident(repo: RepoScope, deps: Deps, deploy: UnapprovedDeploy): Promise<IssueLike> {
  const incident = await ensureUnapprovedIncident(repo, deploy, deps.appId);
  // The item first: becoming an incident ends with the ledger, which must list it (nothing rewrites the ledger after).
  await ensureMergeBackIssue(repo, incident, deploy.sha, `reached ${escapeUserText(deploy.environment, 100)} without approval (deployment ${deploy.deploymentId})`, deps);
  await becomeIncident(repo, incident, deps, { by: deploy.creator, via: "unapproved", deployment: deploy.deploymentId });
  return incident;
}

/**
 * The incident this app opened for the deployment, found by its marker, or opened. A second status
 * or a concurrent redelivery may have opened one too: the oldest counts, a newer one is retired.
 */
async function ensureUnapprovedIncident(repo: RepoScope, deploy: UnapprovedDeploy, appId: number): Promise<IssueLike> {
  const { client } = repo;
  const { kept } = await ensureOnce({
    create: () => createUnapprovedIncident(repo, deploy),
    findAll: () => unapprovedIncidents(repo, deploy.deploymentId, appId),
    order: (issue) => issue.number,
    retire: (duplicate, original) => retireDuplicate(client, duplicate.number, original.number),
  });
  return kept;
}

/** The incidents this app opened for the deployment: its own issues (a body anyone could copy is not enough), marked with the deployment. */
async function unapprovedIncidents({ client, config }: RepoScope, deploymentId: number, appId: number): Promise<IssueLike[]> {
  const incidents = await listIssuesWithLabel(client, config.labels.incident, { state: "all" });
  return incidents.filter((issue) => isOwnIssue(issue, appId) && readMarker(issue.body, "unapproved")?.deployment === deploymentId);
}

function createUnapprovedIncident({ client, config, mainBranch }: RepoScope, deploy: UnapprovedDeploy): Promise<IssueLike> {
  return createIssue(client, {
    title: issueTitles.unapprovedDeploy(shortSha(deploy.sha), deploy.environment),
    body: [
      `Commit \`${deploy.sha}\` reached **${escapeUserText(deploy.environment, 100)}** at ${deploy.reachedAt} (deployment ${deploy.deploymentId}, created by ${codeSpan(deploy.creator, 100)}), although it is not on \`${mainBranch}\` and no exception covers it.`,
      "**How it got past the gate**, as far as GitHub tells:",
      ...deploy.how.map((line) => `- ${line}`),
      `**Now:** roll back to the last deployment of a \`${mainBranch}\` commit (see the ledger below), bring the change to \`${mainBranch}\` (the merge-back issue tracks it), and write the RCA.`,
      marker("unapproved", { deployment: deploy.deploymentId, env: deploy.environment, sha: deploy.sha }),
    ].join("\n\n"),
    labels: [config.labels.incident],
  });
}
