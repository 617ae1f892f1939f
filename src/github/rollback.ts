import type { Ancestry } from "../policy/gate.js";
import { isGatedEnvironment } from "../policy/environments.js";
import type { RollbackCandidate } from "../policy/ledger.js";
import type { RepoClient } from "./client.js";

/**
 * The newest successful deployment of a main commit in each gated environment: what to roll
 * back to. Bounded: the 30 newest deployments, at most 5 looked at per environment.
 */
export async function rollbackCandidates(
  client: RepoClient,
  environments: readonly string[],
  isOnMain: (sha: string) => Promise<Ancestry>,
): Promise<RollbackCandidate[]> {
  const { octokit, owner, repo } = client;
  const { data: deployments } = await octokit.request("GET /repos/{owner}/{repo}/deployments", { owner, repo, per_page: 30 });
  const byEnvironment = new Map<string, typeof deployments>();
  for (const d of deployments.filter((d) => isGatedEnvironment(d.environment, environments))) {
    byEnvironment.set(d.environment, [...(byEnvironment.get(d.environment) ?? []), d]);
  }
  const found: RollbackCandidate[] = [];
  for (const [environment, list] of byEnvironment) {
    for (const d of list.slice(0, 5)) {
      if ((await isOnMain(d.sha)).kind !== "on-main") continue;
      const { data: statuses } = await octokit.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
        owner,
        repo,
        deployment_id: Number(d.id),
        per_page: 100,
      });
      // A later deploy marks earlier ones inactive: what counts is that this one once succeeded.
      if (!statuses.some((s) => s.state === "success")) continue;
      found.push({ environment, sha: d.sha, deploymentId: Number(d.id), createdAt: d.created_at });
      break;
    }
  }
  return found.sort((a, b) => a.environment.localeCompare(b.environment));
}
