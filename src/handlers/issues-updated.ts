import type { Context } from "probot";
import { hasLabel, type IssueLike } from "../github/client.js";
import { getIssue } from "../github/issues.js";
import { readMarker } from "../markers.js";
import type { Deps } from "./deps.js";
import { rewriteLedger } from "./refresh-ledger.js";
import { repoContext } from "./repo-context.js";

/**
 * `issues.edited` / `issues.reopened` of an RCA or merge-back issue: its incident's ledger
 * shows the new state (an RCA section written, an item reopened).
 */
export function onIssueUpdated(deps: Deps) {
  return async (context: Context<"issues.edited" | "issues.reopened">): Promise<void> => {
    const issue = context.payload.issue as IssueLike;
    const incidentNumber = readMarker(issue.body, "rca")?.incident ?? readMarker(issue.body, "merge-back")?.incident;
    if (incidentNumber === undefined) return;
    const repo = await repoContext(context);
    if (!hasLabel(issue, repo.config.labels.rca) && !hasLabel(issue, repo.config.labels.mergeBack)) return;
    const incident = await getIssue(repo.client, incidentNumber);
    if (!hasLabel(incident, repo.config.labels.incident)) return;
    await rewriteLedger(repo.client, repo.config, repo.mainBranch, incident, deps);
  };
}
