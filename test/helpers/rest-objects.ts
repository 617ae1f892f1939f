import { OWNER, pullRequestEvent, REPO, SHA, type PullShape } from "./fixtures.js";
import { shapeProblems } from "./github-server/shapes.js";

/**
 * Objects as GitHub's REST API returns them, for handler tests that mock GitHub with nock.
 * Each is checked against GitHub's OpenAPI description when built, so a mock cannot answer
 * with something real GitHub never sends. What makes a record the app's own is explicit:
 * `performed_via_github_app` is this app (id 123, as `testApp()` runs it) and the comment
 * was never edited (`updated_at` equals `created_at`).
 */

const API = `https://api.github.com/repos/${OWNER}/${REPO}`;
const WEB = `https://github.com/${OWNER}/${REPO}`;
/** When issues and comments are written unless a test says otherwise: an hour before NOW. */
const AN_HOUR_AGO = "2026-11-20T11:00:00Z";

function user(login: string, id: number, type: "User" | "Bot") {
  const url = `https://api.github.com/users/${encodeURIComponent(login)}`;
  return {
    login,
    id,
    node_id: Buffer.from(`U_${id}`).toString("base64"),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: "",
    url,
    html_url: `https://github.com/${encodeURIComponent(login)}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type,
    site_admin: false,
  };
}

const BOT = user("mainline[bot]", 9000, "Bot");

/** `performed_via_github_app` of everything this app's installation token wrote. */
const THIS_APP = {
  id: 123,
  slug: "mainline",
  node_id: "A_123",
  owner: user("mainline-dev", 8999, "User"),
  name: "mainline",
  description: "Merge-to-main-first.",
  external_url: "https://github.com/apps/mainline",
  html_url: "https://github.com/apps/mainline",
  created_at: "2024-01-02T03:04:05Z",
  updated_at: "2024-01-02T03:04:05Z",
  permissions: { contents: "read", deployments: "write", issues: "write", metadata: "read" },
  events: ["deployment", "deployment_protection_rule", "issue_comment", "issues", "push"],
};

/** Who wrote an issue or comment: this app, or a person (who may have copied a marker into it). */
export type Author = { app: true } | { login: string };

function authorFields(author: Author) {
  if ("app" in author) return { user: BOT, performed_via_github_app: THIS_APP, author_association: "NONE" };
  return { user: user(author.login, 583231, "User"), performed_via_github_app: null, author_association: "COLLABORATOR" };
}

function label(name: string) {
  const id = 1000 + [...name].reduce((sum, c) => sum + c.charCodeAt(0), 0);
  return { id, node_id: `LA_${id}`, url: `${API}/labels/${encodeURIComponent(name)}`, name, color: "d73a4a", default: false, description: null };
}

function valid<T>(route: string, data: T): T {
  const problems = shapeProblems(route, 200, data);
  if (problems.length > 0) throw new Error(`mock object does not match GitHub's REST description:\n${problems.join("\n")}`);
  return data;
}

export type RestIssueShape = {
  number: number;
  title?: string;
  body?: string | null;
  labels?: string[];
  state?: "open" | "closed";
  createdAt?: string;
  /** Last activity (a comment, an edit); defaults to the creation, or the close. */
  updatedAt?: string;
  closedAt?: string;
  author?: Author;
};

/** An issue as `GET /repos/{owner}/{repo}/issues[/{n}]` returns it; closed ones closed an hour ago unless said. */
export function restIssue({ number, title = `Issue ${number}`, body = null, labels = [], state = "open", createdAt = "2026-11-20T09:00:00Z", updatedAt, closedAt = AN_HOUR_AGO, author = { login: "octocat" } }: RestIssueShape) {
  const url = `${API}/issues/${number}`;
  const closed = state === "closed";
  return valid("GET /repos/{owner}/{repo}/issues/{issue_number}", {
    url,
    repository_url: API,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${WEB}/issues/${number}`,
    id: 444500000 + number,
    node_id: `I_${number}`,
    number,
    title,
    labels: labels.map(label),
    state,
    state_reason: closed ? "completed" : null,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: 0,
    created_at: createdAt,
    updated_at: updatedAt ?? (closed ? closedAt : createdAt),
    closed_at: closed ? closedAt : null,
    active_lock_reason: null,
    body,
    ...authorFields(author),
  });
}

export type RestCommentShape = { id: number; issue: number; body: string; author?: Author; createdAt?: string; updatedAt?: string };

/** An issue comment as `GET .../issues/{n}/comments` lists it; by default the app's own, never edited. */
export function restComment({ id, issue, body, author = { app: true }, createdAt = AN_HOUR_AGO, updatedAt = createdAt }: RestCommentShape) {
  return valid("GET /repos/{owner}/{repo}/issues/comments/{comment_id}", {
    id,
    node_id: `IC_${id}`,
    url: `${API}/issues/comments/${id}`,
    html_url: `${WEB}/issues/${issue}#issuecomment-${id}`,
    issue_url: `${API}/issues/${issue}`,
    body,
    created_at: createdAt,
    updated_at: updatedAt,
    ...authorFields(author),
  });
}

/** A commit as `GET .../commits?sha=<branch>` lists it. */
export function restCommit(sha: string, message: string) {
  const signature = { name: "Mona Lisa", email: "mona@example.com", date: AN_HOUR_AGO };
  return valid("GET /repos/{owner}/{repo}/commits/{ref}", {
    url: `${API}/commits/${sha}`,
    sha,
    node_id: `C_${sha}`,
    html_url: `${WEB}/commit/${sha}`,
    comments_url: `${API}/commits/${sha}/comments`,
    commit: {
      url: `${API}/git/commits/${sha}`,
      author: signature,
      committer: signature,
      message,
      comment_count: 0,
      tree: { sha, url: `${API}/git/trees/${sha}` },
    },
    author: null,
    committer: null,
    parents: [],
  });
}

/** `GET .../compare/master...{sha}` as the ancestry check reads it: where `sha` stands against main's head. */
export function restComparison(
  sha: string,
  status: "identical" | "behind" | "ahead" | "diverged",
  { ahead = 0, behind = 0, mainHead = SHA.mainHead }: { ahead?: number; behind?: number; mainHead?: string } = {},
) {
  const head = restCommit(mainHead, "Head of main");
  return valid("GET /repos/{owner}/{repo}/compare/{basehead}", {
    url: `${API}/compare/master...${sha}`,
    html_url: `${WEB}/compare/master...${sha}`,
    permalink_url: `${WEB}/compare/${OWNER}:${mainHead}...${OWNER}:${sha}`,
    diff_url: `${WEB}/compare/master...${sha}.diff`,
    patch_url: `${WEB}/compare/master...${sha}.patch`,
    base_commit: head,
    merge_base_commit: head,
    status,
    ahead_by: ahead,
    behind_by: behind,
    total_commits: ahead,
    commits: [],
    files: [],
  });
}

export type RestDeploymentStatusShape = {
  id: number;
  deployment: number;
  state: "error" | "failure" | "inactive" | "pending" | "success" | "queued" | "in_progress";
  description?: string;
  environment?: string;
  /** Where the status links to (mainline's refusals link their explanation). */
  logUrl?: string;
  createdAt?: string;
  author?: Author;
};

/** A deployment status as `GET .../deployments/{id}/statuses` lists it; by default written by a person an hour ago. */
export function restDeploymentStatus({ id, deployment, state, description = "", environment = "production", logUrl = `${WEB}/deployments`, createdAt = AN_HOUR_AGO, author = { login: "octocat" } }: RestDeploymentStatusShape) {
  const deploymentUrl = `${API}/deployments/${deployment}`;
  const { user: creator, performed_via_github_app } = authorFields(author);
  return valid("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses/{status_id}", {
    url: `${deploymentUrl}/statuses/${id}`,
    id,
    node_id: `DES_${id}`,
    state,
    creator,
    description,
    environment,
    target_url: logUrl,
    log_url: logUrl,
    created_at: createdAt,
    updated_at: createdAt,
    deployment_url: deploymentUrl,
    repository_url: API,
    performed_via_github_app,
  });
}

export type RestCommitInList = { sha: string; message: string; /** 2 for a merge commit. */ parents?: number };

function commitWithParents({ sha, message, parents = 1 }: RestCommitInList) {
  const parentShas = Array.from({ length: parents }, (_, i) => `${String(i + 1).repeat(8)}${sha.slice(8)}`);
  return { ...restCommit(sha, message), parents: parentShas.map((p) => ({ sha: p, url: `${API}/commits/${p}`, html_url: `${WEB}/commit/${p}` })) };
}

export type RestComparePage = {
  base: string;
  head: string;
  /** This page's commits, oldest first. */
  commits: RestCommitInList[];
  /** Every commit of the comparison, across pages. */
  total?: number;
  /** How `head` stands against `base`: ahead when it has commits `base` lacks. */
  status?: "identical" | "behind" | "ahead" | "diverged";
  behind?: number;
};

/** One page of `GET .../compare/{base}...{head}` with its commits listed, as a pull request's commits are read. */
export function restComparePage({ base, head, commits, total = commits.length, status = total === 0 ? "behind" : "ahead", behind = status === "behind" || status === "diverged" ? 3 : 0 }: RestComparePage) {
  const baseCommit = restCommit(SHA.mainHead, "Head of the base");
  return valid("GET /repos/{owner}/{repo}/compare/{basehead}", {
    url: `${API}/compare/${base}...${head}`,
    html_url: `${WEB}/compare/${base}...${head}`,
    permalink_url: `${WEB}/compare/${OWNER}:${base}...${OWNER}:${head}`,
    diff_url: `${WEB}/compare/${base}...${head}.diff`,
    patch_url: `${WEB}/compare/${base}...${head}.patch`,
    base_commit: baseCommit,
    merge_base_commit: baseCommit,
    status,
    ahead_by: total,
    behind_by: behind,
    total_commits: total,
    commits: commits.map(commitWithParents),
    files: [],
  });
}

/** `GET .../pulls/{n}/files`: each changed file's name and status (`previous` for a rename). */
export function restPullFiles(files: Array<{ filename: string; status?: "added" | "removed" | "modified" | "renamed"; previous?: string }>) {
  return valid(
    "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
    files.map(({ filename, status = "modified", previous }) => ({
      sha: "e".repeat(40),
      filename,
      status,
      additions: status === "removed" ? 0 : 3,
      deletions: status === "added" ? 0 : 1,
      changes: status === "removed" || status === "added" ? 3 : 4,
      blob_url: `${WEB}/blob/${"a".repeat(40)}/${filename}`,
      raw_url: `${WEB}/raw/${"a".repeat(40)}/${filename}`,
      contents_url: `${API}/contents/${encodeURIComponent(filename)}?ref=${"a".repeat(40)}`,
      ...(previous ? { previous_filename: previous } : {}),
    })),
  );
}

/** A pull request as `GET .../pulls/{n}` returns it, open, shaped like the webhook fixture of the same shape. */
export function restPull(shape: PullShape = {}) {
  const { _links, ...pr } = pullRequestEvent("opened", shape).pull_request as Record<string, any>;
  const rest = (repo: Record<string, any>) => ({ ...repo, created_at: "2019-05-15T15:19:25Z", pushed_at: "2026-11-20T11:00:00Z" });
  return valid("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
    ...pr,
    _links,
    base: { ...pr.base, repo: rest(pr.base.repo) },
    head: { ...pr.head, repo: rest(pr.head.repo) },
    merged: false,
    mergeable: true,
    mergeable_state: "clean",
    merged_by: null,
    comments: 0,
    review_comments: 0,
    commits: 1,
    additions: 3,
    deletions: 1,
    changed_files: 1,
    maintainer_can_modify: false,
  });
}

