import type { MarkerFields } from "../../src/markers.js";

/** An exception's state as this app's `mainline/exception` check run holds it (the run's marker). */
export type ExceptionRunState = MarkerFields<"exception-run">;

/**
 * The state `/hotfix allow` leaves on an exception's check run: `by`'s grant (alice's unless said)
 * for `env` (production unless said), needing one approval, and not yet approved, revoked, used,
 * ended or suspended; any of that as given instead. The fields are in the order the app writes
 * them: a marker lists them in that order.
 */
export function exceptionRunState({
  incident,
  sha,
  env = "production",
  by = "alice",
  at,
  expires,
  source,
  ...rest
}: Pick<ExceptionRunState, "incident" | "sha" | "at" | "expires" | "source"> & Partial<ExceptionRunState>): ExceptionRunState {
  return { incident, sha, env, by, at, expires, approvals: 1, approved: "", revoked: "", used: "", ended: "", suspended: "", source, ...rest };
}

/*
 * The policy tests' exception (test/policy/exception-runs.test.ts, test/policy/exceptions.test.ts):
 * alice's grant in incident 12 for S to production, at GRANTED for four hours, from comment 101.
 */
export const S = "5b3c9d1e2f4a6b8c0d1e2f3a4b5c6d7e8f9a0b1c";
/** A commit no exception is for. */
export const OTHER = "0123456789abcdef0123456789abcdef01234567";
export const INCIDENT = 12;
export const HOUR = 3_600_000;
export const GRANTED = Date.parse("2026-11-20T10:00:00.000Z");
/** The time `ms` after the grant, as records and runs write it. */
export const at = (ms: number) => new Date(GRANTED + ms).toISOString();
export const EXPIRES = at(4 * HOUR);

/** The policy tests' exception as its check run holds it, with `over` changed. */
export const grantedRun = (over: Partial<ExceptionRunState> = {}): ExceptionRunState =>
  exceptionRunState({ incident: INCIDENT, sha: S, at: at(0), expires: EXPIRES, source: "101:1", ...over });
