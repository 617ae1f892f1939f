import { straightToGitHub } from "../github/delivery-reads.js";
import type { Context } from "probot";
import { decisionLog, logGateDecision } from "../decision-log.js";
import { isApiError } from "../github/api-error.js";
import { answerProtectionRule } from "../github/deployments.js";
import { protectionRuleTarget, undecidedMessage } from "../policy/gate.js";
import { notGatedMessage } from "../procedures/gate-decision.js";
import { decideGate, withConfigProblems } from "../procedures/decide-gate.js";
import { recordExceptionDeploy } from "../incidents/record-exception-deploy.js";
import type { AppDeps } from "../delivery/deps.js";
import { deliveryScope } from "../delivery/repo-context.js";
import { untilLockAvailable } from "../delivery/until-lock-available.js";

/**
 * `deployment_protection_rule.requested`: GitHub Actions waits on this app before deploying.
 * 1. read the commit and environment from the payload
 * 2. decide (decide-gate), and log the decision (one line)
 * 3. answer through the callback — always, even when deciding failed
 * 4. allowed under an exception → record it in the incident (after answering, and after the
 *    decisions then in flight: the deploy should not wait on bookkeeping; a failure here fails
 *    the delivery so it can be redelivered, except that the repository's lock is waited for when
 *    GitHub took this very answer: a redelivery could not tell it was ours, until-lock-available.ts)
 */
export function onDeploymentProtectionRule(deps: AppDeps) {
  return async (context: Context<"deployment_protection_rule.requested">): Promise<void> => {
    const { payload } = context;
    const approval = await deps.queue.deciding(() => straightToGitHub(() => decideAndAnswer(context, deps)));
    if (approval && payload.deployment) {
      const deploy = { ...approval.deploy, deploymentId: payload.deployment.id };
      const record = () => deps.queue.run(payload.repository.id, () => recordExceptionDeploy(approval, deps, deploy), { afterDecisions: true });
      await (deploy.answer === "first" ? untilLockAvailable(record) : record());
    }
  };
}

/** Steps 1–3; what step 4 needs when the answer let a deploy through under an exception. */
async function decideAndAnswer(context: Context<"deployment_protection_rule.requested">, deps: AppDeps) {
  const { payload } = context;
  const decisions = decisionLog(context, deps.metrics);
  const { callbackUrl, environment, sha } = protectionRuleTarget(payload);
  if (!callbackUrl || !environment) {
    decisions.log.error({ hasCallback: Boolean(callbackUrl), environment }, "protection rule request without a callback URL or environment: cannot answer");
    return undefined;
  }
  const gate = { sha, environment, deployment: payload.deployment?.id };
  const answer = (state: "approved" | "rejected", comment: string) =>
    answerProtectionRule(context.octokit, { callbackUrl, environment, state, comment });
  if (!sha) {
    const comment = "mainline refused: the request names no commit, so it cannot be checked against main.";
    decisions.decided("gate", "no-commit", { ...gate, verdict: "refuse" }, comment);
    await answer("rejected", comment);
    return undefined;
  }
  const scope = deliveryScope(context, deps);
  let result;
  try {
    result = await decideGate(scope, deps, { fullName: payload.repository.full_name, defaultBranch: payload.repository.default_branch }, { sha, environment });
  } catch (error) {
    const comment = undecidedMessage(sha);
    decisions.log.error({ err: error }, "gate decision failed: rejecting");
    decisions.decided("gate", "error", { ...gate, verdict: "refuse" }, comment);
    await answer("rejected", comment);
    return undefined;
  }
  if (!result.gated) {
    const notGated = notGatedMessage(environment);
    decisions.decided("gate", "not-gated", { ...gate, verdict: "approve" }, notGated);
    await answer("approved", withConfigProblems(notGated, result.loaded));
    return undefined;
  }
  const { decision } = result;
  logGateDecision(decisions, gate, decision, result.config.mode);
  const state = decision.verdict === "approve" ? "approved" : "rejected";
  let answered: "first" | "earlier" = "first";
  try {
    // "earlier-or-ours": an attempt whose outcome is unknown, then GitHub said it holds an answer.
    // Most likely ours, but it may be an earlier delivery's refusal: recorded only as an earlier answer would be.
    if ((await answer(state, withConfigProblems(decision.message, result.loaded))) === "earlier-or-ours") answered = "earlier";
  } catch (error) {
    // 422: GitHub already holds this run's answer (a redelivery) and keeps the first one.
    if (!(isApiError(error) && error.status === 422)) throw error;
    decisions.log.info({ status: 422 }, "protection rule already answered");
    answered = "earlier";
  }
  const { exception } = decision;
  if (!exception) return undefined;
  const { config, mainBranch } = result;
  const facts = { ...(decision.waived ? { waived: decision.waived } : {}), ...(result.offMain ? { offMain: result.offMain } : {}) };
  return { ...scope, config, mainBranch, deploy: { incident: exception.incident, sha, environment, answer: answered, ...facts } };
}
