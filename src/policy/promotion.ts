import type { Config } from "../config.js";
import { newestFirst, sameEnvironment, everSucceeded, isReportedSuccess, STATUS_PAGE, type DeploymentFacts, type StatusFacts } from "./deployment-history.js";
import { matchesGlob } from "./glob.js";
import { fitted } from "./status-description.js";
import { grantorNoun, shortSha } from "./text.js";

/** The promotion rule that applies to an environment: the key it came from, and what it asks. */
export type PromotionRule = { pattern: string; after: string; soakMinutes: number };

/**
 * How much of S's deployment history the caller reads, per environment: this many deployments of
 * S (newest first, one page), and one page of this many statuses for each. A page that comes back
 * full may hide a later `failure`, so the decision then says it could not verify (SPEC 8).
 */
export const PROMOTION_READ = { deployments: 10, statuses: STATUS_PAGE } as const;

export type PromotionInput = {
  sha: string;
  /** The environment S is being deployed to. */
  environment: string;
  mainBranch: string;
  /** `override.permission`: who can grant the exception that waives the rule. */
  grantRole: string;
  onApiError: "reject" | "approve";
  promotion: Config["promotion"];
  onMain: boolean;
  now: Date;
  /** S's deployments to the rule's `after` and to `environment` (what `promotionReads` names), or why GitHub could not list them. */
  history: readonly DeploymentFacts[] | { error: string };
};

export type PromotionOutcome = "no-rule" | "soaked" | "rollback-target" | "off-main" | "never-reached" | "not-soaked" | "failed-after-success" | "unverifiable";

export type PromotionDecision = {
  verdict: "approve" | "refuse";
  outcome: PromotionOutcome;
  rule?: PromotionRule;
  /** The full explanation: the protection rule's comment, the logs. */
  message: string;
  /** At most 140 characters (a deployment status description), "Refused: " first when refused. */
  summary: string;
  /** The status texts best first without their lead, so that the gate can put its own (shadow mode) and fit them. */
  short: string[];
  /** When refused: what an exception for (S, environment) waives, for its record and the ledger ("skipped staging"). */
  waives?: string;
};

/**
 * The rule for an environment: the key naming it exactly (case-insensitively, as GitHub names
 * environments) first, else the first pattern that matches in the file's order. A rule never
 * applies to the environment its own `after` names: `prod*` after `prod-staging` would otherwise
 * ask prod-staging to have run in prod-staging first, and nothing new could ever reach it.
 */
export function promotionRuleFor(environment: string, promotion: Config["promotion"]): PromotionRule | undefined {
  const rules = Object.entries(promotion)
    .filter(([, rule]) => !sameEnvironment(rule.after, environment))
    .map(([pattern, rule]) => ({ pattern, after: rule.after, soakMinutes: rule.soakMinutes }));
  return rules.find((r) => sameEnvironment(r.pattern, environment)) ?? rules.find((r) => matchesGlob(environment, [r.pattern], { caseSensitive: false }));
}

/**
 * What the caller must read for a deployment of S to `environment`: S's deployments to each of
 * these environments (the rule's `after`, for the soak; this one, for the rollback exemption),
 * at most `PROMOTION_READ` of each; nothing when no rule applies.
 */
export function promotionReads(environment: string, promotion: Config["promotion"]): { rule: PromotionRule; environments: [string, string] } | undefined {
  const rule = promotionRuleFor(environment, promotion);
  return rule && { rule, environments: [rule.after, environment] };
}

/**
 * Whether a commit on main has taken the regular path to `environment` (SPEC section 10): it
 * reached the rule's `after` with `success` at least `soakMinutes` ago, and nothing of it failed
 * there since; or it already ran in this environment, so deploying it again is a rollback.
 * The verdict is enforce mode's: the gate applies shadow mode, and honours an exception for
 * (S, environment) before asking this, since an exception waives the rule.
 */
