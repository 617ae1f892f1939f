import type { RecordFields } from "../records.js";
import type { RunStatus } from "./exception-runs.js";
import { samePerson, type Person } from "./same-person.js";
import { shortSha } from "./text.js";

/** The app's own records in one incident, read back from its comments: the copy people read. */
export type IncidentRecords = {
  incident: number;
  exceptions: ReadonlyArray<RecordFields<"exception">>;
  approvals: ReadonlyArray<RecordFields<"approval">>;
  revokes: ReadonlyArray<RecordFields<"revoke">>;
  deploys: ReadonlyArray<RecordFields<"deploy">>;
  deployed: ReadonlyArray<RecordFields<"deployed">>;
};

/**
 * One deployment under an exception, at the time it reached the environment when known, else when
 * the gate let it through. `skipped`: a commit already on main, let past its promotion rule (the
 * environment it did not go through first): no merge-back follows it.
 */
export type ExceptionDeployment = Omit<RecordFields<"deploy">, "issue"> & { reached: boolean };

/** The incident's deployments under exceptions, one per deployment id. */
export function exceptionDeployments(records: Pick<IncidentRecords, "deploys" | "deployed">): ExceptionDeployment[] {
  const byId = new Map<number, ExceptionDeployment>();
  const fields = (d: RecordFields<"deploy">) => ({ sha: d.sha, env: d.env, deployment: d.deployment, at: d.at, ...(d.skipped ? { skipped: d.skipped } : {}) });
  for (const d of records.deploys) byId.set(d.deployment, { ...fields(d), reached: false });
  for (const d of records.deployed) byId.set(d.deployment, { ...fields(d), reached: true });
  return [...byId.values()].sort((a, b) => a.at.localeCompare(b.at));
}

export type ExceptionStatus = "awaiting-approval" | "active" | "used" | "expired" | "revoked";

export type ExceptionState = {
  incident: number;
  sha: string;
  environment: string;
  grantedBy: string;
  reason: string;
  /** The `hotfix.criteria` entry the reason begins with, as the grant recorded it. */
  criterion?: string;
  /** For a commit on main: the promotion step the grant waives ("skipped staging"), as it recorded it. */
  waives?: string;
  grantedAt: string;
  expiresAt: string;
  approvedBy: string[];
  deploys: ExceptionDeployment[];
  status: ExceptionStatus;
};

/**
 * Folds an incident's records into the state of each exception. The latest grant for a
 * (sha, environment) is the one that counts; a revoke withdraws the grants made before it.
 * A used exception stays usable for the same commit and environment while the incident is
 * open, so re-running the deploy that used it is not refused; `ttlHours` limits unused ones.
 * A grant needs the approvals it recorded (hotfix discipline may have asked two), as its check
 * run does; `approvalsNeeded` (the config's) only for grants written before that was recorded.
 */
export function exceptionStates(records: IncidentRecords, approvalsNeeded: 1 | 2, now: Date): ExceptionState[] {
  const latest = new Map<string, RecordFields<"exception">>();
  for (const grant of [...records.exceptions].sort((a, b) => a.at.localeCompare(b.at))) {
    latest.set(`${grant.sha}@${grant.env.toLowerCase()}`, grant);
  }
  return [...latest.values()].map((grant) => {
    const approvals = records.approvals.filter((a) => a.sha === grant.sha && a.at >= grant.at && !samePerson(personOf(a), personOf(grant)));
    // Each person once, under the login of their first approval.
    const approvedBy = approvals.filter((a, i) => approvals.findIndex((b) => samePerson(personOf(a), personOf(b))) === i).map((a) => a.by);
    const deploys = exceptionDeployments(records).filter((d) => d.sha === grant.sha && d.env.toLowerCase() === grant.env.toLowerCase() && d.at >= grant.at);
    const revoked = records.revokes.some((r) => r.sha === grant.sha && r.at >= grant.at);
    return {
      incident: records.incident,
      sha: grant.sha,
      environment: grant.env,
      grantedBy: grant.by,
      reason: grant.reason,
      ...(grant.criterion ? { criterion: grant.criterion } : {}),
      ...(grant.waives ? { waives: grant.waives } : {}),
      grantedAt: grant.at,
      expiresAt: grant.expires,
      approvedBy,
      deploys,
      status: statusOf({ revoked, used: deploys.length > 0, approved: (grant.approvals ?? approvalsNeeded) === 1 || approvedBy.length > 0, expired: Date.parse(grant.expires) <= now.getTime() }),
    };
  });
}

/** Who wrote a grant or an approval. */
function personOf(record: { by: string; account?: number | undefined }): Person {
  return { login: record.by, account: record.account };
}

function statusOf(s: { revoked: boolean; used: boolean; approved: boolean; expired: boolean }): ExceptionStatus {
  if (s.used) return "used";
  if (s.revoked) return "revoked";
  if (s.expired) return "expired";
  return s.approved ? "active" : "awaiting-approval";
}

export type CommandVerdict = { ok: true } | { ok: false; error: string };

/** An exception as the commands judge it: its state from its check run; its grantor's account from the grant's record. */
export type ExceptionInForce = { sha: string; environment: string; grantor: Person; status: RunStatus };

/** May `actor` grant an exception for (sha, env) now? Refuses a duplicate that is already in force. */
export function decideAllow(states: readonly ExceptionInForce[], sha: string, environment: string): CommandVerdict {
  const current = states.find((s) => s.sha === sha && s.environment.toLowerCase() === environment.toLowerCase());
  // A new grant must not lift a suspension: the changed record is written back first.
  if (current?.status === "suspended") {
    return { ok: false, error: `the exceptions of this incident are suspended while mainline writes back a record someone changed; try again once it says so` };
  }
  if (current && (current.status === "active" || current.status === "awaiting-approval" || current.status === "used")) {
    return { ok: false, error: `an exception for ${shortSha(sha)} to ${environment} is already ${current.status.replace("-", " ")} in this incident` };
  }
  return { ok: true };
}

/**
 * May `actor` give the second approval? Not to their own grant (under whatever login they have
 * now), and only to one that waits for it. A grant waits when its own run says it needs two, which
 * hotfix discipline decides per grant (SPEC 11) even where `override.approvals` is 1.
 */
export function decideApprove(states: readonly ExceptionInForce[], sha: string, actor: Person, approvalsNeeded: 1 | 2): CommandVerdict {
  const waiting = states.filter((s) => s.sha === sha && s.status === "awaiting-approval");
  if (waiting.length === 0 && approvalsNeeded === 1) return { ok: false, error: "this repository needs no second approval (`override.approvals` is 1)" };
  if (waiting.length === 0) return { ok: false, error: `no exception for ${shortSha(sha)} is waiting for approval in this incident` };
  if (waiting.every((s) => samePerson(s.grantor, actor))) {
    return { ok: false, error: "you granted this exception: a second person must approve it" };
  }
  return { ok: true };
}

/**
 * May the commit's exceptions be withdrawn? Those not used yet are (in every environment); one a
 * deployment already used stays on the record as used.
 */
export function decideRevoke(states: readonly ExceptionInForce[], sha: string): CommandVerdict {
  const matching = states.filter((s) => s.sha === sha);
  if (matching.some((s) => s.status === "active" || s.status === "awaiting-approval")) return { ok: true };
  if (matching.some((s) => s.status === "used")) {
    return { ok: false, error: `the exception for ${shortSha(sha)} was already used by a deployment and cannot be withdrawn` };
  }
  return { ok: false, error: `no exception for ${shortSha(sha)} is in force in this incident` };
}
