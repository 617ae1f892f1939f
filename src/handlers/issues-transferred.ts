import type { Context } from "probot";
import { readIncidentThread } from "../github/incidents.js";
import type { Deps } from "./deps.js";
import { endExceptions } from "./incident-runs.js";
import { keepExceptionDeploys } from "./keep-exception-deploys.js";
import { repoContext } from "./repo-context.js";

/**
 * `issues.transferred`: an incident moved to another repository takes no exception along (SPEC
 * section 8): its exceptions end here, as a close ends them. Its comments moved with it; GitHub
 * redirects the old address, and the records still name this repository and the old number, so
 * they count nowhere now: its exception deploys are written again into an issue of this repository,
 * where the hotfix budget (SPEC 11) still counts them.
 */
export function onIssueTransferred(deps: Deps) {
  return async (context: Context<"issues.transferred">): Promise<void> => {
    const { issue, changes, sender } = context.payload;
    const repo = await repoContext(context);
    const thread = await readIncidentThread(repo.client, issue, deps.records);
    if (thread.isIncident) await endExceptions(repo.client, issue.number, thread, deps);
    const to = { repository: changes.new_repository.full_name, number: changes.new_issue.number, url: changes.new_issue.html_url };
    const kept = await keepExceptionDeploys(repo.client, deps, { moved: issue.number, by: sender.login, to, at: deps.now().toISOString() }, thread.comments);
    for (const trail of kept) context.log.info({ moved: issue.number, ...trail }, "an issue holding exception deploys left the repository: they are kept in an issue here for the hotfix budget");
  };
}
