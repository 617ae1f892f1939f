import { everSucceeded, newestFirst, sameEnvironment, type DeploymentFacts } from "./deployment-history.js";
import type { RollbackCandidate } from "./ledger.js";

/** How many of an environment's newest deployments the search looks at, as the ledger's has from the start. */
export const ROLLBACK_LOOKS = 5;

/**
 * The deployments that may be `environment`'s rollback candidate, best first: those among its
 * `ROLLBACK_LOOKS` newest that once succeeded. The candidate (SPEC section 10: the last deployment
 * of that environment that was on main and succeeded) is the first of them whose commit is on
 * main, so the caller asks about each commit in this order and stops at the first yes.
 */
export function rollbackOrder(environment: string, deployments: readonly DeploymentFacts[]): DeploymentFacts[] {
  return rollbackLooks(environment, deployments).filter(everSucceeded);
}

/** The deployments the search looks at: `environment`'s `ROLLBACK_LOOKS` newest (whose statuses the caller reads before `rollbackOrder`). */
export function rollbackLooks<D extends Omit<DeploymentFacts, "statuses">>(environment: string, deployments: readonly D[]): D[] {
  return deployments
    .filter((d) => sameEnvironment(d.environment, environment))
    .sort(newestFirst)
    .slice(0, ROLLBACK_LOOKS);
}

/** The rollback candidate, given what the caller learnt of each commit in `rollbackOrder`'s order (a commit it did not ask about is not on main). */
export function rollbackCandidate(environment: string, deployments: readonly DeploymentFacts[], isOnMain: (sha: string) => boolean): RollbackCandidate | undefined {
  const found = rollbackOrder(environment, deployments).find((d) => isOnMain(d.sha));
  return found && { environment: found.environment, sha: found.sha, deploymentId: found.id, createdAt: found.createdAt };
}
