import type { Context } from "probot";
import type { IssueLike } from "../github/client.js";
import { hasLabel } from "../github/client.js";
import { getIssue } from "../github/issues.js";
import { readMarker } from "../markers.js";
import { decideIncidentClosed, forceCloseCovers } from "../policy/close-gate.js";
import { checkRca } from "../policy/rca.js";
import { verifyClosedMergeBack } from "./check-merge-back.js";
import type { Deps } from "./deps.js";
import { viewIncident } from "./incident-view.js";
import { recheckMergeBacks } from "./recheck-merge-backs.js";
import { rewriteLedger } from "./refresh-ledger.js";
import { reopenOnce } from "./reopen-once.js";
import { repoContext, type RepoContext } from "./repo-context.js";

/**
 * `issues.closed`: the close gate. An incident closed with blockers, a merge-back closed while
 * S is not on main, or an RCA closed with empty sections is reopened, with why.
 */
export function onIssueClosed(deps: Deps) {
  return async (context: Context<"issues.closed">): Promise<void> => {
    const issue = context.payload.issue as IssueLike;
    if (context.payload.issue.pull_request) return;
    const repo = await repoContext(context);
    if (hasLabel(issue, repo.config.labels.incident)) await gateIncidentClose(repo, issue, deps);
    const mergeBack = readMarker(issue.body, "merge-back");
    if (mergeBack && hasLabel(issue, repo.config.labels.mergeBack)) await verifyMergeBackClose(repo, issue, deps);
    const rca = readMarker(issue.body, "rca");
    if (rca && hasLabel(issue, repo.config.labels.rca)) await verifyRcaClose(repo, issue, deps);
    const incident = mergeBack?.incident ?? rca?.incident;
    if (incident !== undefined) await refreshIncident(repo, incident, deps);
  };
}

async function gateIncidentClose(repo: RepoContext, incident: IssueLike, deps: Deps): Promise<void> {
  // Items whose change reached main while nobody pushed (or the app was down) are closed first.
  await recheckMergeBacks(repo.client, repo.config, repo.mainBranch, deps, { incident: incident.number, verifyClosed: true });
  const view = await viewIncident(repo.client, repo.config, repo.mainBranch, incident, deps);
  const verdict = decideIncidentClosed({ forceClosed: forceCloseCovers(view.thread.forceClose?.recordedAt, incident.closed_at), blockers: view.blockers });
  if (verdict === "reopen") {
    const why = [
      `🔒 Reopened: an incident closes only when its fixes are on \`${repo.mainBranch}\` and its RCA is written. Still blocking:`,
      ...view.blockers.map((b) => `- ${b}`),
      "When nothing blocks, `/incident close` closes it. An admin can `/incident force-close <reason>` (recorded in the ledger).",
    ].join("\n");
    await reopenOnce(repo.client, incident.number, incident.closed_at!, why, deps.appId);
  }
  await rewriteLedger(repo.client, repo.config, repo.mainBranch, await getIssue(repo.client, incident.number), deps);
}

async function verifyMergeBackClose(repo: RepoContext, issue: IssueLike, deps: Deps): Promise<void> {
  const mergeBack = readMarker(issue.body, "merge-back");
  if (mergeBack) await verifyClosedMergeBack(repo.client, repo.mainBranch, { ...issue, mergeBack }, deps);
}

async function verifyRcaClose(repo: RepoContext, issue: IssueLike, deps: Deps): Promise<void> {
  const check = checkRca({ body: issue.body ?? null, closed: true, requiredSections: repo.config.rca.requiredSections });
  const unwritten = [...check.missingSections, ...check.emptySections];
  if (unwritten.length === 0) return;
  const list = unwritten.map((s) => `"${s}"`).join(", ");
  await reopenOnce(repo.client, issue.number, issue.closed_at!, `📝 Reopened: the RCA is not written yet. ${list} ${unwritten.length === 1 ? "needs" : "need"} content under ${unwritten.length === 1 ? "its heading" : "their headings"}.`, deps.appId);
}

async function refreshIncident(repo: RepoContext, incidentNumber: number, deps: Deps): Promise<void> {
  const incident = await getIssue(repo.client, incidentNumber);
  await rewriteLedger(repo.client, repo.config, repo.mainBranch, incident, deps);
}
