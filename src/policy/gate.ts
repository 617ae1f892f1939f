import type { PromotionDecision, PromotionOutcome, PromotionRule } from "./promotion.js";
import { fitted } from "./status-description.js";
import { grantorNoun, shortSha } from "./text.js";

/** What GitHub told us about commit S relative to the head of main. */
export type Ancestry =
  | { kind: "on-main"; mainHead: string }
  | { kind: "off-main"; mainHead: string; aheadBy: number; behindBy: number }
  | { kind: "not-comparable"; detail: string }
  | { kind: "unverifiable"; error: string };

/** An exception granted in an open incident, with every approval it needs. */
export type GrantedException = {
  sha: string;
  environment: string;
  incident: number;
  grantedBy: string;
  /** null: already used by a deployment, so it stays valid for re-running it while the incident is open. */
  expiresAt: string | null;
};

export type GateInput = {
  sha: string;
  environment: string;
  mainBranch: string;
  mode: "enforce" | "shadow";
  onApiError: "reject" | "approve";
  grantRole: string;
  ancestry: Ancestry;
  exceptions: readonly GrantedException[];
  now: Date;
  /** The promotion rule for the environment (SPEC section 10), when one applies (`promotionReads` says what the gate reads for it). */
  promotion?: GatePromotion;
};

/**
 * The promotion rule that applies, and what it decided about S: asked only for a commit on main
 * that no exception covers (an exception waives the rule, and a commit off main is refused before
 * it), else `null`.
 */
export type GatePromotion = { rule: PromotionRule; decision: PromotionDecision | null };

/** A refusal or approval the promotion rule gave, by its outcome ("unverifiable" apart from main's). */
export type PromotionGateOutcome = Exclude<PromotionOutcome, "no-rule" | "off-main" | "unverifiable"> | "promotion-unverifiable";

export type GateOutcome = "on-main" | "exception" | "off-main" | "not-comparable" | "unverifiable" | PromotionGateOutcome;

export type GateDecision = {
  /** What the gate answers: in shadow mode always approve. */
  verdict: "approve" | "refuse";
  /** What enforce mode answers; differs from verdict only in shadow mode. */
  enforcedVerdict: "approve" | "refuse";
  outcome: GateOutcome;
  exception?: GrantedException;
  /** The full explanation, for a protection-rule comment and the logs. */
  message: string;
  /** At most 140 characters: GitHub's limit for a deployment status description. */
  summary: string;
  /**
   * Set when S is on main and its exception let it skip the promotion rule: the environment the
   * rule asks first. Such a deploy is recorded in the incident, but S needs no merge-back.
   */
  waived?: { after: string };
};


/** A decision before the mode is applied: `short` holds the status texts, best first, without their lead ("Refused: "). */
type Enforced = Omit<GateDecision, "summary"> & { short: string[] };

/**
 * What a protection rule request asks about, read the one way both its handler and a shutdown
 * that abandons it read it: the commit is `deployment.sha`, else `sha` (SPEC section 3); each
 * part only when the payload gives it as text.
 */
export function protectionRuleTarget(payload: unknown): { callbackUrl: string | undefined; environment: string | undefined; sha: string | undefined } {
  const p = (payload ?? {}) as { deployment_callback_url?: unknown; environment?: unknown; sha?: unknown; deployment?: { sha?: unknown; environment?: unknown } | null };
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  return {
    callbackUrl: text(p.deployment_callback_url),
    environment: text(p.environment) ?? text(p.deployment?.environment),
    sha: text(p.deployment?.sha) ?? text(p.sha),
  };
}

/** The refusal when deciding itself failed (not GitHub: mainline): the gate is never left open. */
export function undecidedMessage(sha: string): string {
  return `mainline could not decide whether ${shortSha(sha)} may deploy (internal error); refused. Re-run the deployment.`;
}

/** Decides whether commit S may be deployed to a gated environment (SPEC section 3). */
export function decideDeployment(input: GateInput): GateDecision {
  const { short, ...enforced } = decideEnforced(input);
  const refused = enforced.enforcedVerdict === "refuse";
  if (input.mode === "enforce") return { ...enforced, summary: fitted(short.map((s) => `${refused ? "Refused: " : ""}${s}`)) };
  const would = refused ? "would refuse" : "would approve";
  return {
    ...enforced,
    verdict: "approve",
    message: `[shadow mode: approved; enforce mode ${would}] ${enforced.message}`,
    summary: fitted(short.map((s) => `[shadow: ${would}] ${s}`)),
  };
}

