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

export type PullShape = {
  number?: number;
  base?: string;
  baseSha?: string;
  head?: string;
  headSha?: string;
  /** For `closed`: merged (the default) or closed without merging. */
  merged?: boolean;
};

export type PullAction = "opened" | "reopened" | "synchronize" | "edited" | "closed";

/**
 * `pull_request.<action>` from the example of a pull request being opened, for `head` into `base`.
 * `edited` says what changed: the base (with the old one), else the title.
 */
export function pullRequestEvent(action: PullAction, shape: PullShape = {}, changes: { baseFrom?: { ref: string; sha: string } } = {}) {
  const { number = 2, base = "release/1.2", baseSha = "b".repeat(40), head = "fix/payments", headSha = "a".repeat(40), merged = true } = shape;
  const payload = example("pull_request", "opened");
  const pr = payload.pull_request;
  payload.action = action;
  payload.number = number;
  const url = `https://api.github.com/repos/${OWNER}/${REPO}/pulls/${number}`;
  Object.assign(pr, {
    number,
    url,
    html_url: `https://github.com/${OWNER}/${REPO}/pull/${number}`,
    auto_merge: null,
    active_lock_reason: null,
  });
  // Today's webhooks carry the full repository in each side, as in `repository`.
  pr.base = { ...pr.base, ref: base, sha: baseSha, label: `${OWNER}:${base}`, repo: webhookRepository(pr.base.repo) };
  pr.head = { ...pr.head, ref: head, sha: headSha, label: `${OWNER}:${head}`, repo: webhookRepository(pr.head.repo) };
  if (action === "closed") {
    Object.assign(pr, { state: "closed", closed_at: "2026-11-20T11:59:00Z", merged, merged_at: merged ? "2026-11-20T11:59:00Z" : null, merged_by: merged ? pr.user : null });
  }
  if (action === "synchronize") Object.assign(payload, { before: "c".repeat(40), after: headSha });
  if (action === "edited") payload.changes = changes.baseFrom ? { base: { ref: { from: changes.baseFrom.ref }, sha: { from: changes.baseFrom.sha } } } : { title: { from: "wip" } };
  return validPayload("pull_request", payload);
}

/** What a check suite or run lists of each pull request it belongs to. */
function checkPullRequests(pulls: PullShape[]) {
  const template = example("check_suite", "rerequested").check_suite.pull_requests[0];
  return pulls.map(({ number = 2, base = "release/1.2", baseSha = "b".repeat(40), head = "fix/payments", headSha = "a".repeat(40) }) => ({
    ...template,
    url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/${number}`,
    id: 279147000 + number,
    number,
    head: { ...template.head, ref: head, sha: headSha },
    base: { ...template.base, ref: base, sha: baseSha },
  }));
}

/** The app (by id) a check run or suite belongs to, with the example's shape. */
function checkApp(template: Record<string, any>, appId: number) {
  return { ...template, id: appId, slug: appId === 123 ? "mainline" : "other-ci", name: appId === 123 ? "mainline" : "other-ci", created_at: "2024-01-02T03:04:05Z", updated_at: "2024-01-02T03:04:05Z" };
}

/**
 * `check_run.rerequested`: someone pressed "Re-run" on check run `id` named `name` (an app's own,
 * by default this app's) of head `headSha`, which belongs to `pulls`.
 */
export function checkRunRerequested({ id = 4, name, headSha = "a".repeat(40), appId = 123, pulls = [{}] }: { id?: number; name: string; headSha?: string; appId?: number; pulls?: PullShape[] }) {
  const payload = example("check_run", "rerequested");
  // The example is of another repository; these tests are about the one every other fixture uses.
  payload.repository = example("check_suite", "rerequested").repository;
  delete payload.organization;
  const app = checkApp(payload.check_run.app, appId);
  const run = payload.check_run;
  Object.assign(run, {
    id,
    name,
    head_sha: headSha,
    url: `https://api.github.com/repos/${OWNER}/${REPO}/check-runs/${id}`,
    html_url: `https://github.com/${OWNER}/${REPO}/runs/${id}`,
    app,
    pull_requests: checkPullRequests(pulls),
  });
  Object.assign(run.check_suite, { head_sha: headSha, after: headSha, app, pull_requests: run.pull_requests });
  return validPayload("check_run", payload);
}

/** `check_suite.rerequested`: "Re-run all checks" on this app's suite for `headSha`, which belongs to `pulls`. */
export function checkSuiteRerequested({ headSha = "a".repeat(40), pulls = [{}] }: { headSha?: string; pulls?: PullShape[] }) {
  const payload = example("check_suite", "rerequested");
  Object.assign(payload.check_suite, { head_sha: headSha, after: headSha, app: checkApp(payload.check_suite.app, 123), pull_requests: checkPullRequests(pulls) });
  return validPayload("check_suite", payload);
}
