import { formatProblems, type Config } from "../config.js";
import { CONFIG_PATH } from "../public-names.js";
import type { AncestryReader } from "../github/ancestry.js";
import { describeApiError, isApiError } from "../github/api-error.js";
import type { RepoClient } from "../github/client.js";
import { readPromotionHistory } from "../github/promotion-facts.js";
import { readConfig, type LoadedConfig, type NotOwnFile } from "../github/read-config.js";
import { shouldGate } from "../policy/environments.js";
import { coveringException, decideDeployment, type Ancestry, type GateDecision, type GatePromotion, type GrantedException } from "../policy/gate.js";
import { sameEnvironment } from "../policy/deployment-history.js";
import { decidePromotion, promotionReads, type PromotionDecision, type PromotionInput } from "../policy/promotion.js";
import { shortSha } from "../policy/text.js";
import { honouredExceptions } from "../incidents/honoured-exceptions.js";

export type GateRequest = { sha: string; environment: string };

export type GateResult =
  | { gated: false; loaded: LoadedConfig }
  | { gated: true; loaded: LoadedConfig; decision: GateDecision; mainBranch: string; config: Config; /** git showed S off main as the gate decided. */ offMain?: true };

/** The few logger calls a decision makes (each surface logs its decision itself): a delivery's (pino) logger fits, and so does the command line's. */
export type GateLogger = {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
};

/**
 * The repository a decision is about, as the delivery (or the workflow step) asking sees it: its
 * client, clock and logger; a webhook knows its default branch, the command line asks for it only
 * when config does not name main.
 */
export type GateRepository = { client: RepoClient; now: () => Date; log: GateLogger; fullName: string; defaultBranch: () => Promise<string> };

export type GateDeps = {
  ancestry: Pick<AncestryReader, "read" | "known">;
  /** Only this app's check runs hold exceptions. */
  appId: number;
};

export type GateOptions = {
  /**
   * For a workflow step, whose token is not the app's: decide only on the repository's own
   * config file (read-config.ts, `requireOwnFile`); any other source refuses, whatever it says.
   */
  requireOwnConfigFile?: boolean;
};

/**
 * The gate's recipe, the same for a webhook and for a workflow step: read config → is the
 * environment gated? → ask GitHub where S stands (and which exceptions cover it) → for a commit on
 * main under a promotion rule that no exception covers, read its deployments → decide. When a fact
 * cannot be gathered the decision is made as "unverifiable", never skipped, so a failure cannot
 * open the gate.
 */
export async function decideGateFor(repository: GateRepository, deps: GateDeps, request: GateRequest, options: GateOptions = {}): Promise<GateResult> {
  const { client } = repository;
  const loaded = await readConfig(client, { requireOwnFile: options.requireOwnConfigFile === true });
  const { config } = loaded;
  // Which environments are gated, and how, is unknown: every one is refused, shadow mode included.
  if (loaded.notOwnFile) {
    const decision = configNotVerifiable(repository.fullName, request, loaded.notOwnFile);
    return { gated: true, loaded, decision, mainBranch: config.mainBranch || "the default branch", config };
  }
  if (!shouldGate(request.environment, config.environments, !loaded.unreadable)) return { gated: false, loaded };
  const main = config.mainBranch ? { name: config.mainBranch } : await defaultBranchOf(repository);
  const mainBranch = main.name;
  const reads = promotionReads(request.environment, config.promotion);
  // Where S stands and which exceptions its check runs hold are asked together: a decision waits for the slower, not the sum.
  // S already found on main (and main not rewritten since) is approved whatever its exceptions say, so they are not asked,
  // unless a promotion rule applies: an exception then waives the rule.
  const onMain = loaded.unreadable || main.error ? undefined : deps.ancestry.known(client, mainBranch, request.sha);
  // S's deployments in the rule's `after` are asked with where S stands, not after it: one round trip less for the
  // commonest decision under promotion (on main, soaked), two wasted reads for a commit that turns out off main.
  const afterHistory = reads && !loaded.unreadable && !main.error ? readPromotionHistory(client, request.sha, [reads.rule.after], deps.appId) : undefined;
  afterHistory?.catch(() => undefined);
  const [ancestry, exceptions]: [Ancestry, { granted: GrantedException[]; error?: string }] = loaded.unreadable
    ? [{ kind: "unverifiable", error: `could not read ${CONFIG_PATH}: ${loaded.unreadable}` }, { granted: [] }]
    : onMain
      ? [onMain, reads ? await readExceptions(repository, deps, request) : { granted: [] }]
      : await Promise.all([
          main.error ? unverifiable(main.error) : readAncestrySafely(repository, deps, { mainBranch, sha: request.sha }),
          readExceptions(repository, deps, request),
        ]);
  const now = repository.now();
  const promotion: GatePromotion | undefined = reads && {
    rule: reads.rule,
    decision: await promotionDecision(client, config, { ...request, mainBranch, ancestry, exceptions: exceptions.granted, now, appId: deps.appId }, afterHistory),
  };
  const decided = decideDeployment({
    sha: request.sha,
    environment: request.environment,
    mainBranch,
    mode: config.mode,
    onApiError: config.onApiError,
    grantRole: config.override.permission,
    ancestry,
    exceptions: exceptions.granted,
    now,
    ...(promotion ? { promotion } : {}),
  });
  const decision = exceptions.error
    ? { ...decided, message: `${decided.message} (mainline could not read the incidents' exceptions: ${exceptions.error})` }
    : decided;
  const about = { repo: repository.fullName, sha: request.sha, environment: request.environment };
  if (loaded.problems.length > 0) repository.log.warn({ ...about, problems: formatProblems(loaded.problems) }, "invalid config: defaults used for the listed keys");
  return { gated: true, loaded, decision, mainBranch, config, ...(ancestry.kind === "off-main" ? { offMain: true as const } : {}) };
}

