import type { Context } from "probot";
import type { IssueLike } from "../github/client.js";
import { roleOf } from "../github/permission.js";
import { hasRole } from "../policy/roles.js";
import { becomeIncident } from "../incidents/become-incident.js";
import type { AppDeps } from "../delivery/deps.js";
import { repoContext } from "../delivery/repo-context.js";

/**
 * `issues.labeled`: the incident label makes an issue an incident when whoever added it may label
 * issues in this repository (triage or higher, asked of GitHub: a label an issue template put on
 * a reader's issue makes nothing). The app's own label (from `/incident`) only brings it up to date.
 * 1. read the config: only its incident label (any case), on an issue and not a pull request, counts
 * 2. added by the app itself → bring an issue its records already call an incident up to date (become-incident)
 * 3. otherwise ask GitHub the labeler's role; below triage → logged, and nothing more
 * 4. the issue becomes an incident, by the labeler, via the label (become-incident)
 */
export function onIssueLabeled(deps: AppDeps) {
  return async (context: Context<"issues.labeled">): Promise<void> => {
    const { issue, label, sender } = context.payload;
    const repo = await repoContext(context, deps);
    if (label?.name.toLowerCase() !== repo.config.labels.incident.toLowerCase() || issue.pull_request) return;
    if (sender.login === (await deps.botLogin())) {
      await becomeIncident(repo, issue as IssueLike, deps);
      return;
    }
    const role = await roleOf(repo.client, sender.login);
    if (!hasRole(role, "triage")) {
      context.log.warn({ issue: issue.number, sender: sender.login, role }, "incident label added by someone without the triage role: not an incident");
      return;
    }
    await becomeIncident(repo, issue as IssueLike, deps, { by: sender.login, via: "label" });
  };
}
