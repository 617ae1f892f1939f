import { shortSha } from "./text.js";

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
};

export type GateOutcome = "on-main" | "exception" | "off-main" | "not-comparable" | "unverifiable";

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
};

export const STATUS_DESCRIPTION_LIMIT = 140;

/** Decides whether commit S may be deployed to a gated environment (SPEC section 3). */
export function decideDeployment(input: GateInput): GateDecision {
  const enforced = decideEnforced(input);
  if (input.mode === "enforce") return enforced;
  const would = enforced.verdict === "approve" ? "would approve" : "would refuse";
  return {
    ...enforced,
    verdict: "approve",
    message: `[shadow mode: approved; enforce mode ${would}] ${enforced.message}`,
    summary: clamp(`[shadow: ${would}] ${enforced.summary}`),
  };
}

function decideEnforced(input: GateInput): GateDecision {
  const { ancestry } = input;
  const sha = shortSha(input.sha);
  const exception = findUsableException(input);
  if (ancestry.kind === "on-main") {
    return {
      verdict: "approve",
      enforcedVerdict: "approve",
      outcome: "on-main",
      message: `${sha} is on ${input.mainBranch} (head ${shortSha(ancestry.mainHead)}): approved for ${input.environment}.`,
      summary: clamp(`${sha} is on ${input.mainBranch}: approved.`),
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
      summary: clamp(`${sha} approved under the exception in incident #${exception.incident}.`),
    };
  }
  if (ancestry.kind === "unverifiable") return decideUnverifiable(input, ancestry.error);
  const why =
    ancestry.kind === "not-comparable"
      ? `${sha} cannot be compared with ${input.mainBranch} (${ancestry.detail}); it is not a known commit on ${input.mainBranch}`
      : `${sha} is not on ${input.mainBranch} (head ${shortSha(ancestry.mainHead)}; ${sha} is ` +
        `${plural(ancestry.aheadBy, "commit")} ahead of it and ${ancestry.behindBy} behind)`;
  return refuse(input, ancestry.kind, `Refused: ${why}. ${waysForward(input)}`, why);
}

function decideUnverifiable(input: GateInput, error: string): GateDecision {
  const sha = shortSha(input.sha);
  const couldNot = `mainline could not verify that ${sha} is on ${input.mainBranch}: GitHub did not answer (${error})`;
  if (input.onApiError === "approve") {
    return {
      verdict: "approve",
      enforcedVerdict: "approve",
      outcome: "unverifiable",
      message: `${couldNot}. Approved because onApiError is "approve".`,
      summary: clamp(`Could not verify ${sha} is on ${input.mainBranch}; approved (onApiError: approve).`),
    };
  }
  return refuse(
    input,
    "unverifiable",
    `${couldNot}. Refused because onApiError is "reject"; this says nothing about whether ${sha} is on ` +
      `${input.mainBranch}. Re-run the deployment to ask again.`,
    `could not verify ${sha} is on ${input.mainBranch}; re-run the deployment`,
  );
}

function refuse(input: GateInput, outcome: GateOutcome, message: string, why: string): GateDecision {
  const sha = shortSha(input.sha);
  const fix = outcome === "unverifiable" ? "" : ` Merge to ${input.mainBranch} first, or /hotfix allow ${sha} in the incident.`;
  return {
    verdict: "refuse",
    enforcedVerdict: "refuse",
    outcome,
    message,
    summary: clamp(`Refused: ${why}.${fix}`, `Refused: ${why}.`),
  };
}

function waysForward(input: GateInput): string {
  const sha = shortSha(input.sha);
  return (
    `${input.environment} runs only commits already on ${input.mainBranch}. Two ways forward: ` +
    `(1) merge a pull request with this change into ${input.mainBranch} and deploy that commit; or ` +
    `(2) in an emergency, someone with the ${input.grantRole} role or higher comments ` +
    `\`/hotfix allow ${sha} ${input.environment} -- <reason>\` in the open incident.`
  );
}

/** The exception that covers (S, E) and has not expired; a used one first, else the longest-lived. */
function findUsableException(input: GateInput): GrantedException | undefined {
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

/** Keeps the preferred text when it fits GitHub's limit, else a shorter fallback, else a cut. */
function clamp(preferred: string, fallback = preferred): string {
  if (preferred.length <= STATUS_DESCRIPTION_LIMIT) return preferred;
  if (fallback.length <= STATUS_DESCRIPTION_LIMIT) return fallback;
  return `${fallback.slice(0, STATUS_DESCRIPTION_LIMIT - 1)}…`;
}
