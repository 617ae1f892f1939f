import type { Context } from "probot";
import { CONFIG_PATH, formatProblems, type Config } from "../config.js";
import { describeApiError, isApiError } from "../github/api-error.js";
import type { RepoClient } from "../github/client.js";
import { readIncidents } from "../github/incidents.js";
import { readConfig, type LoadedConfig } from "../github/read-config.js";
import { shouldGate } from "../policy/environments.js";
import { exceptionStates, grantedExceptions } from "../policy/exceptions.js";
import { decideDeployment, type Ancestry, type GateDecision, type GrantedException } from "../policy/gate.js";
import { clientOf } from "./client-of.js";
import type { Deps } from "./deps.js";

export type GateRequest = { sha: string; environment: string };

export type GateResult =
  | { gated: false; loaded: LoadedConfig }
  | { gated: true; loaded: LoadedConfig; decision: GateDecision; mainBranch: string; client: RepoClient; config: Config };

/**
 * The recipe both deployment events share: read config → is the environment gated? →
 * ask GitHub where S stands → decide. When a fact cannot be gathered the decision is made
 * as "unverifiable", never skipped, so a failure cannot open the gate.
 */
export async function decideGate(
  context: Context<"deployment" | "deployment_protection_rule">,
  deps: Deps,
  request: GateRequest,
): Promise<GateResult> {
  const client = clientOf(context);
  const loaded = await readConfig(client);
  const { config } = loaded;
  if (!shouldGate(request.environment, config.environments, !loaded.unreadable)) return { gated: false, loaded };
  const repository = context.payload.repository;
  const mainBranch = config.mainBranch || repository.default_branch;
  const ancestry: Ancestry = loaded.unreadable
    ? { kind: "unverifiable", error: `could not read ${CONFIG_PATH}: ${loaded.unreadable}` }
    : await readAncestrySafely(context, client, deps, { mainBranch, sha: request.sha });
  // Exceptions matter only for a commit not known to be on main; reading them costs a page of incidents.
  const exceptions = ancestry.kind === "on-main" || loaded.unreadable ? { granted: [] } : await readExceptions(client, config, deps);
  const decided = decideDeployment({
    sha: request.sha,
    environment: request.environment,
    mainBranch,
    mode: config.mode,
    onApiError: config.onApiError,
    grantRole: config.override.permission,
    ancestry,
    exceptions: exceptions.granted,
    now: deps.now(),
  });
  const decision = exceptions.error
    ? { ...decided, message: `${decided.message} (mainline could not read the incidents' exceptions: ${exceptions.error})` }
    : decided;
  const log = context.log.child({ repo: repository.full_name, sha: request.sha, environment: request.environment });
  if (loaded.problems.length > 0) log.warn({ problems: formatProblems(loaded.problems) }, "invalid config: defaults used for the listed keys");
  log.info({ verdict: decision.verdict, enforcedVerdict: decision.enforcedVerdict, outcome: decision.outcome, mode: config.mode }, decision.message);
  return { gated: true, loaded, decision, mainBranch, client, config };
}

/**
 * Exceptions granted in open incidents. When they cannot be read the gate goes on without
 * them: it can only refuse more, never allow more.
 */
async function readExceptions(client: RepoClient, config: Config, deps: Deps): Promise<{ granted: GrantedException[]; error?: string }> {
  const now = deps.now();
  try {
    const incidents = await readIncidents(client, config.labels.incident, deps.appId);
    const open = new Set(incidents.map(({ issue }) => issue.number));
    const states = incidents.flatMap(({ thread }) => exceptionStates(thread.records, config.override.approvals, now));
    return { granted: grantedExceptions(states, open) };
  } catch (error) {
    if (!isApiError(error)) throw error;
    return { granted: [], error: describeApiError(error) };
  }
}

async function readAncestrySafely(
  context: Context<"deployment" | "deployment_protection_rule">,
  client: RepoClient,
  deps: Deps,
  target: { mainBranch: string; sha: string },
): Promise<Ancestry> {
  try {
    return await deps.ancestry.read(client, target.mainBranch, target.sha);
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
