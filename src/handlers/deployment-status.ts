import type { Context } from "probot";
import { listDeploymentStatuses } from "../github/deployments.js";
import { isGatedEnvironment } from "../policy/environments.js";
import { decideDeployment } from "../policy/gate.js";
import { describeBypass } from "../policy/bypass.js";
import type { AppDeps } from "../delivery/deps.js";
import { honouredExceptions } from "../incidents/honoured-exceptions.js";
import { openUnapprovedIncident } from "../incidents/open-unapproved-incident.js";
import { recordExceptionDeploy } from "../incidents/record-exception-deploy.js";
import { repoContext } from "../delivery/repo-context.js";

/**
 * `deployment_status` `success` in a gated environment: the moment a commit reached it.
 * 1. on main → nothing to record
 * 2. under an exception (its check run says it is in force, or was used; its incident is open here) → record the deploy time
 * 3. neither → open an incident `Unapproved deploy of <sha> to <env>` with its RCA and merge-back issues
 *    (in shadow mode, only say so in the log: shadow never acts on a deploy)
 * Anything that cannot be verified throws, so the delivery fails and the redelivery sweep tries again.
 */
export function onDeploymentStatus(deps: AppDeps) {
  return async (context: Context<"deployment_status.created">): Promise<void> => {
    const { deployment_status: status, deployment } = context.payload;
    if (status.state !== "success") return;
    const repo = await repoContext(context, deps);
    if (!isGatedEnvironment(deployment.environment, repo.config.environments)) return;
    const ancestry = await deps.ancestry.read(repo.client, repo.mainBranch, deployment.sha);
    if (ancestry.kind === "on-main") return;
    if (ancestry.kind === "unverifiable") throw new Error(`cannot tell whether ${deployment.sha} is on ${repo.mainBranch}: ${ancestry.error}`);
    // The status's own time is when the commit arrived: an exception is judged as it stood then.
    const reachedAt = new Date(status.created_at);
    const exceptions = await honouredExceptions(repo.client, deps.appId, deployment, reachedAt);
    const decision = decideDeployment({
      sha: deployment.sha,
      environment: deployment.environment,
      mainBranch: repo.mainBranch,
      mode: "enforce",
      onApiError: "reject",
      grantRole: repo.config.override.permission,
      ancestry,
      exceptions,
      now: reachedAt,
    });
    const incident = decision.exception?.incident;
    const common = { sha: deployment.sha, environment: deployment.environment, deploymentId: deployment.id, reachedAt: reachedAt.toISOString() };
    if (incident !== undefined) {
      await recordExceptionDeploy(repo, deps, { ...common, incident });
      return;
    }
    if (repo.config.mode === "shadow") {
      context.log.warn({ deployment: deployment.id, sha: deployment.sha, environment: deployment.environment }, "[shadow] enforce mode would open an incident: unapproved deploy");
      return;
    }
    const statuses = await listDeploymentStatuses(repo.client, deployment.id);
    const how = describeBypass({
      creator: deployment.creator?.login ?? "unknown",
      viaApp: deployment.performed_via_github_app?.slug ?? null,
      fromActions: Boolean(context.payload.workflow_run),
      refusedBy: statuses.find((s) => s.state === "failure" && s.performed_via_github_app?.id === deps.appId)?.description ?? null,
    });
    const opened = await openUnapprovedIncident(repo, deps, { ...common, how, creator: deployment.creator?.login ?? "unknown" });
    context.log.warn({ deployment: deployment.id, sha: deployment.sha, environment: deployment.environment, incident: opened.number }, "unapproved deploy: incident opened");
  };
}
