import type { Context } from "probot";
import type { IssueLike } from "../github/client.js";
import { readIncidentThread } from "../github/incidents.js";
import { getIssue } from "../github/issues.js";
import { readMarker } from "../markers.js";
import type { AppDeps } from "../delivery/deps.js";
import { rewriteLedger } from "../incidents/refresh-ledger.js";
import { repoContext } from "../delivery/repo-context.js";

/**
 * `issues.edited` / `issues.reopened` of an RCA or merge-back issue: its incident's ledger shows
 * the new state (an RCA section written, an item reopened). The body only hints which incident
 * to look at; that incident's records must name this issue.
 * 1. the body's RCA or merge-back marker names the incident (none, or the issue itself → nothing, no call)
 * 2. read the config, that incident, and its thread
 * 3. its records name this issue as its RCA or one of its merge-back items → rewrite its ledger
 */
export function onIssueUpdated(deps: AppDeps) {
  return async (context: Context<"issues.edited" | "issues.reopened">): Promise<void> => {
    const issue = context.payload.issue as IssueLike;
    const incidentNumber = readMarker(issue.body, "rca")?.incident ?? readMarker(issue.body, "merge-back")?.incident;
    if (incidentNumber === undefined || incidentNumber === issue.number) return;
    const repo = await repoContext(context, deps);
    const incident = await getIssue(repo.client, incidentNumber);
    const thread = await readIncidentThread(repo.client, incident, deps.records);
    if (thread.rca?.issue !== issue.number && !thread.mergeBacks.some((item) => item.issue === issue.number)) return;
    await rewriteLedger(repo, incident, deps);
  };
}
