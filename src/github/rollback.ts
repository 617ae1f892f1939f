import { STATUS_PAGE, type DeploymentFacts } from "../policy/deployment-history.js";
import { isGatedEnvironment } from "../policy/environments.js";
import type { Ancestry } from "../policy/gate.js";
import type { RollbackCandidate } from "../policy/ledger.js";
import { ROLLBACK_LOOKS, rollbackCandidate, rollbackLooks, rollbackOrder } from "../policy/rollback.js";
import type { RepoClient } from "./client.js";
import { deploymentFactsOf, statusFactsOf } from "./deployments.js";

/** The rollback candidate of one environment, or why there is none (how many of its newest deployments were looked at, how many of those succeeded). */
export type RollbackSearch = { kind: "found"; candidate: RollbackCandidate } | { kind: "none"; looked: number; succeeded: number };

type IsOnMain = (sha: string) => Promise<Ancestry>;

/**
 * The last deployment of `environment` that was on main and succeeded (policy/rollback.ts): its
 * `ROLLBACK_LOOKS` newest deployments, their statuses, then their commits in `rollbackOrder`'s
 * order until one is on main. `/incident rollback` and the ledger both ask this. A commit GitHub
 * could not place throws, like any read that failed: an older candidate behind it might not be the
 * last, so the delivery fails and its redelivery asks again. `appId` tells this app's own statuses
 * and deployments (deployment-history.ts: a deployment this app refused is never a candidate).
 */
export async function findRollbackCandidate(client: RepoClient, environment: string, isOnMain: IsOnMain, appId: number): Promise<RollbackSearch> {
  const { octokit, owner, repo } = client;
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/deployments", { owner, repo, environment, per_page: ROLLBACK_LOOKS });
  const looked = rollbackLooks(environment, data.map((d) => deploymentFactsOf(d, appId)));
  const facts: DeploymentFacts[] = await Promise.all(
    looked.map(async (d) => {
      const { data: statuses } = await octokit.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", { owner, repo, deployment_id: d.id, per_page: STATUS_PAGE });
      // Read as the gate reads them: the candidate is a deployment whose own deploy tool reported it, as the gate's rollback-target exemption asks.
      return { ...d, statuses: statuses.map((s) => statusFactsOf(s, appId)) };
    }),
  );
  const onMain = new Set<string>();
  const order = rollbackOrder(environment, facts);
  for (const d of order) {
    const ancestry = await isOnMain(d.sha);
    if (ancestry.kind === "unverifiable") throw new Error(`could not tell whether ${d.sha} (deployment ${d.id}) is on main: ${ancestry.error}`);
    if (ancestry.kind !== "on-main") continue;
    onMain.add(d.sha);
    break;
  }
  const candidate = rollbackCandidate(environment, facts, (sha) => onMain.has(sha));
  return candidate ? { kind: "found", candidate } : { kind: "none", looked: looked.length, succeeded: order.length };
}

/** How many of the repository's newest deployments show which environments a glob in `environments` names. */
const NAMES_FROM = 30;
/**
 * How many environments only a glob names the ledger searches (up to 11 requests each), the most
 * recently deployed first: anyone who can create deployments names them, so their number is theirs.
 */
export const GLOB_ENVIRONMENTS_SEARCHED = 3;

/**
 * The rollback candidate of each gated environment, for the ledger: an environment the config
 * names is searched by that name; one only a glob names, when it is among the environments of the
 * repository's `NAMES_FROM` newest deployments, at most `GLOB_ENVIRONMENTS_SEARCHED` of them
 * (`/incident rollback <env>` searches any other).
 */
export async function rollbackCandidates(client: RepoClient, environments: readonly string[], isOnMain: IsOnMain, appId: number): Promise<RollbackCandidate[]> {
  const names = environments.filter((e) => !/[*?]/.test(e));
  if (names.length < environments.length) {
    const { octokit, owner, repo } = client;
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/deployments", { owner, repo, per_page: NAMES_FROM });
    const named = new Set(names.map((n) => n.toLowerCase()));
    const globbed = data.map((d) => d.environment).filter((e) => !named.has(e.toLowerCase()) && isGatedEnvironment(e, environments));
    names.push(...[...new Map(globbed.map((e) => [e.toLowerCase(), e])).values()].slice(0, GLOB_ENVIRONMENTS_SEARCHED));
  }
  const distinct = [...new Map(names.map((n) => [n.toLowerCase(), n])).values()];
  // A commit deployed to several environments is placed once.
  const asked = new Map<string, Promise<Ancestry>>();
  const placed: IsOnMain = (sha) => asked.get(sha) ?? asked.set(sha, isOnMain(sha)).get(sha)!;
  const searches = await Promise.all(distinct.map((environment) => findRollbackCandidate(client, environment, placed, appId)));
  return searches.flatMap((s) => (s.kind === "found" ? [s.candidate] : [])).sort((a, b) => a.environment.localeCompare(b.environment));
}