export function decidePromotion(input: PromotionInput): PromotionDecision {
  const rule = promotionRuleFor(input.environment, input.promotion);
  if (!rule) return approved("no-rule", `${input.environment} has no promotion rule.`);
  const facts = { input, rule, sha: shortSha(input.sha), grantor: grantorNoun(input.grantRole) };
  if (!input.onMain) return offMain(facts);
  if ("error" in input.history) return unreadable(facts, input.history.error);
  const history = input.history.filter((d) => d.sha.toLowerCase() === input.sha.toLowerCase());
  const here = history.filter((d) => sameEnvironment(d.environment, input.environment));
  const before = history.filter((d) => sameEnvironment(d.environment, rule.after));
  // A success here is a fact whatever the bounds hid, so the exemption holds on what was read.
  const ran = here.filter(everSucceeded).sort(newestFirst)[0];
  if (ran) {
    return {
      ...approved("rollback-target", `${facts.sha} ran in ${input.environment} before (deployment ${ran.id}): approved as a rollback target.`, [
        `${facts.sha} ran in ${input.environment} before: approved as a rollback.`,
        `${facts.sha} ran here before: approved as a rollback.`,
      ]),
      rule,
    };
  }
  if (before.length >= PROMOTION_READ.deployments || before.some((d) => d.statuses.length >= PROMOTION_READ.statuses)) return bounded(facts);
  const soak = soakOf(before);
  if (soak.kind === "never") return neverReached(facts, soak.tried, soak.claimed);
  if (soak.kind === "failed") return failedAfterSuccess(facts, soak.state, soak.at);
  const elapsedMs = Math.max(0, input.now.getTime() - Date.parse(soak.since));
  if (elapsedMs >= rule.soakMinutes * MINUTE_MS) {
    const ago = rule.soakMinutes > 0 ? ` ${minutesAgo(elapsedMs)} (${input.environment} needs ${rule.soakMinutes})` : "";
    return { ...approved("soaked", `${facts.sha} reached ${rule.after}${ago}: approved for ${input.environment}.`, [`${facts.sha} reached ${rule.after}${ago}: approved.`, `${facts.sha} reached ${rule.after}: approved.`]), rule };
  }
  return notSoaked(facts, elapsedMs);
}

const MINUTE_MS = 60_000;

type Facts = { input: PromotionInput; rule: PromotionRule; sha: string; grantor: string };

/** A status in time. Equal timestamps: a later deployment's status is the later one, and within one deployment GitHub's order (newest first) says. */
type Event = { state: string; at: string; ms: number; deployment: number; rank: number };

type Soak = { kind: "never"; tried: boolean; claimed: boolean } | { kind: "failed"; state: string; at: string } | { kind: "soaking"; since: string };

/**
 * When S's soak in `after` began: its first success after the last `failure` or `error` there
 * (of any deployment of S: a later deployment that fails undoes an earlier success). A success
 * followed by a failure, and none since, is a failure after success. A `success` that is not its
 * deployment's own report is left out (`isReportedSuccess`): `claimed` says one was.
 */
function soakOf(deployments: readonly DeploymentFacts[]): Soak {
  const counted = (d: DeploymentFacts, s: StatusFacts) => s.state !== "success" || isReportedSuccess(d, s);
  const claimed = deployments.some((d) => !d.statuses.every((s) => counted(d, s)));
  const events: Event[] = deployments.flatMap((d) =>
    d.statuses.flatMap((s, i) => (counted(d, s) ? [{ state: s.state, at: s.createdAt, ms: Date.parse(s.createdAt), deployment: d.id, rank: -i }] : [])),
  );
  events.sort((a, b) => a.ms - b.ms || a.deployment - b.deployment || a.rank - b.rank);
  const lastFailure = events.findLastIndex((e) => e.state === "failure" || e.state === "error");
  const since = events.slice(lastFailure + 1).find((e) => e.state === "success");
  if (since) return { kind: "soaking", since: since.at };
  const failure = events[lastFailure];
  if (failure && events.slice(0, lastFailure).some((e) => e.state === "success")) return { kind: "failed", state: failure.state, at: failure.at };
  return { kind: "never", tried: deployments.length > 0, claimed };
}

