import { straightToGitHub } from "../github/delivery-reads.js";
import type { Context } from "probot";
import { NO_DEPLOYMENT_LOCK } from "../coordination/deployment-lock.js";
import { decisionLog, logGateDecision } from "../decision-log.js";
import { markDeploymentRefused, type DeploymentRef } from "../github/deployments.js";
import { refusalLink } from "../policy/refusal-link.js";
import { shortSha } from "../policy/text.js";
import { decideGate } from "../procedures/decide-gate.js";
import { recordExceptionDeploy } from "../incidents/record-exception-deploy.js";
import type { AppDeps, Deps } from "../delivery/deps.js";
import { deliveryScope } from "../delivery/repo-context.js";

/**
 * `deployment.created` from any deploy tool: GitHub cannot be told to wait, so a refusal is
 * written as a `failure` deployment status that well-behaved deploy tools stop on.
 * 1. decide (decide-gate), and log the decision (one line)
 * 2. refused → failure status with a link explaining why (once, when replicas get the delivery at once)
 * 3. allowed under an exception → record it in the incident (with S's merge-back issue, unless S is on main)
 * 4. allowed because on main (and promoted, where a promotion rule applies) → nothing
 */
export function onDeploymentCreated(deps: AppDeps) {
  return async (context: Context<"deployment.created">): Promise<void> => {
    const { deployment, repository } = context.payload;
    const approval = await deps.queue.deciding(() => straightToGitHub(() => decideAndMark(context, deps)));
    // An Actions deployment is recorded by its protection-rule answer; recording it here too would race that.
    if (approval && !context.payload.workflow_run) {
      const deploy = { incident: approval.incident, sha: deployment.sha, environment: deployment.environment, deploymentId: deployment.id, ...(approval.waived ? { waived: approval.waived } : {}), ...(approval.offMain ? { offMain: approval.offMain } : {}) };
      await deps.queue.run(repository.id, () => recordExceptionDeploy(approval, deps, deploy), { afterDecisions: true });
    }
  };
}

/** Steps 1–2 (and 4); what step 3 needs when the deployment is allowed under an exception. */
async function decideAndMark(context: Context<"deployment.created">, deps: AppDeps) {
  const { deployment, repository } = context.payload;
  const decisions = decisionLog(context, deps.metrics);
  const gate = { sha: deployment.sha, environment: deployment.environment, deployment: deployment.id };
  const ref = { owner: repository.owner.login, repo: repository.name, deploymentId: deployment.id };
  const scope = deliveryScope(context, deps);
  let result;
  try {
    result = await decideGate(scope, deps, { fullName: repository.full_name, defaultBranch: repository.default_branch }, { sha: deployment.sha, environment: deployment.environment });
  } catch (error) {
    // A gate that cannot decide refuses: the failure status stops the tool, then the delivery fails for redelivery.
    const description = `Refused: mainline could not decide on ${shortSha(deployment.sha)} (internal error); re-run the deployment.`;
    decisions.log.error({ err: error }, "gate decision failed: marking the deployment refused");
    decisions.decided("gate", "error", { ...gate, verdict: "refuse" }, description);
    await markRefused(context, deps, ref, { description, logUrl: repository.html_url, environment: deployment.environment });
    throw error;
  }
  if (!result.gated) {
    decisions.decided("gate", "not-gated", { ...gate, verdict: "approve" }, `${deployment.environment} is not a gated environment: nothing written.`);
    return undefined;
  }
  const { decision, config, mainBranch } = result;
  logGateDecision(decisions, gate, decision, config.mode);
  if (decision.exception) return { ...scope, config, mainBranch, incident: decision.exception.incident, waived: decision.waived, offMain: result.offMain };
  if (decision.verdict === "approve") return undefined;
  const written = await markRefused(context, deps, ref, {
    description: decision.summary,
    logUrl: refusalLink(repository.html_url, mainBranch, deployment.sha, decision.outcome),
    environment: deployment.environment,
  });
  decisions.log.debug({ deployment: deployment.id, status: written }, "failure status for the refused deployment");
  return undefined;
}

/**
 * The failure status, written once across replicas: under the deployment's own lock, so a copy
 * of this delivery on another replica reads the status this one wrote and writes nothing.
 */
function markRefused(context: Context<"deployment.created">, deps: Deps, ref: DeploymentRef, status: Parameters<typeof markDeploymentRefused>[2]) {
  return (deps.deploymentLock ?? NO_DEPLOYMENT_LOCK).hold(ref.deploymentId, () => markDeploymentRefused(context.octokit, ref, status));
}
