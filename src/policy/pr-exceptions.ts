import { exceptionsInForce, type ExceptionRun } from "./exception-runs.js";
import type { GrantedException } from "./gate.js";
import type { PrFacts } from "./pr-check.js";

/** How many offending commits are looked up for exceptions: each costs a read; past it none is, and the check fails as it stands. */
export const EXCEPTION_LOOKUPS = 20;

/** The exception a pull request's check names, and the incident of each offending commit's own exception. */
export type CoveringException = NonNullable<PrFacts["exception"]> & { incidentOf: ReadonlyMap<string, number> };

/** Which offending commits are looked up for exceptions: all of them, or none past the bound. */
export function offendersToLookUp(offenders: readonly string[]): readonly string[] {
  return offenders.length > EXCEPTION_LOOKUPS ? [] : offenders;
}

/**
 * The exceptions that may let commit S into a release branch, in the order its runs name their
 * environments: any gated environment's exception counts there. Each is honoured only while its
 * incident is an open issue of this repository, which the caller asks, one at a time, in this order.
 */
export function exceptionsForCommit(runs: readonly ExceptionRun[], sha: string, now: Date): GrantedException[] {
  const environments = new Map(runs.map(({ state }) => [state.env.toLowerCase(), state.env]));
  return [...environments.values()].flatMap((environment) => exceptionsInForce(runs, sha, environment, now));
}

/**
 * The exception that lets the pull request in, from each offending commit's (in order; undefined
 * where it has none): every one must have its own, since one covered commit does not carry the
 * others. The first one names the incident and grantor the check shows.
 */
export function coveringException(perOffender: readonly (GrantedException | undefined)[]): CoveringException | undefined {
  const [first] = perOffender;
  if (!first || !perOffender.every((e): e is GrantedException => e !== undefined)) return undefined;
  return { incident: first.incident, grantedBy: first.grantedBy, incidentOf: new Map(perOffender.map((e) => [e.sha, e.incident])) };
}
