import { z } from "zod";
import { markerValue } from "../markers.js";
import { ROLLBACK_TASK } from "../public-names.js";
import type { RepoClient } from "./client.js";

/**
 * What a rollback deployment's payload says, for the deploy tool and for this app: the incident,
 * the command line that asked for it (its comment id and line number: how a redelivery finds it
 * again), and the deployment whose commit it brings back.
 */
export type RollbackPayload = { mainline: { incident: number; source: string; rollbackOf: number } };

const payloadSchema = z.object({ mainline: z.object({ source: markerValue.source, rollbackOf: z.number().int().positive() }) });

/** A rollback deployment: commit `sha` to `environment`, bringing back what deployment `rollbackOf` ran. */
export type RollbackDeployment = { id: number; sha: string; environment: string; rollbackOf: number };

/**
 * Rollback deployments this app made for one command line, oldest first. Only the app's own count:
 * anyone with write access can create a deployment whose payload names any command line.
 * Bounded: the newest 100 rollbacks of the environment (the line's own is among the newest).
 */
export async function findRollbackDeployments(client: RepoClient, appId: number, environment: string, source: string): Promise<RollbackDeployment[]> {
  const { octokit, owner, repo } = client;
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/deployments", { owner, repo, environment, task: ROLLBACK_TASK, per_page: 100 });
  return data
    .flatMap((d) => {
      const payload = payloadSchema.safeParse(d.payload).data?.mainline;
      const own = d.performed_via_github_app?.id === appId && payload?.source === source;
      return own ? [{ id: Number(d.id), sha: d.sha, environment: d.environment, rollbackOf: payload.rollbackOf }] : [];
    })
    .sort((a, b) => a.id - b.id);
}

/**
 * Creates the deployment of commit `sha` to `environment`. `auto_merge: false`: GitHub must not
 * merge main into the commit (that would deploy another commit); `required_contexts: []`: the
 * commit already ran there, so its statuses are not asked again.
 */
export async function createRollbackDeployment(
  { octokit, owner, repo }: RepoClient,
  deployment: { sha: string; environment: string; payload: RollbackPayload; description: string },
): Promise<RollbackDeployment> {
  const { status, data } = await octokit.request("POST /repos/{owner}/{repo}/deployments", {
    owner,
    repo,
    ref: deployment.sha,
    task: ROLLBACK_TASK,
    auto_merge: false,
    required_contexts: [],
    environment: deployment.environment,
    payload: deployment.payload,
    description: deployment.description,
  });
  // 202 is GitHub's answer when it merged instead of creating: never with auto_merge false.
  if (status !== 201 || !("id" in data)) throw new Error(`GitHub did not create the rollback deployment (${status}): ${"message" in data ? data.message : ""}`);
  return { id: Number(data.id), sha: data.sha, environment: data.environment, rollbackOf: deployment.payload.mainline.rollbackOf };
}

/**
 * A second deployment made for the same command line (two replicas, each past the repository's
 * lock): GitHub deletes only inactive deployments, so it is marked `inactive`, naming the one kept.
 */
export async function retireRollbackDuplicate({ octokit, owner, repo }: RepoClient, deploymentId: number, kept: number): Promise<void> {
  await octokit.request("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
    owner,
    repo,
    deployment_id: deploymentId,
    state: "inactive",
    description: `Duplicate of deployment ${kept}: one /incident rollback makes one deployment.`,
  });
}
