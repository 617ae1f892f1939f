import type { Config } from "../config.js";
import { firstDeploys, type ReportFacts } from "./report.js";
import type { UnreadTransfer } from "./transfer-trail.js";
import { codeSpan, escapeUserText, quietLogin, shortSha } from "./text.js";

const DAY_MS = 86_400_000;

/** How many criteria a reply lists: the config is the team's, but a reply must stay readable. */
const LISTED_CRITERIA = 20;

/** What the reason of `/hotfix allow` begins with: the criterion as the config spells it (null: the list is empty, any reason goes). */
export type CriterionMatch = { ok: true; criterion: string | null } | { ok: false; error: string };

/**
 * Whether the reason begins with one of the criteria (SPEC section 11): after any leading
 * whitespace, the criterion's words, in any case, with any run of whitespace between them, then
 * the end of the reason, a colon or whitespace. `outage: checkout returns 500`, `Outage : 500s`
 * and `outage` qualify for `outage`; `outages`, `outage-ish` and `an outage` do not. The longest
 * criterion that matches is the one recorded (`data loss: …` is `data loss`, not `data`).
 */
export function matchCriterion(reason: string, criteria: readonly string[]): CriterionMatch {
  const usable = criteria.map((c) => c.trim()).filter((c) => c !== "");
  if (usable.length === 0) return { ok: true, criterion: null };
  const matching = usable.filter((criterion) => startsWith(reason, criterion)).sort((a, b) => b.length - a.length);
  if (matching[0] !== undefined) return { ok: true, criterion: matching[0] };
  return { ok: false, error: criteriaError(usable) };
}

function startsWith(reason: string, criterion: string): boolean {
  const words = criterion.split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^\\s*${words.join("\\s+")}(?=$|[\\s:])`, "iu").test(reason);
}

function criteriaError(criteria: readonly string[]): string {
  const listed = criteria.slice(0, LISTED_CRITERIA).map((c) => codeSpan(c, 50));
  const more = criteria.length > LISTED_CRITERIA ? ` and ${criteria.length - LISTED_CRITERIA} more` : "";
  return (
    `the reason must begin with what makes this a hotfix, one of this repository's \`hotfix.criteria\`: ${listed.join(", ")}${more}; ` +
    `for example ${codeSpan(`-- ${criteria[0]!}: <what is broken>`, 80)}`
  );
}

/**
 * Lines added + deleted in compare main...S as counted; `complete` false: some of the change went
 * uncounted (`uncounted` says what), so `lines` is at least this.
 */
export type ChangedLines = { lines: number; complete: boolean; uncounted?: string } | { error: string };

/**
 * The app's records of the budget's window (since `hotfixReads().deploysSince`) that the count
 * weighs: the deploys under exceptions, the grants with what ends them, and the issues that left
 * where mainline could not read them; `complete` false: a bound stopped the read.
 */
export type RecentExceptionDeploys =
  | { deploys: ReportFacts["exceptionDeploys"]; grants: GrantRecords; unread: readonly UnreadTransfer[]; complete: boolean }
  | { error: string };

/**
 * Grants, and what ends one before it is used: a revoke of its commit in its incident, or a deploy
 * it let through (`deploy` records: the gate's let-through, whether or not it ever reached).
 */
export type GrantRecords = {
  grants: ReadonlyArray<{ incident: number; sha: string; env: string; at: string; expires: string }>;
  revokes: ReadonlyArray<{ incident: number; sha: string; at: string }>;
  deploys: ReadonlyArray<{ incident: number; sha: string; env: string; at: string }>;
};

export type GrantFacts = {
  sha: string;
  reason: string;
  approvals: Config["override"]["approvals"];
  hotfix: Config["hotfix"];
  /** Needed when `hotfix.maxChangedLines` is set; absent then, the size counts as not verified. */
  changedLines?: ChangedLines;
  /** Needed when `hotfix.budget.count` is set; absent then, the budget counts as not verified. */
  recentDeploys?: RecentExceptionDeploys;
  now: Date;
};

