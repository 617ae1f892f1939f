import type { Context } from "probot";
import { decideGateFor, type GateRequest, type GateResult } from "./gate-decision.js";
import { clientOf } from "../delivery/client-of.js";
import type { Deps } from "../delivery/deps.js";

export type { GateRequest, GateResult } from "./gate-decision.js";
export { withConfigProblems } from "./gate-decision.js";

/**
 * The gate for both deployment events: the repository and the logger come from the webhook,
 * the decision from the recipe a workflow step runs too (procedures/gate-decision.ts), so the
 * app and `mainline-gate` cannot drift apart.
 */
export async function decideGate(context: Context<"deployment" | "deployment_protection_rule">, deps: Deps, request: GateRequest): Promise<GateResult> {
  const { repository } = context.payload;
  const repo = { client: clientOf(context), fullName: repository.full_name, defaultBranch: async () => repository.default_branch };
  return decideGateFor(repo, { ancestry: deps.ancestry, appId: deps.appId, now: deps.now, log: context.log }, request);
}
