import { escapeUserText, shortSha } from "./text.js";

/** note: why git says not yet, when that is worth a person's eye (a cherry-pick note that only claims it). */
export type MergeBackItem = { number: number; sha: string; closed: boolean; overdue: boolean; note?: string };
export type RcaStatus =
  /** gone: the issue the RCA record names has left the repository (transferred or deleted). */
  | { exists: false; gone?: number }
  | { exists: true; number: number; closed: boolean; emptySections: string[]; missingSections: string[] };

/** What still keeps an incident from closing, one line each; empty means it may close. */
export function closeBlockers(mergeBacks: readonly MergeBackItem[], rca: RcaStatus, mainBranch: string): string[] {
  const blockers = mergeBacks
    .filter((item) => !item.closed)
    .map((item) => `merge-back #${item.number}: ${shortSha(item.sha)} is not on ${mainBranch} yet${item.overdue ? " (overdue)" : ""}${item.note ? ` (${escapeUserText(item.note, 400)})` : ""}`);
  if (!rca.exists && rca.gone !== undefined) return [...blockers, `RCA #${rca.gone} is no longer in this repository (run \`/mainline status\` to open a new one)`];
  if (!rca.exists) return [...blockers, "the RCA issue is missing (run `/mainline status` to open it)"];
  const unwritten = [...rca.missingSections, ...rca.emptySections];
  if (unwritten.length > 0) blockers.push(`RCA #${rca.number}: ${unwritten.map((s) => `"${s}"`).join(", ")} ${unwritten.length === 1 ? "has" : "have"} no content yet`);
  if (!rca.closed) blockers.push(`RCA #${rca.number} is still open (close it when it is written)`);
  return blockers;
}

/** How long after a force-close record the app's own close may follow it. */
const FORCE_CLOSE_WINDOW_MS = 10 * 60_000;

/**
 * A force-close covers the close that carried it out, not every later one: an incident reopened
 * after a force-close and closed again later goes through the gate like any other.
 */
export function forceCloseCovers(forceCloseAt: string | undefined, closedAt: string | null): boolean {
  if (!forceCloseAt || !closedAt) return false;
  const gap = Date.parse(closedAt) - Date.parse(forceCloseAt);
  return gap >= -1_000 && gap <= FORCE_CLOSE_WINDOW_MS;
}

export type CloseAttempt = {
  forceClosed: boolean;
  blockers: readonly string[];
};

/** An incident closed with blockers left is reopened, unless an admin's force-close made that close. */
export function decideIncidentClosed(attempt: CloseAttempt): "stays-closed" | "reopen" {
  if (attempt.forceClosed || attempt.blockers.length === 0) return "stays-closed";
  return "reopen";
}
