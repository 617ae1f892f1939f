import type { ApplicationFunction } from "probot";
import { AncestryReader } from "./github/ancestry.js";
import { onDeploymentCreated } from "./handlers/deployment.js";
import { onDeploymentProtectionRule } from "./handlers/deployment-protection-rule.js";
import { healthz } from "./health.js";

// Wiring only: each event's recipe lives in its own file under handlers/.
const app: ApplicationFunction = (probot, { addHandler }) => {
  const deps = { ancestry: new AncestryReader(), now: () => new Date() };
  probot.on("deployment_protection_rule.requested", onDeploymentProtectionRule(deps));
  probot.on("deployment.created", onDeploymentCreated(deps));
  addHandler(healthz);
};

export default app;