export type RestCheckRunShape = { id: number; name: string; headSha: string; /** This app's (123) unless another app's id is given. */ appId?: number; conclusion?: "success" | "failure" | "neutral" };

/** A check run as `GET .../check-runs/{id}` returns it, completed, by this app unless said. */
export function restCheckRun({ id, name, headSha, appId = 123, conclusion = "success" }: RestCheckRunShape) {
  const app = appId === THIS_APP.id ? THIS_APP : { ...THIS_APP, id: appId, slug: "other-ci", node_id: `A_${appId}`, name: "other-ci" };
  return valid("GET /repos/{owner}/{repo}/check-runs/{check_run_id}", {
    id,
    node_id: `CR_${id}`,
    head_sha: headSha,
    external_id: "",
    url: `${API}/check-runs/${id}`,
    html_url: `${WEB}/runs/${id}`,
    details_url: `${WEB}/runs/${id}`,
    status: "completed",
    conclusion,
    started_at: AN_HOUR_AGO,
    completed_at: AN_HOUR_AGO,
    output: { title: "Earlier", summary: "Earlier.", text: null, annotations_count: 0, annotations_url: `${API}/check-runs/${id}/annotations` },
    name,
    check_suite: { id: 5000 + id },
    app,
    pull_requests: [],
  });
}