/** Why an exception needs a second person: the config, or the discipline (a rule that could not be checked counts as broken). */
export type ApprovalReason =
  | { kind: "configured" }
  | { kind: "too-large"; lines: number; max: number }
  | { kind: "size-unverified"; max: number; detail: string }
  | { kind: "budget-spent"; deploys: number; granted: number; count: number; days: number }
  | { kind: "budget-unverified"; count: number; days: number; detail: string }
  | { kind: "budget-moved-unread"; left: UnreadTransfer; count: number; days: number };

export type GrantDecision =
  | { ok: false; error: string }
  | {
      ok: true;
      criterion: string | null;
      approvals: 1 | 2;
      reasons: ApprovalReason[];
      /** The sentence the grant's record and reply end with; "" when one person's grant is enough. */
      note: string;
    };

/**
 * What the caller reads before deciding a grant: compare main...S (its files' additions and
 * deletions) only when a size limit is set; the repository's exception deploys since this time
 * only when a budget is set.
 */
export function hotfixReads(hotfix: Config["hotfix"], now: Date): { changedLines: boolean; deploysSince: string | undefined } {
  return {
    changedLines: hotfix.maxChangedLines > 0,
    deploysSince: hotfix.budget.count > 0 ? new Date(now.getTime() - hotfix.budget.days * DAY_MS).toISOString() : undefined,
  };
}

/**
 * `/hotfix allow`'s discipline (SPEC section 11) on top of `override.approvals`: the reason
 * must name a criterion; a fix bigger than `maxChangedLines`, or one past the budget, needs a
 * second person whatever `override.approvals` says. The record keeps the approvals decided here,
 * so a later change of the config or of the count does not change what this grant needs.
 */
export function decideHotfixGrant(facts: GrantFacts): GrantDecision {
  const criterion = matchCriterion(facts.reason, facts.hotfix.criteria);
  if (!criterion.ok) return criterion;
  const reasons = [...(facts.approvals === 2 ? [{ kind: "configured" as const }] : []), ...sizeReasons(facts), ...budgetReasons(facts)];
  const approvals = reasons.length > 0 ? 2 : 1;
  return { ok: true, criterion: criterion.criterion, approvals, reasons, note: approvals === 2 ? secondApprovalNote(facts.sha, reasons) : "" };
}

function sizeReasons({ hotfix, changedLines }: GrantFacts): ApprovalReason[] {
  const max = hotfix.maxChangedLines;
  if (max === 0) return [];
  if (!changedLines) return [{ kind: "size-unverified", max, detail: "not read" }];
  if ("error" in changedLines) return [{ kind: "size-unverified", max, detail: changedLines.error }];
  if (changedLines.lines > max) return [{ kind: "too-large", lines: changedLines.lines, max }];
  return changedLines.complete ? [] : [{ kind: "size-unverified", max, detail: changedLines.uncounted ?? "GitHub listed only some of its files" }];
}

/**
 * Counted as the report counts them: each commit's first deploy in each incident, so a re-run is not
 * another hotfix; and each grant still in force and not yet used, a deploy to come (else grants made
 * before the budget is spent, several on one comment, would all stay one person's). An issue that
 * left the window for where mainline could not read it may have held deploys: nothing is counted then.
 */
function budgetReasons({ hotfix, recentDeploys, now }: GrantFacts): ApprovalReason[] {
  const { count, days } = hotfix.budget;
  if (count === 0) return [];
  if (!recentDeploys) return [{ kind: "budget-unverified", count, days, detail: "not read" }];
  if ("error" in recentDeploys) return [{ kind: "budget-unverified", count, days, detail: recentDeploys.error }];
  const since = now.getTime() - days * DAY_MS;
  const left = recentDeploys.unread.filter((u) => Date.parse(u.at) >= since).sort((a, b) => b.at.localeCompare(a.at))[0];
  if (left) return [{ kind: "budget-moved-unread", left, count, days }];
  const deployed = firstDeploys(recentDeploys.deploys).filter((d) => Date.parse(d.deployedAt) >= since);
  const granted = grantsToCome(recentDeploys.grants, now).filter((g) => !deployed.some((d) => d.incident === g.incident && sameSha(d.sha, g.sha))).length;
  if (deployed.length + granted >= count) return [{ kind: "budget-spent", deploys: deployed.length, granted, count, days }];
  return recentDeploys.complete ? [] : [{ kind: "budget-unverified", count, days, detail: "more than mainline reads" }];
}

