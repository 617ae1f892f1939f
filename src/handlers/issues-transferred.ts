import type { Context } from "probot";
import { readIncidentThread } from "../github/incidents.js";
import type { Deps } from "./deps.js";
import { endExceptions } from "./incident-runs.js";
import { repoContext } from "./repo-context.js";

/**
 * `issues.transferred`: an incident moved to another repository takes no exception along (SPEC
 * section 8): its exceptions end here, as a close ends them. Its comments moved with it; GitHub
 * redirects the old address, and the records still name this repository and the old number.
 */
export function onIssueTransferred(deps: Deps) {
  return async (context: Context<"issues.transferred">): Promise<void> => {
    const { issue } = context.payload;
    const repo = await repoContext(context);
    const thread = await readIncidentThread(repo.client, issue, deps.records);
    if (thread.isIncident) await endExceptions(repo.client, issue.number, thread, deps);
  };
}