function decideEnforced(input: GateInput): Enforced {
  const { ancestry } = input;
  const sha = shortSha(input.sha);
  const exception = coveringException(input);
  if (ancestry.kind === "on-main" && input.promotion) return decidePromoted(input, ancestry, input.promotion, exception);
  if (ancestry.kind === "on-main") {
    return {
      verdict: "approve",
      enforcedVerdict: "approve",
      outcome: "on-main",
      message: `${sha} is on ${input.mainBranch} (head ${shortSha(ancestry.mainHead)}): approved for ${input.environment}.`,
      short: [`${sha} is on ${input.mainBranch}: approved.`, `${sha} is on the main branch: approved.`],
    };
  }
  if (exception) {
    return {
      verdict: "approve",
      enforcedVerdict: "approve",
      outcome: "exception",
      exception,
      message:
        `${sha} is not on ${input.mainBranch}, but @${exception.grantedBy} granted an exception for ` +
        `${input.environment} in incident #${exception.incident} (${exception.expiresAt ? `expires ${exception.expiresAt}` : "used before, valid while the incident is open"}): approved. ` +
        `A merge-back issue tracks bringing ${sha} to ${input.mainBranch}.`,
      short: [`${sha} approved under the exception in incident #${exception.incident}.`],
    };
  }
  if (ancestry.kind === "unverifiable") return decideUnverifiable(input, ancestry.error);
  const why =
    ancestry.kind === "not-comparable"
      ? `${sha} cannot be compared with ${input.mainBranch} (${ancestry.detail}); it is not a known commit on ${input.mainBranch}`
      : `${sha} is not on ${input.mainBranch} (head ${shortSha(ancestry.mainHead)}; ${sha} is ` +
        `${plural(ancestry.aheadBy, "commit")} ahead of it and ${ancestry.behindBy} behind)`;
  return {
    verdict: "refuse",
    enforcedVerdict: "refuse",
    outcome: ancestry.kind,
    message: `Refused: ${why}. ${waysForward(input)}${promotionAfterMain(input)}`,
    short: shortRefusals(input, ancestry),
  };
}

/**
 * A commit on main in an environment under `promotion`: an exception for (S, environment) waives
 * the rule (S needs no merge-back: it is on main); otherwise the rule's decision is the gate's.
 */
function decidePromoted(input: GateInput, ancestry: Extract<Ancestry, { kind: "on-main" }>, promotion: GatePromotion, exception: GrantedException | undefined): Enforced {
  const sha = shortSha(input.sha);
  const { after } = promotion.rule;
  if (exception) {
    return {
      verdict: "approve",
      enforcedVerdict: "approve",
      outcome: "exception",
      exception,
      waived: { after },
      message:
        `${sha} is on ${input.mainBranch} (head ${shortSha(ancestry.mainHead)}), and @${exception.grantedBy} granted an exception for ${input.environment} ` +
        `in incident #${exception.incident} (${exception.expiresAt ? `expires ${exception.expiresAt}` : "used before, valid while the incident is open"}): ` +
        `approved without the promotion through ${after} that ${input.environment} asks for. It is on ${input.mainBranch}, so nothing needs merging back.`,
      short: [`${sha} approved under the exception in incident #${exception.incident} (skipped ${after}).`, `${sha} approved under the exception in incident #${exception.incident}.`],
    };
  }
  const { decision } = promotion;
  // The recipe asks the rule whenever no exception covers S; a caller that did not is not trusted to have.
  if (!decision) {
    return {
      verdict: "refuse",
      enforcedVerdict: "refuse",
      outcome: "promotion-unverifiable",
      message: `Refused: mainline did not verify that ${sha} reached ${after} before ${input.environment}. Re-run the deployment.`,
      short: [`could not verify ${sha} reached ${after}; re-run the deployment.`],
    };
  }
  // Asked about a commit on main under this rule, the rule answers neither "no-rule" nor "off-main".
  const outcome: PromotionGateOutcome = decision.outcome === "unverifiable" ? "promotion-unverifiable" : (decision.outcome as PromotionGateOutcome);
  const onMain = `${sha} is on ${input.mainBranch} (head ${shortSha(ancestry.mainHead)}).`;
  const message = decision.verdict === "refuse" ? `Refused: ${onMain} ${decision.message.replace(/^Refused: /, "")}` : `${onMain} ${decision.message}`;
  return { verdict: decision.verdict, enforcedVerdict: decision.verdict, outcome, message, short: decision.short };
}