/**
 * The grants in force and not used yet: unexpired, with no revoke of their commit in their incident
 * nor deploy under them recorded at or after them; each (incident, commit) once, as deploys count.
 * A grant whose incident was closed since is counted until it expires (no record says so: it fails closed).
 */
function grantsToCome(records: GrantRecords, now: Date): Array<{ incident: number; sha: string }> {
  const ended = (grant: GrantRecords["grants"][number]) =>
    Date.parse(grant.expires) <= now.getTime() ||
    records.revokes.some((r) => r.incident === grant.incident && sameSha(r.sha, grant.sha) && r.at >= grant.at) ||
    records.deploys.some((d) => d.incident === grant.incident && sameSha(d.sha, grant.sha) && d.env.toLowerCase() === grant.env.toLowerCase() && d.at >= grant.at);
  const toCome = new Map<string, { incident: number; sha: string }>();
  for (const grant of records.grants.filter((g) => !ended(g))) toCome.set(`${grant.incident}:${grant.sha.toLowerCase()}`, { incident: grant.incident, sha: grant.sha });
  return [...toCome.values()];
}

function sameSha(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * Why a second person must approve, for the grant's record and reply: a sentence per reason. A
 * grant that needs one only because `override.approvals` is 2 keeps the sentence it always had.
 */
function secondApprovalNote(sha: string, reasons: readonly ApprovalReason[]): string {
  return [`It needs a second person's \`/hotfix approve ${shortSha(sha)}\` before it can be used.`, ...reasons.flatMap(describeReason)].join(" ");
}

function describeReason(reason: ApprovalReason): string[] {
  switch (reason.kind) {
    case "configured":
      return [];
    case "too-large":
      return [`Its change against main is ${reason.lines} lines (added + deleted), more than \`hotfix.maxChangedLines\` allows (${reason.max}).`];
    case "size-unverified":
      return [`mainline could not count the lines it changes against main (${reason.detail}), so it cannot tell that it is within \`hotfix.maxChangedLines\` (${reason.max}).`];
    case "budget-spent":
      return [
        `This repository already had ${spentText(reason)} in the last ${daysText(reason.days)}, the \`hotfix.budget\` (${reason.count}): ` +
          "hotfixes have become a habit (`/mainline report` shows the trend).",
      ];
    case "budget-unverified":
      return [`mainline could not count this repository's exception deploys of the last ${daysText(reason.days)} (${reason.detail}), so it cannot tell that the \`hotfix.budget\` (${reason.count}) is not spent.`];
    case "budget-moved-unread":
      return [movedUnreadText(reason.left, reason.count, reason.days)];
  }
}

/** Deploys, and grants not used yet when there are any (a plain count keeps its plain sentence). */
function spentText({ deploys, granted }: { deploys: number; granted: number }): string {
  const grants = `${granted} ${granted === 1 ? "exception" : "exceptions"} granted and not yet used`;
  if (granted === 0) return deploysText(deploys);
  return deploys === 0 ? grants : `${deploysText(deploys)} and ${grants}`;
}

function movedUnreadText(left: UnreadTransfer, count: number, days: number): string {
  const until = new Date(Date.parse(left.at) + days * DAY_MS).toISOString().slice(0, 10);
  const how = left.read === "none" ? "to a repository mainline cannot read" : "with more comments than mainline reads";
  return (
    `An issue moved on ${left.at.slice(0, 10)} ${how} (#${left.moved}, to ${escapeUserText(left.to, 300)}, by ${quietLogin(left.by)}) may have held exception deploys, ` +
    `so until ${until} mainline cannot tell that the \`hotfix.budget\` (${count}) is not spent.`
  );
}

function deploysText(n: number): string {
  return `${n} exception ${n === 1 ? "deploy" : "deploys"}`;
}

function daysText(n: number): string {
  return n === 1 ? "day" : `${n} days`;
}
