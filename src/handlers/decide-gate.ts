import type { Context } from "probot";
import { CONFIG_PATH, formatProblems } from "../config.js";
import type { AncestryReader } from "../github/ancestry.js";
import { readConfig, type LoadedConfig } from "../github/read-config.js";
import { shouldGate } from "../policy/environments.js";
import { decideDeployment, type Ancestry, type GateDecision } from "../policy/gate.js";

export type GateDeps = { ancestry: AncestryReader; now: () => Date };

export type GateRequest = { sha: string; environment: string };

export type GateResult =
  | { gated: false; loaded: LoadedConfig }
  | { gated: true; loaded: LoadedConfig; decision: GateDecision; mainBranch: string };

/**
 * The recipe both deployment events share: read config → is the environment gated? →
 * ask GitHub where S stands → decide. When a fact cannot be gathered the decision is made
 * as "unverifiable", never skipped, so a failure cannot open the gate.
 */
export async function decideGate(
  context: Context<"deployment" | "deployment_protection_rule">,
  deps: GateDeps,
  request: GateRequest,
): Promise<GateResult> {
  const loaded = await readConfig(context);
  const { config } = loaded;
  if (!shouldGate(request.environment, config.environments, !loaded.unreadable)) return { gated: false, loaded };
  const repository = context.payload.repository;
  const mainBranch = config.mainBranch || repository.default_branch;
  const ancestry: Ancestry = loaded.unreadable
    ? { kind: "unverifiable", error: `could not read ${CONFIG_PATH}: ${loaded.unreadable}` }
    : await readAncestrySafely(context, deps, { mainBranch, sha: request.sha });
  const decision = decideDeployment({
    sha: request.sha,
    environment: request.environment,
    mainBranch,
    mode: config.mode,
    onApiError: config.onApiError,
    grantRole: config.override.permission,
    ancestry,
    // Exceptions granted in incidents are read here once incidents exist; none can be granted yet.
    exceptions: [],
    now: deps.now(),
  });
  const log = context.log.child({ repo: repository.full_name, sha: request.sha, environment: request.environment });
  if (loaded.problems.length > 0) log.warn({ problems: formatProblems(loaded.problems) }, "invalid config: defaults used for the listed keys");
  log.info({ verdict: decision.verdict, enforcedVerdict: decision.enforcedVerdict, outcome: decision.outcome, mode: config.mode }, decision.message);
  return { gated: true, loaded, decision, mainBranch };
}

async function readAncestrySafely(
  context: Context<"deployment" | "deployment_protection_rule">,
  deps: GateDeps,
  target: { mainBranch: string; sha: string },
): Promise<Ancestry> {
  const repository = context.payload.repository;
  try {
    return await deps.ancestry.read(context.octokit, {
      repoId: repository.id,
      owner: repository.owner.login,
      repo: repository.name,
      ...target,
    });
  } catch (error) {
    context.log.error({ err: error }, "ancestry check failed unexpectedly");
    return { kind: "unverifiable", error: "internal error while comparing" };
  }
}

/** Config problems appended to a gate's message, so the person reading it learns the file is wrong. */
export function withConfigProblems(message: string, loaded: LoadedConfig): string {
  if (loaded.problems.length === 0) return message;
  return `${message}\n\nmainline's config is invalid, so defaults were used for: ${formatProblems(loaded.problems).join("; ")}`;
}
