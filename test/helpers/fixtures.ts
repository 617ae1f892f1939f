import { createRequire } from "node:module";
import { payloadProblems } from "./webhook-schema.js";

const require = createRequire(import.meta.url);
type Example = { name: string; examples: Array<Record<string, unknown> & { action?: string }> };
const examples: Example[] = require("@octokit/webhooks-examples/api.github.com/index.json");

export const INSTALLATION_ID = 2;
export const OWNER = "Codertocat";
export const REPO = "Hello-World";
export const REPO_ID = 186853002;

/**
 * A real payload from @octokit/webhooks-examples, deep-copied, with an installation so Probot
 * can authenticate. The examples were recorded years ago; fields GitHub has added to every
 * repository since are filled in with their usual values so the payload matches today's schema.
 */
export function example<T = Record<string, any>>(event: string, action?: string): T {
  const found = examples.find((e) => e.name === event)?.examples.find((p) => action === undefined || p.action === action);
  if (!found) throw new Error(`no example payload for ${event}${action ? `.${action}` : ""}`);
  const payload = structuredClone(found) as Record<string, any>;
  if (payload.repository) {
    payload.repository = {
      is_template: false,
      web_commit_signoff_required: false,
      topics: [],
      visibility: payload.repository.private ? "private" : "public",
      custom_properties: {},
      ...payload.repository,
    };
  }
  payload.installation = { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMg==" };
  return payload as T;
}

/** Fails loudly when a (patched) fixture no longer matches GitHub's webhook schema. */
export function validPayload<T extends { action?: string }>(event: string, payload: T): T {
  const problems = payloadProblems(event, payload);
  if (problems.length > 0) throw new Error(`fixture ${event} does not match GitHub's webhook schema:\n${problems.join("\n")}`);
  return payload;
}

export type DeployFixture = { sha: string; environment?: string; deploymentId?: number; runId?: number; apiBase?: string };

/** `deployment.created` from the examples, for commit `sha` in `environment`. */
export function deploymentCreated({ sha, environment = "production", deploymentId = 145988746 }: DeployFixture) {
  const payload = example("deployment", "created");
  Object.assign(payload.deployment, { sha, environment, original_environment: environment, id: deploymentId });
  // Created through the REST API by a deploy tool, not by an Actions workflow.
  Object.assign(payload, { workflow: null, workflow_run: null });
  return validPayload("deployment", payload);
}

/**
 * `deployment_protection_rule.requested`. The examples package has none, so it is assembled
 * from the example deployment and repository, as GitHub sends it for an Actions environment.
 */
export function protectionRuleRequested({ sha, environment = "production", runId = 4242, apiBase = "https://api.github.com" }: DeployFixture) {
  const base = deploymentCreated({ sha, environment });
  const payload = {
    action: "requested",
    environment,
    event: "push",
    deployment_callback_url: `${apiBase}/repos/${OWNER}/${REPO}/actions/runs/${runId}/deployment_protection_rule`,
    deployment: base.deployment,
    repository: base.repository,
    sender: base.sender,
    installation: base.installation,
  };
  return validPayload("deployment_protection_rule", payload);
}

export const SHA = {
  onMain: "1111111111111111111111111111111111111111",
  offMain: "2222222222222222222222222222222222222222",
  mainHead: "3333333333333333333333333333333333333333",
} as const;