/** The refusal when the config that would decide is not the repository's own file (GateOptions). */
export function configNotVerifiable(fullName: string, request: GateRequest, why: NotOwnFile): GateDecision {
  const source =
    why.kind === "no-own-file"
      ? `${fullName} has no ${CONFIG_PATH} that this step can read, and the config the app reads may come from elsewhere (${fullName.split("/")[0]}/.github).`
      : `${fullName}'s ${CONFIG_PATH} extends ${why.repository} (\`_extends\`).`;
  return {
    verdict: "refuse",
    enforcedVerdict: "refuse",
    outcome: "unverifiable",
    message:
      `Refused: mainline cannot verify its config from this step, so it cannot tell whether ${request.environment} is gated for ${shortSha(request.sha)}. ${source} ` +
      `GitHub answers 404 both for a missing file and for one this step's token may not read, so the app, with its own token, may read other settings. ` +
      `Put mainline's config in ${CONFIG_PATH} of ${fullName} itself, without \`_extends\`.`,
    summary: `Refused: mainline's config is not in this repository's own ${CONFIG_PATH}, so this step cannot verify it.`,
  };
}

/** What an environment that is not gated is told: approved, and why. */
export function notGatedMessage(environment: string): string {
  return `${environment} is not one of mainline's gated environments (\`environments\` in ${CONFIG_PATH}), so it is not gated: approved.`;
}

/** Config problems appended to a gate's message, so the person reading it learns the file is wrong. */
export function withConfigProblems(message: string, loaded: LoadedConfig): string {
  if (loaded.problems.length === 0) return message;
  return `${message}\n\nmainline's config is invalid, so defaults were used for: ${formatProblems(loaded.problems).join("; ")}`;
}

/** Main is the default branch: when GitHub cannot say which that is, S cannot be verified against it. */
async function defaultBranchOf(repository: GateRepository): Promise<{ name: string; error?: string }> {
  try {
    return { name: await repository.defaultBranch() };
  } catch (error) {
    if (!isApiError(error)) throw error;
    return { name: "the default branch", error: `could not read the repository's default branch: ${describeApiError(error)}` };
  }
}

/**
 * The promotion rule's decision (SPEC 10), asked only for a commit on main that no exception
 * covers: an exception waives the rule, and a commit off main is refused before it. S's history
 * in `after` (read already, `afterHistory`) decides a soaked commit; only one that has not soaked
 * is asked whether it ran in this environment before (a rollback target), which costs two reads more.
 */
async function promotionDecision(
  client: RepoClient,
  config: Config,
  facts: GateRequest & { mainBranch: string; ancestry: Ancestry; exceptions: GrantedException[]; now: Date; appId: number },
  afterHistory: Promise<PromotionInput["history"]> | undefined,
): Promise<PromotionDecision | null> {
  const reads = promotionReads(facts.environment, config.promotion);
  if (!reads || !afterHistory || facts.ancestry.kind !== "on-main" || coveringException(facts)) return null;
  const input = {
    sha: facts.sha,
    environment: facts.environment,
    mainBranch: facts.mainBranch,
    grantRole: config.override.permission,
    onApiError: config.onApiError,
    promotion: config.promotion,
    onMain: true,
    now: facts.now,
  };
  const after = await afterHistory;
  const first = decidePromotion({ ...input, history: after });
  if (first.verdict === "approve" || "error" in after || sameEnvironment(reads.rule.after, facts.environment)) return first;
  const here = await readPromotionHistory(client, facts.sha, [facts.environment], facts.appId);
  return decidePromotion({ ...input, history: "error" in here ? here : [...after, ...here] });
}

async function unverifiable(error: string): Promise<Ancestry> {
  return { kind: "unverifiable", error };
}

/**
 * The exceptions in force for (S, E) now, each only while its incident is open here
 * (honoured-exceptions.ts). When they cannot be read the gate goes on without them: it can only refuse more.
 */
async function readExceptions({ client, now }: GateRepository, deps: GateDeps, request: GateRequest): Promise<{ granted: GrantedException[]; error?: string }> {
  try {
    return { granted: await honouredExceptions(client, deps.appId, request, now()) };
  } catch (error) {
    if (!isApiError(error)) throw error;
    return { granted: [], error: describeApiError(error) };
  }
}

async function readAncestrySafely({ client, log }: GateRepository, deps: GateDeps, target: { mainBranch: string; sha: string }): Promise<Ancestry> {
  try {
    return await deps.ancestry.read(client, target.mainBranch, target.sha);
  } catch (error) {
    log.error({ err: error }, "ancestry check failed unexpectedly");
    return { kind: "unverifiable", error: "internal error while comparing" };
  }
}
