import type { MarkerFields } from "../markers.js";
import type { GrantedException } from "./gate.js";
import { quietLogin, escapeUserText, shortSha } from "./text.js";

/**
 * An exception's state as its `mainline/exception` check run holds it. No person can edit or
 * delete a check run, so this, not the incident's comments, is what the gate believes: a revoke
 * or an end takes effect the moment the run says so.
 */
export type ExceptionRunState = MarkerFields<"exception-run">;
export type ExceptionRun = { id: number; state: ExceptionRunState };

export type RunStatus = "awaiting-approval" | "active" | "used" | "expired" | "revoked" | "ended" | "suspended";

/** Ended (its incident closed), revoked and suspended (a record tampered with) outrank everything: none is ever in force. */
export function runStatus(state: ExceptionRunState, now: Date): RunStatus {
  if (state.ended) return "ended";
  if (state.revoked) return "revoked";
  if (state.suspended) return "suspended";
  if (state.used) return "used";
  if (Date.parse(state.expires) <= now.getTime()) return "expired";
  return approvers(state).length >= state.approvals - 1 ? "active" : "awaiting-approval";
}

export function approvers(state: ExceptionRunState): string[] {
  return state.approved.split(",").filter(Boolean);
}

/**
 * The exceptions that may let (S, E) through now, as far as the runs say; the gate still asks
 * GitHub whether each one's incident is open in this repository before it honours it.
 */
export function exceptionsInForce(runs: readonly ExceptionRun[], sha: string, environment: string, now: Date): GrantedException[] {
  return runs
    .filter(({ state }) => state.sha === sha && state.env.toLowerCase() === environment.toLowerCase())
    .filter(({ state }) => ["active", "used"].includes(runStatus(state, now)))
    .map(({ state }) => ({
      sha: state.sha,
      environment: state.env,
      incident: state.incident,
      grantedBy: state.by,
      expiresAt: state.used ? null : state.expires,
    }));
}

/** The run of one incident's exception for (S, E), if any. */
export function runOf(runs: readonly ExceptionRun[], incident: number, environment: string): ExceptionRun | undefined {
  return runs.find(({ state }) => state.incident === incident && state.env.toLowerCase() === environment.toLowerCase());
}

/** What people see on the check run: the state in words; the marker below it is what the app reads back. */
export function describeRun(state: ExceptionRunState, now: Date): { title: string; summary: string } {
  const status = runStatus(state, now);
  const approved = approvers(state);
  const lines = [
    `Exception for \`${shortSha(state.sha)}\` to ${escapeUserText(state.env, 100)} in incident #${state.incident}: **${status.replace("-", " ")}**.`,
    `Granted by ${quietLogin(state.by)} at ${state.at}; expires ${state.expires} unless used.`,
    ...(state.approvals === 2 ? [approved.length > 0 ? `Approved by ${approved.map(quietLogin).join(", ")}.` : "Waits for a second person's `/hotfix approve`."] : []),
    ...(state.revoked ? [`Revoked by ${quietLogin(state.revoked)}.`] : []),
    ...(state.used ? [`Used by a deployment at ${state.used}.`] : []),
    ...(state.ended ? [`Ended at ${state.ended}: its incident was closed, and reopening it never brings an exception back.`] : []),
    ...(state.suspended ? [`Suspended: ${escapeUserText(state.suspended, 100)} changed one of the incident's records; mainline restores it, then lifts this.`] : []),
  ];
  return { title: `Exception ${status.replace("-", " ")}`, summary: lines.join("\n\n") };
}