function approved(outcome: PromotionOutcome, message: string, short: string[] = [message]): PromotionDecision {
  return { verdict: "approve", outcome, message, summary: fitted(short), short };
}

function refused(facts: Facts, outcome: PromotionOutcome, message: string, short: string[], waives?: string): PromotionDecision {
  return { verdict: "refuse", outcome, rule: facts.rule, message: `Refused: ${message}`, summary: fitted(short.map((s) => `Refused: ${s}`)), short, ...(waives ? { waives } : {}) };
}

function offMain(facts: Facts): PromotionDecision {
  const { input, rule, sha } = facts;
  const message = `${sha} is not on ${input.mainBranch}: ${input.environment} takes only commits from ${input.mainBranch} that reached ${rule.after} first.`;
  // The gate's main-first refusal, which comes first, says the rest; an exception for such a commit is the ordinary kind.
  return refused(facts, "off-main", message, [message, `${sha} is not on the main branch: ${input.environment} takes only commits from it.`]);
}

function neverReached(facts: Facts, tried: boolean, claimed: boolean): PromotionDecision {
  const { input, rule, sha } = facts;
  const { environment: env, mainBranch: main } = input;
  const soak = rule.soakMinutes > 0 ? ` at least ${minutes(rule.soakMinutes)} before` : "";
  const claim = claimed ? ` (a \`success\` status there does not count: only the account that created a deployment can report it succeeded, and not on one mainline refused)` : "";
  const why = tried ? `${sha} has not succeeded in ${rule.after} yet${claim}` : `${sha} has not reached ${rule.after} yet`;
  const message = `${why}: ${env} takes a commit from ${main} only once it succeeded in ${rule.after}${soak}, so deploy ${sha} to ${rule.after} first. ${emergency(facts)}`;
  // A success that did not count leaves the environment green on GitHub's page: the short text says why it is not enough.
  const uncounted = [`its ${rule.after} success does not count (not its deployment's own report): deploy ${sha} there again`, `its ${rule.after} success does not count: deploy ${sha} there again`];
  const steps = claimed
    ? uncounted
    : rule.soakMinutes > 0
      ? [`deploy ${sha} to ${rule.after} first; ${env} needs ${minutes(rule.soakMinutes)} there`, `deploy ${sha} to ${rule.after} first and wait ${minutes(rule.soakMinutes)}`]
      : [`deploy ${sha} to ${rule.after} first, then to ${env}`, `deploy ${sha} to ${rule.after} first`];
  return refused(facts, "never-reached", message, waysForward(facts, steps), `skipped ${rule.after}`);
}

function notSoaked(facts: Facts, elapsedMs: number): PromotionDecision {
  const { input, rule, sha } = facts;
  const env = input.environment;
  const left = minutes(Math.max(1, Math.ceil(rule.soakMinutes - elapsedMs / MINUTE_MS)));
  const ago = minutesAgo(elapsedMs);
  const message = `${sha} reached ${rule.after} ${ago} and ${env} takes it only ${minutes(rule.soakMinutes)} after that: deploy it to ${env} again in ${left}. ${emergency(facts)}`;
  // The SPEC's words: "it reached staging 12 minutes ago; production needs 30"; the status belongs to S's deployment, so "it" is S.
  const steps = [`it reached ${rule.after} ${ago}; ${env} needs ${rule.soakMinutes}. Retry in ${left}`, `it reached ${rule.after} ${ago}, ${rule.soakMinutes} needed. Retry in ${left}`];
  const ran = Math.floor(elapsedMs / MINUTE_MS);
  return refused(facts, "not-soaked", message, waysForward(facts, steps), `cut the soak in ${rule.after} short (${ran} of ${minutes(rule.soakMinutes)})`);
}

