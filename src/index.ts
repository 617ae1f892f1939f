import type { ApplicationFunction } from "probot";
import { AncestryReader } from "./github/ancestry.js";
import { onDeploymentCreated } from "./handlers/deployment.js";
import { onDeploymentProtectionRule } from "./handlers/deployment-protection-rule.js";
import { onIssueComment } from "./handlers/issue-comment.js";
import { onIssueClosed } from "./handlers/issues-closed.js";
import { onIssueLabeled } from "./handlers/issues-labeled.js";
import { onIssueUpdated } from "./handlers/issues-updated.js";
import { onPush } from "./handlers/push.js";
import { healthz } from "./health.js";

export type AppOptions = { now?: () => Date };

// Wiring only: each event's recipe lives in its own file under handlers/.
export function createApp({ now = () => new Date() }: AppOptions = {}): ApplicationFunction {
  return async (probot, { addHandler }) => {
    // The app's own id, from its credentials: only comments this app wrote count as records.
    const { appId } = (await (await probot.auth()).auth({ type: "app" })) as { appId: number };
    const deps = { ancestry: new AncestryReader(), now, appId };
    probot.on("deployment_protection_rule.requested", onDeploymentProtectionRule(deps));
    probot.on("deployment.created", onDeploymentCreated(deps));
    probot.on("issue_comment.created", onIssueComment(deps));
    probot.on("issues.labeled", onIssueLabeled(deps));
    probot.on("issues.closed", onIssueClosed(deps));
    probot.on(["issues.edited", "issues.reopened"], onIssueUpdated(deps));
    probot.on("push", onPush(deps));
    addHandler(healthz);
  };
}

export default createApp();
