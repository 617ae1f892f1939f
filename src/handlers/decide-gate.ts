import type { Context } from "probot";
import { CONFIG_PATH, formatProblems, type Config } from "../config.js";
import { describeApiError, isApiError } from "../github/api-error.js";
import type { RepoClient } from "../github/client.js";
import { readExceptionRuns } from "../github/exception-runs.js";
import { getIssueHere } from "../github/issues.js";
import { readConfig, type LoadedConfig } from "../github/read-config.js";
import { shouldGate } from "../policy/environments.js";
import { exceptionsInForce } from "../policy/exception-runs.js";
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
  // Where S stands and which exceptions its check runs hold are asked together: a decision waits for the slower, not the sum.
  // S already found on main (and main not rewritten since) is approved whatever its exceptions say, so they are not asked.
  const onMain = loaded.unreadable ? undefined : deps.ancestry.known(client, mainBranch, request.sha);
  const [ancestry, exceptions]: [Ancestry, { granted: GrantedException[]; error?: string }] = loaded.unreadable
    ? [{ kind: "unverifiable", error: `could not read ${CONFIG_PATH}: ${loaded.unreadable}` }, { granted: [] }]
    : onMain
      ? [onMain, { granted: [] }]
      : await Promise.all([readAncestrySafely(context, client, deps, { mainBranch, sha: request.sha }), readExceptions(client, deps, request)]);
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
 * The exceptions in force for (S, E): their state from this app's check runs on S, each honoured
 * only while its incident is an open issue of this repository — a close or transfer also ends
 * them in the runs, but a lost event or a deleted issue must not leave one in force. When they
 * cannot be read the gate goes on without them: it can only refuse more.
 */
async function readExceptions(client: RepoClient, deps: Deps, request: GateRequest): Promise<{ granted: GrantedException[]; error?: string }> {
  try {
    const candidates = exceptionsInForce(await readExceptionRuns(client, deps.appId, request.sha), request.sha, request.environment, deps.now());
    const open = new Set<number>();
    await Promise.all([...new Set(candidates.map((e) => e.incident))].map(async (number) => (await getIssueHere(client, number))?.state === "open" && open.add(number)));
    return { granted: candidates.filter((e) => open.has(e.incident)) };
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