/** For a commit off main: the step that follows main in an environment under `promotion`, so that the way forward is not a second surprise. */
function promotionAfterMain(input: GateInput): string {
  if (!input.promotion) return "";
  const { after, soakMinutes } = input.promotion.rule;
  const soak = soakMinutes > 0 ? ` and at least ${soakMinutes} ${soakMinutes === 1 ? "minute" : "minutes"} later` : "";
  return ` Once it is on ${input.mainBranch}, ${input.environment} takes it only after it reached ${after}${soak}, unless an exception covers it.`;
}

function decideUnverifiable(input: GateInput, error: string): Enforced {
  const sha = shortSha(input.sha);
  const couldNot = `mainline could not verify that ${sha} is on ${input.mainBranch}: GitHub did not answer (${error})`;
  if (input.onApiError === "approve") {
    return {
      verdict: "approve",
      enforcedVerdict: "approve",
      outcome: "unverifiable",
      message: `${couldNot}. Approved because onApiError is "approve".`,
      short: [
        `Could not verify ${sha} is on ${input.mainBranch}; approved (onApiError: approve).`,
        `Could not verify ${sha} is on the main branch; approved (onApiError: approve).`,
      ],
    };
  }
  return {
    verdict: "refuse",
    enforcedVerdict: "refuse",
    outcome: "unverifiable",
    message:
      `${couldNot}. Refused because onApiError is "reject"; this says nothing about whether ${sha} is on ` +
      `${input.mainBranch}. Re-run the deployment to ask again.`,
    short: [`could not verify ${sha} is on ${input.mainBranch}; re-run the deployment.`, `could not verify ${sha} is on the main branch; re-run the deployment.`],
  };
}

/**
 * The full way forward, for the protection rule's answer and the logs. It does not assume an
 * incident is open: `/incident` makes one of any issue, and the exception is granted there.
 */
function waysForward(input: GateInput): string {
  const sha = shortSha(input.sha);
  return (
    `${input.environment} runs only commits already on ${input.mainBranch}. Two ways forward: ` +
    `(1) merge a pull request with this change into ${input.mainBranch} and deploy that commit; or ` +
    `(2) in an emergency, open an incident (comment \`/incident\` on an issue that describes it, or use the incident already open) ` +
    `and have someone with the ${input.grantRole} role or higher comment ` +
    `\`/hotfix allow ${sha} ${input.environment} -- <reason>\` there; then deploy again.`
  );
}

/**
 * The refusal in a deployment status's 140 characters, best first. Each keeps both ways forward
 * (merge a PR to main; or /incident, which makes an incident of any issue, then the grantor runs
 * /hotfix allow there), giving up first the reason placeholder, then long names.
 */
function shortRefusals(input: GateInput, ancestry: Extract<Ancestry, { kind: "off-main" | "not-comparable" }>): string[] {
  const sha = shortSha(input.sha);
  const grantor = grantorNoun(input.grantRole);
  const state = (branch: string) => (ancestry.kind === "off-main" ? `${sha} is not on ${branch}` : `${sha} is not a known commit on ${branch}`);
  const forward = (branch: string, env: string) => `Merge a PR to ${branch}, or /incident, then ${grantor} runs /hotfix allow ${sha} ${env}`;
  const main = input.mainBranch;
  return [
    `${state(main)}. ${forward(main, input.environment)} -- <reason>`,
    `${state(main)}. ${forward(main, input.environment)}`,
    `${state("the main branch")}. ${forward("it", input.environment)}`,
    `${state("the main branch")}. ${forward("it", "<env>")}`,
    `${sha} is not on main. ${forward("it", "<env>")}`,
  ];
}

/** The exception that covers (S, E) and has not expired; a used one first, else the longest-lived. */
export function coveringException(input: Pick<GateInput, "sha" | "environment" | "exceptions" | "now">): GrantedException | undefined {
  const env = input.environment.toLowerCase();
  const validUntil = (e: GrantedException) => (e.expiresAt === null ? Infinity : Date.parse(e.expiresAt));
  return input.exceptions
    .filter((e) => e.sha === input.sha && e.environment.toLowerCase() === env)
    .filter((e) => validUntil(e) > input.now.getTime())
    .sort((a, b) => validUntil(b) - validUntil(a))[0];
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
