import type { Context } from "probot";
import type { IssueLike } from "../github/client.js";
import { becomeIncident } from "./become-incident.js";
import type { Deps } from "./deps.js";
import { repoContext } from "./repo-context.js";

/**
 * `issues.labeled`: the incident label makes an issue an incident (also when `/incident` added
 * it, or when the issue was opened with it: GitHub sends `labeled` for those too).
 */
export function onIssueLabeled(deps: Deps) {
  return async (context: Context<"issues.labeled">): Promise<void> => {
    const { issue, label } = context.payload;
    const repo = await repoContext(context);
    if (label?.name.toLowerCase() !== repo.config.labels.incident.toLowerCase() || issue.pull_request) return;
    await becomeIncident(repo.client, repo.config, repo.mainBranch, issue as IssueLike, deps);
  };
}
