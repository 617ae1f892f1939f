import { decideGateFor, type GateRequest, type GateResult } from "./gate-decision.js";
import type { Deps } from "../delivery/deps.js";
import type { DeliveryScope } from "../delivery/repo-context.js";

export type { GateRequest, GateResult } from "./gate-decision.js";
export { withConfigProblems } from "./gate-decision.js";

/** What a deployment event's payload says of its repository: its name, and its default branch (main unless config names another). */
export type GatedRepository = { fullName: string; defaultBranch: string };

/**
 * The gate for both deployment events: the client, clock and logger come from the delivery's
 * scope, the decision from the recipe a workflow step runs too (procedures/gate-decision.ts), so
 * the app and `mainline-gate` cannot drift apart.
 */
export async function decideGate(scope: DeliveryScope, deps: Deps, repository: GatedRepository, request: GateRequest): Promise<GateResult> {
  const repo = { ...scope, fullName: repository.fullName, defaultBranch: async () => repository.defaultBranch };
  return decideGateFor(repo, { ancestry: deps.ancestry, appId: deps.appId }, request);
}
