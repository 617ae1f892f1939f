import type { Context } from "probot";
import { markDeploymentRefused } from "../github/deployments.js";
import { decideGate, type GateDeps } from "./decide-gate.js";

/**
 * `deployment.created` from any deploy tool: GitHub cannot be told to wait, so a refusal is
 * written as a `failure` deployment status that well-behaved deploy tools stop on.
 * 1. decide (decide-gate)   2. refused → failure status with a link explaining why   3. allowed → nothing
 */
export function onDeploymentCreated(deps: GateDeps) {
  return async (context: Context<"deployment.created">): Promise<void> => {
    const { deployment, repository } = context.payload;
    const result = await decideGate(context, deps, { sha: deployment.sha, environment: deployment.environment });
    if (!result.gated || result.decision.verdict === "approve") return;
    const outcome = await markDeploymentRefused(
      context.octokit,
      { owner: repository.owner.login, repo: repository.name, deploymentId: deployment.id },
      {
        description: result.decision.summary,
        logUrl: `${repository.html_url}/compare/${encodeURIComponent(result.mainBranch)}...${deployment.sha}`,
        environment: deployment.environment,
      },
    );
    context.log.info({ deployment: deployment.id, outcome }, "deployment marked refused");
  };
}
