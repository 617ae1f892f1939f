import { STATUS_PAGE, type StatusFacts } from "../policy/deployment-history.js";
import { isGatedEnvironment } from "../policy/environments.js";
import type { Ancestry } from "../policy/gate.js";
import { LEDGER_LOOKS, rollbackStep, type RollbackCandidate, type RollbackKnowledge } from "../policy/rollback.js";
import type { RepoClient } from "./client.js";
import { deploymentFactsOf, statusFactsOf } from "./deployments.js";

/** The rollback candidate of one environment, or why there is none (how many of its newest deployments were looked at, how many of those succeeded). */
export type RollbackSearch = { kind: "found"; candidate: RollbackCandidate } | { kind: "none"; looked: number; succeeded: number };

type IsOnMain = (sha: string) => Promise<Ancestry>;

/**
 * The last deployment of `environment` that was on main and succeeded, among its `looks` newest
 * (`LEDGER_LOOKS` or `COMMAND_LOOKS`): one page of them, then what `rollbackStep` asks, statuses a
 * few deployments at a time and commits one at a time, until it decides. A commit GitHub could not
 * place throws, like any read that failed: an older candidate behind it might not be the last, so
 * the delivery fails and its redelivery asks again. `appId` tells this app's own statuses and
 * deployments (deployment-history.ts: a deployment this app refused is never a candidate).
 * `offMain`: commits the caller knows are off main (its statuses then need no read).
 */
export async function findRollbackCandidate(
  client: RepoClient,
  environment: string,
  isOnMain: IsOnMain,
  appId: number,
  looks: number,
  offMain: readonly string[] = [],
): Promise<RollbackSearch> {
  const { octokit, owner, repo } = client;
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/deployments", { owner, repo, environment, per_page: looks });
  const statuses = new Map<number, readonly StatusFacts[]>();
  const onMain = new Map<string, boolean>(offMain.map((sha) => [sha, false]));
  const known: RollbackKnowledge = { environment, looks, listed: data.map((d) => deploymentFactsOf(d, appId)), statuses, onMain };
  for (let step = rollbackStep(known); ; step = rollbackStep(known)) {
    if (step.kind === "found" || step.kind === "none") return step;
    if (step.kind === "ask-on-main") {
      const ancestry = await isOnMain(step.sha);
      if (ancestry.kind === "unverifiable") throw new Error(`could not tell whether ${step.sha} is on main: ${ancestry.error}`);
      onMain.set(step.sha, ancestry.kind === "on-main");
      continue;
    }
    const read = await Promise.all(
      step.deployments.map(async (d) => {
        const { data: list } = await octokit.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", { owner, repo, deployment_id: d.id, per_page: STATUS_PAGE });
        // Read as the gate reads them: the candidate is a deployment whose own deploy tool reported it, as the gate's rollback-target exemption asks.
        return [d.id, list.map((s) => statusFactsOf(s, appId))] as const;
      }),
    );
    for (const [id, list] of read) statuses.set(id, list);
  }
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
export async function rollbackCandidates(
  client: RepoClient,
  environments: readonly string[],
  isOnMain: IsOnMain,
  appId: number,
  offMain: readonly string[] = [],
): Promise<RollbackCandidate[]> {
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
  const searches = await Promise.all(distinct.map((environment) => findRollbackCandidate(client, environment, placed, appId, LEDGER_LOOKS, offMain)));
  return searches.flatMap((s) => (s.kind === "found" ? [s.candidate] : [])).sort((a, b) => a.environment.localeCompare(b.environment));
}