/** `GET .../commits/{ref}/check-runs`: the runs listed. */
export function restCheckRuns(runs: Array<ReturnType<typeof restCheckRun>>) {
  return valid("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { total_count: runs.length, check_runs: runs });
}

export type RestPullOfCommitShape = Omit<PullShape, "merged"> & { /** Closed ones were merged. */ state?: "open" | "closed" };

/** What a full pull request has that a listed one (`pull-request-simple`) lacks. */
const FULL_PULL_ONLY = ["merged", "mergeable", "rebaseable", "mergeable_state", "merged_by", "comments", "review_comments", "maintainer_can_modify", "commits", "additions", "deletions", "changed_files"];

/**
 * A pull request as `GET .../commits/{sha}/pulls` lists those that contain the commit, open unless
 * said, shaped like the webhook fixture of the same shape.
 */
export function restPullOfCommit({ state = "open", ...shape }: RestPullOfCommitShape = {}) {
  const pr = pullRequestEvent(state === "open" ? "opened" : "closed", { ...shape, merged: true }).pull_request as Record<string, any>;
  const rest = (repo: Record<string, any>) => ({ ...repo, created_at: "2019-05-15T15:19:25Z", pushed_at: "2026-11-20T11:00:00Z" });
  const listed = {
    ...Object.fromEntries(Object.entries(pr).filter(([key]) => !FULL_PULL_ONLY.includes(key))),
    base: { ...pr.base, repo: rest(pr.base.repo) },
    head: { ...pr.head, repo: rest(pr.head.repo) },
    merge_commit_sha: state === "open" ? null : "f".repeat(40),
  };
  return valid("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", [listed])[0]!;
}