function failedAfterSuccess(facts: Facts, state: string, at: string): PromotionDecision {
  const { input, rule, sha } = facts;
  const when = timeAgo(Math.max(0, input.now.getTime() - Date.parse(at)));
  const message =
    `${sha} reached ${rule.after}, then a deployment of it there reported \`${state}\` ${when}, and ${input.environment} takes only a commit that is healthy in ${rule.after}: ` +
    `deploy a fix (or ${sha} again) to ${rule.after} first. ${emergency(facts)}`;
  return refused(facts, "failed-after-success", message, waysForward(facts, [`${sha} failed in ${rule.after} after reaching it: fix it there first`]), `overrode a failure in ${rule.after}`);
}

/** More deployments or statuses than one page holds: what the pages hid may be a failure. */
function bounded(facts: Facts): PromotionDecision {
  const { rule, sha } = facts;
  const message =
    `mainline could not verify that ${sha} reached ${rule.after} and did not fail there since, because it has more deployments or statuses there than mainline reads ` +
    `(${PROMOTION_READ.deployments} deployments, ${PROMOTION_READ.statuses} statuses each). ${emergency(facts)}`;
  const steps = [`could not verify ${sha} reached ${rule.after} (too many deployments to read)`, `could not verify ${sha} reached ${rule.after}`];
  return refused(facts, "unverifiable", message, waysForward(facts, steps, ". Instead: "), `promotion through ${rule.after} unverified`);
}

function unreadable(facts: Facts, error: string): PromotionDecision {
  const { input, rule, sha } = facts;
  const couldNot = `mainline could not verify that ${sha} reached ${rule.after}: GitHub did not answer (${error})`;
  if (input.onApiError === "approve") {
    return { ...approved("unverifiable", `${couldNot}. Approved because onApiError is "approve".`, [`Could not verify ${sha} reached ${rule.after}; approved (onApiError: approve).`]), rule };
  }
  return refused(facts, "unverifiable", `${couldNot}. Re-run the deployment to ask again.`, [`could not verify ${sha} reached ${rule.after}; re-run the deployment.`], `promotion through ${rule.after} unverified`);
}

/** The way around the rule, in full: an exception, which the gate honours before the rule. */
function emergency(facts: Facts): string {
  return (
    `In an emergency, open an incident (comment \`/incident\` on an issue that describes it, or use the incident already open) ` +
    `and have someone with the ${facts.input.grantRole} role or higher comment \`/hotfix allow ${facts.sha} ${facts.input.environment} -- <reason>\` there.`
  );
}

/**
 * The refusal's status texts, best first: the missing step, then the exception that waives it.
 * The step is what the reader needs most, so the exception gives up its words first: the reason
 * placeholder, the incident step, the grantor, the environment's name; then the step its own.
 */
function waysForward(facts: Facts, steps: readonly string[], join = ". Or "): string[] {
  const { sha, grantor } = facts;
  const env = facts.input.environment;
  const exceptions = [
    `/incident, then ${grantor} runs /hotfix allow ${sha} ${env} -- <reason>`,
    `/incident, then ${grantor} runs /hotfix allow ${sha} ${env}`,
    `${grantor} runs /hotfix allow ${sha} ${env} in an incident`,
    `/hotfix allow ${sha} ${env} in an incident`,
    `/hotfix allow ${sha} <env> in an incident`,
  ];
  return steps.flatMap((step, i) => (i === 0 ? exceptions : exceptions.slice(-2)).map((exception) => `${step}${join}${exception}`));
}

function minutes(n: number): string {
  return `${n} ${n === 1 ? "minute" : "minutes"}`;
}

/** A time in the past as a person reads it under pressure: minutes, then hours, then days. */
function timeAgo(ms: number): string {
  const hours = Math.floor(ms / (60 * MINUTE_MS));
  if (hours < 2) return minutesAgo(ms);
  return hours < 48 ? `${hours} hours ago` : `${Math.floor(hours / 24)} days ago`;
}

function minutesAgo(ms: number): string {
  const n = Math.floor(ms / MINUTE_MS);
  return n === 0 ? "less than a minute ago" : `${minutes(n)} ago`;
}
