import type { DecisionLog } from "../decision-log.js";
import type { IssueLike } from "../github/client.js";
import { readIncidentThread } from "../github/incidents.js";
import { getIssue } from "../github/issues.js";
import { decideIncidentClosed, forceCloseCovers } from "../policy/close-gate.js";
import type { Deps } from "../delivery/deps.js";
import { endExceptions } from "./incident-runs.js";
import { viewForClosing } from "./incident-blockers.js";
import { refreshLedger } from "./refresh-ledger.js";
import { reopenOnce } from "./reopen-once.js";
import type { RepoScope } from "../delivery/repo-context.js";

/**
 * What the close gate did with a close: `allowed` (nothing blocks, or an admin's force-close made
 * it: `forced`), `reopened` with the blockers, or `superseded` (a later close is the one to judge).
 */
export type CloseGateResult = { outcome: "allowed" | "reopened" | "superseded"; forced: boolean; blockers: readonly string[] };

/**
 * An incident (by its records) was closed: its exceptions end for good, and unless an admin's
 * force-close made this close, it is reopened while anything blocks, saying exactly what.
 */
export async function gateClosedIncident(repo: RepoScope, incident: IssueLike, deps: Deps): Promise<CloseGateResult> {
  // First, before anything that may fail on the way: a close ends the exceptions whatever follows.
  await endExceptions(repo, incident.number, await readIncidentThread(repo.client, incident, deps.records), deps);
  const view = await viewForClosing(repo, incident, deps);
  const forced = forceCloseCovers(view.thread.forceClose?.at, incident.closed_at);
  const verdict = decideIncidentClosed({ forceClosed: forced, blockers: view.blockers });
  let outcome: CloseGateResult["outcome"] = "allowed";
  if (verdict === "reopen") {
    const why = [
      `🔒 Reopened: an incident closes only when its fixes are on \`${repo.mainBranch}\` and its RCA is written. Still blocking:`,
      ...view.blockers.map((b) => `- ${b}`),
      "When nothing blocks, `/incident close` closes it. An admin can `/incident force-close <reason>` (recorded in the ledger). Its exceptions ended with this close: grant again if one is still needed.",
    ].join("\n");
    outcome = (await reopenOnce(repo.client, incident.number, incident.closed_at!, why, deps.appId)) === "reopened" ? "reopened" : "superseded";
  }
  // The ledger from this verified view (it says why an item is not done), with the incident as it is now.
  await refreshLedger(repo, { ...view, incident: await getIssue(repo.client, incident.number) }, deps);
  return { outcome, forced, blockers: view.blockers };
}

/** The close gate's decision line; `via`: what asked (a close on GitHub, `/incident close`, `/incident force-close`). */
export function logCloseGate(
  decisions: DecisionLog,
  incident: number,
  { outcome, forced, blockers }: { outcome: CloseGateResult["outcome"] | "refused"; forced: boolean; blockers: readonly string[] },
  via: "issues.closed" | "/incident close" | "/incident force-close",
): void {
  const what = { allowed: forced && blockers.length > 0 ? "force-closed over its blockers" : "closed", reopened: "reopened", refused: "kept open", superseded: "closed again since: the later close is judged" }[outcome];
  const message = `incident #${incident} ${what}${blockers.length > 0 && outcome !== "superseded" ? `: ${blockers.join("; ")}` : ""}`;
  decisions.decided("close-gate", outcome, { issue: incident, via, forced, blockers: blockers.length }, message);
}
