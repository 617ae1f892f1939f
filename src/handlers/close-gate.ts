import type { IssueLike } from "../github/client.js";
import { readIncidentThread } from "../github/incidents.js";
import { getIssue } from "../github/issues.js";
import { decideIncidentClosed, forceCloseCovers } from "../policy/close-gate.js";
import type { Deps } from "./deps.js";
import { endExceptions } from "./incident-runs.js";
import { viewForClosing } from "./incident-blockers.js";
import { refreshLedger } from "./refresh-ledger.js";
import { reopenOnce } from "./reopen-once.js";
import type { RepoContext } from "./repo-context.js";

/**
 * An incident (by its records) was closed: its exceptions end for good, and unless an admin's
 * force-close made this close, it is reopened while anything blocks, saying exactly what.
 */
export async function gateClosedIncident(repo: Pick<RepoContext, "client" | "config" | "mainBranch">, incident: IssueLike, deps: Deps): Promise<void> {
  // First, before anything that may fail on the way: a close ends the exceptions whatever follows.
  await endExceptions(repo.client, incident.number, await readIncidentThread(repo.client, incident, deps.records), deps);
  const view = await viewForClosing(repo, incident, deps);
  const verdict = decideIncidentClosed({ forceClosed: forceCloseCovers(view.thread.forceClose?.at, incident.closed_at), blockers: view.blockers });
  if (verdict === "reopen") {
    const why = [
      `🔒 Reopened: an incident closes only when its fixes are on \`${repo.mainBranch}\` and its RCA is written. Still blocking:`,
      ...view.blockers.map((b) => `- ${b}`),
      "When nothing blocks, `/incident close` closes it. An admin can `/incident force-close <reason>` (recorded in the ledger). Its exceptions ended with this close: grant again if one is still needed.",
    ].join("\n");
    await reopenOnce(repo.client, incident.number, incident.closed_at!, why, deps.appId);
  }
  // The ledger from this verified view (it says why an item is not done), with the incident as it is now.
  await refreshLedger(repo.client, repo.config, { ...view, incident: await getIssue(repo.client, incident.number) }, deps);
}
