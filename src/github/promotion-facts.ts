import type { DeploymentFacts, StatusFacts } from "../policy/deployment-history.js";
import { PROMOTION_READ, type PromotionInput } from "../policy/promotion.js";
import { describeApiError, isApiError } from "./api-error.js";
import type { RepoClient } from "./client.js";
import { deploymentFactsOf, statusFactsOf } from "./deployments.js";

/**
 * S's deployment history in the environments a promotion rule names (`promotionReads`): for each,
 * one page of S's newest deployments there (`GET …/deployments?sha=S&environment=E`, newest first),
 * then one page of each one's statuses (newest first), all asked at once. Pages are passed whole,
 * so that the policy sees a full one and says it could not verify (PROMOTION_READ): at most
 * 2 + 2 × `PROMOTION_READ.deployments` requests. When GitHub cannot be asked, why. `appId` tells
 * this app's own statuses and deployments (deployment-history.ts: a deployment it refused never succeeded).
 *
 * GitHub's "List deployments" documents `sha` as "the SHA recorded at creation time" and
 * `environment` as "the name of the environment that was deployed to", without saying whether the
 * name is matched in any case: a deployment the filter leaves out is only a fact the gate lacks, so
 * it refuses (the policy compares names case-insensitively among what it is given).
 */
export async function readPromotionHistory(client: RepoClient, sha: string, environments: readonly string[], appId: number): Promise<PromotionInput["history"]> {
  try {
    const lists = await Promise.all(environments.map((environment) => listDeploymentsOf(client, sha, environment, appId)));
    return await Promise.all(lists.flat().map(async (deployment) => ({ ...deployment, statuses: await listStatuses(client, deployment.id, appId) })));
  } catch (error) {
    if (!isApiError(error)) throw error;
    return { error: describeApiError(error) };
  }
}

async function listDeploymentsOf({ octokit, owner, repo }: RepoClient, sha: string, environment: string, appId: number): Promise<Array<Omit<DeploymentFacts, "statuses">>> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/deployments", { owner, repo, sha, environment, per_page: PROMOTION_READ.deployments });
  return data.map((d) => deploymentFactsOf(d, appId));
}

async function listStatuses({ octokit, owner, repo }: RepoClient, deploymentId: number, appId: number): Promise<StatusFacts[]> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", { owner, repo, deployment_id: deploymentId, per_page: PROMOTION_READ.statuses });
  return data.map((s) => statusFactsOf(s, appId));
}
