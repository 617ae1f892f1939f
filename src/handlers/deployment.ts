import type { Context } from "probot";
import { decisionLog, logGateDecision } from "../decision-log.js";
import { markDeploymentRefused } from "../github/deployments.js";
import { shortSha } from "../policy/text.js";
import { decideGate } from "./decide-gate.js";
import { recordExceptionDeploy } from "./record-exception-deploy.js";
import type { Deps } from "./deps.js";

/**
 * `deployment.created` from any deploy tool: GitHub cannot be told to wait, so a refusal is
 * written as a `failure` deployment status that well-behaved deploy tools stop on.
 * 1. decide (decide-gate), and log the decision (one line)
 * 2. refused → failure status with a link explaining why
 * 3. allowed under an exception → record it in the incident   4. allowed because on main → nothing
 */
export function onDeploymentCreated(deps: Deps) {
  return async (context: Context<"deployment.created">): Promise<void> => {
    const { deployment, repository } = context.payload;
    const decisions = decisionLog(context);
    const gate = { sha: deployment.sha, environment: deployment.environment, deployment: deployment.id };
    const ref = { owner: repository.owner.login, repo: repository.name, deploymentId: deployment.id };
    let result;
    try {
      result = await decideGate(context, deps, { sha: deployment.sha, environment: deployment.environment });
    } catch (error) {
      // A gate that cannot decide refuses: the failure status stops the tool, then the delivery fails for redelivery.
      const description = `Refused: mainline could not decide on ${shortSha(deployment.sha)} (internal error); re-run the deployment.`;
      decisions.log.error({ err: error }, "gate decision failed: marking the deployment refused");
      decisions.decided("gate", "error", { ...gate, verdict: "refuse" }, description);
      await markDeploymentRefused(context.octokit, ref, { description, logUrl: repository.html_url, environment: deployment.environment });
      throw error;
    }
    if (!result.gated) {
      decisions.decided("gate", "not-gated", { ...gate, verdict: "approve" }, `${deployment.environment} is not a gated environment: nothing written.`);
      return;
    }
    const { decision } = result;
    logGateDecision(decisions, gate, decision, result.config.mode);
    const { exception } = decision;
    // An Actions deployment is recorded by its protection-rule answer; recording it here too would race that.
    if (exception && !context.payload.workflow_run) {
      const deploy = { incident: exception.incident, sha: deployment.sha, environment: deployment.environment, deploymentId: deployment.id };
      await deps.queue.run(repository.id, () => recordExceptionDeploy(result.client, result.config, result.mainBranch, deps, deploy));
    }
    if (decision.verdict === "approve") return;
    const written = await markDeploymentRefused(context.octokit, ref, {
      description: decision.summary,
      logUrl: `${repository.html_url}/compare/${encodeURIComponent(result.mainBranch)}...${deployment.sha}`,
      environment: deployment.environment,
    });
    decisions.log.debug({ deployment: deployment.id, status: written }, "failure status for the refused deployment");
  };
}
