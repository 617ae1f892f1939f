import type { Octokit, RepoClient } from "./client.js";

export type ProtectionRuleAnswer = {
  callbackUrl: string;
  environment: string;
  state: "approved" | "rejected";
  comment: string;
};

const CALLBACK_PATH = /\/repos\/([^/]+)\/([^/]+)\/actions\/runs\/(\d+)\/deployment_protection_rule$/;

/**
 * Answers a custom deployment protection rule. The callback URL's path names the run; the
 * request goes to the API base this app is configured for, so the installation token is never
 * sent to a host taken from a payload.
 */
export async function answerProtectionRule(octokit: Octokit, answer: ProtectionRuleAnswer): Promise<void> {
  const match = CALLBACK_PATH.exec(new URL(answer.callbackUrl).pathname);
  if (!match) throw new Error(`deployment_callback_url is not a deployment protection rule URL: ${answer.callbackUrl}`);
  const [, owner, repo, runId] = match;
  await octokit.request("POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule", {
    owner: decodeURIComponent(owner!),
    repo: decodeURIComponent(repo!),
    run_id: Number(runId),
    environment_name: answer.environment,
    state: answer.state,
    comment: answer.comment,
  });
}

export type DeploymentRef = { owner: string; repo: string; deploymentId: number };

/** The newest statuses of a deployment (who said what about it). */
export async function listDeploymentStatuses({ octokit, owner, repo }: RepoClient, deploymentId: number) {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", { owner, repo, deployment_id: deploymentId, per_page: 100 });
  return data;
}

/**
 * Marks a deployment failed, unless a status with the same description is already there
 * (a redelivered webhook must not stack a second failure on the deployment).
 */
export async function markDeploymentRefused(
  octokit: Octokit,
  ref: DeploymentRef,
  status: { description: string; logUrl: string; environment: string },
): Promise<"written" | "already-there"> {
  const params = { owner: ref.owner, repo: ref.repo, deployment_id: ref.deploymentId };
  const { data: existing } = await octokit.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
    ...params,
    per_page: 100,
  });
  if (existing.some((s) => s.state === "failure" && s.description === status.description)) return "already-there";
  await octokit.request("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
    ...params,
    state: "failure",
    description: status.description,
    log_url: status.logUrl,
    environment: status.environment,
    auto_inactive: false,
  });
  return "written";
}
