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
  if (payload.repository) payload.repository = webhookRepository(payload.repository);
  payload.installation = { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMg==" };
  return payload as T;
}

/** A repository object with the fields today's webhooks carry that older recordings and REST answers lack. */
export function webhookRepository<T extends { private?: boolean }>(repository: T) {
  return {
    is_template: false,
    web_commit_signoff_required: false,
    topics: [],
    visibility: repository.private ? "private" : "public",
    custom_properties: {},
    ...repository,
  };
}

/** Fails loudly when a (patched) fixture no longer matches GitHub's webhook schema. */
export function validPayload<T extends object>(event: string, payload: T): T {
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

export type IssueShape = {
  number: number;
  title?: string;
  body?: string | null;
  labels?: string[];
  state?: "open" | "closed";
  closedAt?: string | null;
  pullRequest?: boolean;
  assignees?: string[];
};

const LABEL_IDS: Record<string, number> = {};
function label(name: string) {
  LABEL_IDS[name] ??= 1000 + Object.keys(LABEL_IDS).length;
  return { id: LABEL_IDS[name]!, node_id: `LA_${LABEL_IDS[name]}`, url: `https://api.github.com/repos/${OWNER}/${REPO}/labels/${encodeURIComponent(name)}`, name, color: "d73a4a", default: false, description: null };
}

function reactions(url: string) {
  return { url, total_count: 0, "+1": 0, "-1": 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 };
}

/** An issue as webhook payloads carry it, shaped from the example's issue. */
export function issueObject(base: Record<string, any>, shape: IssueShape) {
  const closed = shape.state === "closed";
  const issue: Record<string, any> = {
    ...base,
    url: `https://api.github.com/repos/${OWNER}/${REPO}/issues/${shape.number}`,
    html_url: `https://github.com/${OWNER}/${REPO}/issues/${shape.number}`,
    number: shape.number,
    id: 444500000 + shape.number,
    title: shape.title ?? base.title,
    body: shape.body === undefined ? base.body : shape.body,
    labels: (shape.labels ?? []).map(label),
    state: shape.state ?? "open",
    closed_at: closed ? (shape.closedAt ?? "2026-11-20T11:00:00Z") : null,
    assignees: (shape.assignees ?? []).map((login) => ({ ...base.user, login })),
    assignee: shape.assignees?.[0] ? { ...base.user, login: shape.assignees[0] } : null,
  };
  issue.active_lock_reason ??= null;
  issue.reactions ??= reactions(issue.url);
  if (closed) issue.state_reason = "completed";
  if (shape.pullRequest) {
    issue.pull_request = {
      url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/${shape.number}`,
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${shape.number}`,
      diff_url: `https://github.com/${OWNER}/${REPO}/pull/${shape.number}.diff`,
      patch_url: `https://github.com/${OWNER}/${REPO}/pull/${shape.number}.patch`,
    };
  }
  return issue;
}

/** `issue_comment.created` by `login` (a person unless userType says Bot) with `body`. */
export function issueComment({ body, login = "octocat", userType = "User", commentId = 9001, issue }: { body: string; login?: string; userType?: "User" | "Bot"; commentId?: number; issue: IssueShape }) {
  const payload = example("issue_comment", "created");
  const user = { ...payload.comment.user, login, type: userType };
  payload.issue = issueObject(payload.issue, issue);
  Object.assign(payload.comment, {
    id: commentId,
    body,
    user,
    html_url: `https://github.com/${OWNER}/${REPO}/issues/${issue.number}#issuecomment-${commentId}`,
    url: `https://api.github.com/repos/${OWNER}/${REPO}/issues/comments/${commentId}`,
    issue_url: `https://api.github.com/repos/${OWNER}/${REPO}/issues/${issue.number}`,
    performed_via_github_app: null,
    reactions: payload.comment.reactions ?? reactions(`https://api.github.com/repos/${OWNER}/${REPO}/issues/comments/${commentId}/reactions`),
  });
  payload.sender = user;
  return validPayload("issue_comment", payload);
}

/** `issues.<action>` for an issue; `labeled` carries the label that was added. */
export function issueEvent(action: "labeled" | "closed" | "edited" | "reopened", issue: IssueShape, options: { label?: string; login?: string } = {}) {
  const payload = example("issues", action === "closed" || action === "edited" ? "reopened" : action);
  payload.action = action;
  payload.issue = issueObject(payload.issue, issue);
  if (action === "labeled") payload.label = label(options.label ?? issue.labels?.[0] ?? "incident");
  if (action === "edited") payload.changes = { body: { from: "" } };
  if (options.login) payload.sender = { ...payload.sender, login: options.login };
  return validPayload("issues", payload);
}

/** A `push` to `branch` with the given commits (newest last, as GitHub lists them). */
export function pushEvent({ branch = "master", before, after, commits }: { branch?: string; before: string; after: string; commits: Array<{ id: string; message: string }> }) {
  const payload = example("push");
  const template = payload.commits[0] ?? payload.head_commit;
  const full = commits.map((c) => ({ ...template, id: c.id, tree_id: c.id, message: c.message, distinct: true, url: `https://github.com/${OWNER}/${REPO}/commit/${c.id}` }));
  Object.assign(payload, { ref: `refs/heads/${branch}`, before, after, commits: full, head_commit: full.at(-1) ?? null, created: false, deleted: false, forced: false });
  return validPayload("push", payload);
}

export type DeployStatusFixture = DeployFixture & { state?: "success" | "failure" | "error" | "in_progress" | "queued" | "pending" | "inactive"; createdAt?: string };

/** `deployment_status.created` from the examples: deployment `deploymentId` of `sha` to `environment` reached `state` at `createdAt`. */
export function deploymentStatusCreated({ sha, environment = "production", deploymentId = 145988746, state = "success", createdAt = "2026-11-20T11:58:00Z" }: DeployStatusFixture) {
  const payload = example("deployment_status", "created");
  const deploymentUrl = `https://api.github.com/repos/${OWNER}/${REPO}/deployments/${deploymentId}`;
  Object.assign(payload.deployment, { sha, environment, original_environment: environment, id: deploymentId, url: deploymentUrl, statuses_url: `${deploymentUrl}/statuses` });
  Object.assign(payload.deployment_status, { state, environment, created_at: createdAt, updated_at: createdAt, deployment_url: deploymentUrl, url: `${deploymentUrl}/statuses/209916254` });
  // Reported by a deploy tool through the REST API: no Actions workflow run behind it.
  delete payload.workflow;
  delete payload.workflow_run;
  return validPayload("deployment_status", payload);
}
