import { createHash } from "node:crypto";
import { fileChanges } from "./diff.js";
import { fileAt } from "./graph.js";
import type { AppIdentity, Comment, Commit, Deployment, DeploymentStatus, Issue, Label, Pull, Reaction, Repository, User } from "./model.js";

/**
 * The model as GitHub's JSON: the fields real GitHub returns that a client would read, in the
 * shapes of its OpenAPI description (and of its webhook payloads, which embed the same objects).
 * `url`s point at this server's API; `html_url`s at https://github.com.
 */
export type View = { apiBase: string; app: AppIdentity };

const WEB = "https://github.com";
const TESTER = { name: "Test Author", email: "author@example.com" };
const APP_CREATED = "2024-01-02T03:04:05Z";
const APP_OWNER: User = { login: "mainline-dev", id: 8999, type: "User" };

export function nodeId(kind: string, id: number | string): string {
  return Buffer.from(`${kind}${id}`).toString("base64");
}

function apiOf(view: View, repo: Repository): string {
  return `${view.apiBase}/repos/${repo.owner}/${repo.name}`;
}

function webOf(repo: Repository): string {
  return `${WEB}/${repo.owner}/${repo.name}`;
}

export function renderUser(view: View, user: User) {
  const url = `${view.apiBase}/users/${encodeURIComponent(user.login)}`;
  const isApp = user.id === view.app.bot.id;
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId(user.type === "Bot" ? "BOT_" : "U_", user.id),
    avatar_url: `https://avatars.githubusercontent.com/${isApp ? "in" : "u"}/${user.id}?v=4`,
    gravatar_id: "",
    url,
    html_url: isApp ? `${WEB}/apps/${view.app.slug}` : `${WEB}/${encodeURIComponent(user.login)}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: user.type,
    site_admin: false,
  };
}

export function renderApp(view: View) {
  return {
    id: view.app.id,
    slug: view.app.slug,
    node_id: nodeId("A_", view.app.id),
    owner: renderUser(view, APP_OWNER),
    name: view.app.slug,
    description: "Merge-to-main-first.",
    external_url: `${WEB}/apps/${view.app.slug}`,
    html_url: `${WEB}/apps/${view.app.slug}`,
    created_at: APP_CREATED,
    updated_at: APP_CREATED,
    permissions: { actions: "read", checks: "write", contents: "read", deployments: "write", issues: "write", metadata: "read", pull_requests: "read" },
    events: ["check_run", "check_suite", "deployment", "deployment_protection_rule", "deployment_status", "issue_comment", "issues", "pull_request", "push"],
  };
}

/** performed_via_github_app: the app when its installation token did it, null when a person did. */
function via(view: View, user: User) {
  return user.id === view.app.bot.id ? renderApp(view) : null;
}

export function authorAssociation(repo: Repository, user: User): string {
  if (user.login.toLowerCase() === repo.owner.toLowerCase()) return "OWNER";
  return repo.roles.has(user.login.toLowerCase()) ? "COLLABORATOR" : "NONE";
}

export function renderLabel(view: View, repo: Repository, label: Label) {
  return {
    id: label.id,
    node_id: nodeId("LA_", label.id),
    url: `${apiOf(view, repo)}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    default: label.default,
    description: label.description,
  };
}

function reactionRollup(url: string, reactions: Reaction[]) {
  const count = (content: string) => reactions.filter((r) => r.content === content).length;
  return {
    url,
    total_count: reactions.length,
    "+1": count("+1"),
    "-1": count("-1"),
    laugh: count("laugh"),
    hooray: count("hooray"),
    confused: count("confused"),
    heart: count("heart"),
    rocket: count("rocket"),
    eyes: count("eyes"),
  };
}

function issueWebUrl(repo: Repository, issue: Issue | undefined, number: number): string {
  return `${webOf(repo)}/${issue?.pull ? "pull" : "issues"}/${number}`;
}

/**
 * An issue as the REST API returns it. Webhook payloads carry the same object without
 * `closed_by` (`forWebhook`), which GitHub's webhook schema does not allow.
 */
export function renderIssue(view: View, repo: Repository, issue: Issue, { forWebhook = false } = {}) {
  const api = `${apiOf(view, repo)}/issues/${issue.number}`;
  const labels = issue.labels.map((name) => repo.labels.get(name.toLowerCase())).filter((l): l is Label => l !== undefined);
  const pull = repo.pulls.get(issue.number);
  return {
    url: api,
    repository_url: apiOf(view, repo),
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: issueWebUrl(repo, issue, issue.number),
    id: issue.id,
    node_id: nodeId(issue.pull ? "PR_" : "I_", issue.id),
    number: issue.number,
    title: issue.title,
    user: renderUser(view, issue.user),
    labels: labels.map((l) => renderLabel(view, repo, l)),
    state: issue.state,
    locked: issue.locked ?? false,
    assignee: issue.assignees[0] ? renderUser(view, issue.assignees[0]) : null,
    assignees: issue.assignees.map((u) => renderUser(view, u)),
    milestone: null,
    comments: [...repo.comments.values()].filter((c) => c.issue_number === issue.number).length,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.closed_at,
    author_association: authorAssociation(repo, issue.user),
    active_lock_reason: issue.active_lock_reason ?? null,
    body: issue.body,
    reactions: reactionRollup(`${api}/reactions`, []),
    timeline_url: `${api}/timeline`,
    performed_via_github_app: via(view, issue.user),
    state_reason: issue.state_reason,
    ...(pull
      ? {
          pull_request: {
            url: `${apiOf(view, repo)}/pulls/${issue.number}`,
            html_url: `${webOf(repo)}/pull/${issue.number}`,
            diff_url: `${webOf(repo)}/pull/${issue.number}.diff`,
            patch_url: `${webOf(repo)}/pull/${issue.number}.patch`,
            merged_at: pull.merged_at,
          },
        }
      : {}),
    ...(forWebhook ? {} : { closed_by: issue.closed_by ? renderUser(view, issue.closed_by) : null }),
  };
}

export function renderComment(view: View, repo: Repository, comment: Comment) {
  const url = `${apiOf(view, repo)}/issues/comments/${comment.id}`;
  return {
    url,
    html_url: `${issueWebUrl(repo, repo.issues.get(comment.issue_number), comment.issue_number)}#issuecomment-${comment.id}`,
    issue_url: `${apiOf(view, repo)}/issues/${comment.issue_number}`,
    id: comment.id,
    node_id: nodeId("IC_", comment.id),
    user: renderUser(view, comment.user),
    created_at: comment.created_at,
    updated_at: comment.updated_at,
    author_association: authorAssociation(repo, comment.user),
    body: comment.body,
    reactions: reactionRollup(`${url}/reactions`, comment.reactions),
    performed_via_github_app: via(view, comment.user),
  };
}

export function renderReaction(view: View, reaction: Reaction) {
  return {
    id: reaction.id,
    node_id: nodeId("REA_", reaction.id),
    user: renderUser(view, reaction.user),
    content: reaction.content,
    created_at: reaction.created_at,
  };
}

function fakeSha(seed: string): string {
  return createHash("sha1").update(seed).digest("hex");
}

export function renderCommit(view: View, repo: Repository, commit: Commit) {
  const api = apiOf(view, repo);
  const files = fileChanges(commit.diff);
  const additions = files.reduce((n, f) => n + f.additions, 0);
  const deletions = files.reduce((n, f) => n + f.deletions, 0);
  const person = { ...TESTER, date: commit.date };
  const tree = fakeSha(`tree ${commit.sha}`);
  return {
    url: `${api}/commits/${commit.sha}`,
    sha: commit.sha,
    node_id: nodeId("C_", commit.sha),
    html_url: `${webOf(repo)}/commit/${commit.sha}`,
    comments_url: `${api}/commits/${commit.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${commit.sha}`,
      author: person,
      committer: person,
      message: commit.message,
      comment_count: 0,
      tree: { sha: tree, url: `${api}/git/trees/${tree}` },
      verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
    },
    author: commit.author ? renderUser(view, commit.author) : null,
    committer: null,
    parents: commit.parents.map((sha) => ({ sha, url: `${api}/commits/${sha}`, html_url: `${webOf(repo)}/commit/${sha}` })),
    stats: { total: additions + deletions, additions, deletions },
    files: files.map((f) => ({
      sha: fakeSha(`blob ${commit.sha} ${f.filename}`),
      ...f,
      blob_url: `${webOf(repo)}/blob/${commit.sha}/${f.filename}`,
      raw_url: `${webOf(repo)}/raw/${commit.sha}/${f.filename}`,
      contents_url: `${api}/contents/${f.filename}?ref=${commit.sha}`,
    })),
  };
}

/** A commit as the push webhook lists it: the files its diff changes and those it writes (`Commit.files`). */
export function renderPushedCommit(repo: Repository, commit: Commit, distinct: boolean) {
  const written = Object.entries(commit.files ?? {}).map(([filename, text]) => ({
    filename,
    status: text === null ? "removed" : fileAt(repo, commit.parents[0] ?? "", filename) === undefined ? "added" : "modified",
  }));
  const changes = fileChanges(commit.diff);
  const renamed = changes.filter((f) => f.status === "renamed");
  const named = (status: string) => [...changes, ...written].filter((f) => f.status === status).map((f) => f.filename);
  const person = { ...TESTER, date: commit.date };
  return {
    id: commit.sha,
    tree_id: fakeSha(`tree ${commit.sha}`),
    distinct,
    message: commit.message,
    timestamp: commit.date,
    url: `${webOf(repo)}/commit/${commit.sha}`,
    author: person,
    committer: person,
    added: [...named("added"), ...renamed.map((f) => f.filename)],
    removed: [...named("removed"), ...renamed.map((f) => f.previous_filename!)],
    modified: named("modified"),
  };
}

export function renderRepository(view: View, repo: Repository) {
  const api = apiOf(view, repo);
  const owner = renderUser(view, { login: repo.owner, id: repo.ownerId, type: "User" });
  const created = "2024-01-01T00:00:00Z";
  const templates: Record<string, string> = {};
  for (const [key, path] of Object.entries({
    archive_url: "/{archive_format}{/ref}",
    assignees_url: "/assignees{/user}",
    blobs_url: "/git/blobs{/sha}",
    branches_url: "/branches{/branch}",
    collaborators_url: "/collaborators{/collaborator}",
    comments_url: "/comments{/number}",
    commits_url: "/commits{/sha}",
    compare_url: "/compare/{base}...{head}",
    contents_url: "/contents/{+path}",
    contributors_url: "/contributors",
    deployments_url: "/deployments",
    downloads_url: "/downloads",
    events_url: "/events",
    forks_url: "/forks",
    git_commits_url: "/git/commits{/sha}",
    git_refs_url: "/git/refs{/sha}",
    git_tags_url: "/git/tags{/sha}",
    hooks_url: "/hooks",
    issue_comment_url: "/issues/comments{/number}",
    issue_events_url: "/issues/events{/number}",
    issues_url: "/issues{/number}",
    keys_url: "/keys{/key_id}",
    labels_url: "/labels{/name}",
    languages_url: "/languages",
    merges_url: "/merges",
    milestones_url: "/milestones{/number}",
    notifications_url: "/notifications{?since,all,participating}",
    pulls_url: "/pulls{/number}",
    releases_url: "/releases{/id}",
    stargazers_url: "/stargazers",
    statuses_url: "/statuses/{sha}",
    subscribers_url: "/subscribers",
    subscription_url: "/subscription",
    tags_url: "/tags",
    teams_url: "/teams",
    trees_url: "/git/trees{/sha}",
  })) {
    templates[key] = `${api}${path}`;
  }
  const openIssues = [...repo.issues.values()].filter((i) => i.state === "open").length;
  return {
    id: repo.id,
    node_id: nodeId("R_", repo.id),
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    owner,
    private: false,
    html_url: webOf(repo),
    description: null,
    fork: false,
    url: api,
    ...templates,
    git_url: `git://github.com/${repo.owner}/${repo.name}.git`,
    ssh_url: `git@github.com:${repo.owner}/${repo.name}.git`,
    clone_url: `${webOf(repo)}.git`,
    svn_url: webOf(repo),
    homepage: null,
    language: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues: openIssues,
    open_issues_count: openIssues,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    archived: false,
    disabled: false,
    mirror_url: null,
    license: null,
    pushed_at: created,
    created_at: created,
    updated_at: created,
  };
}

export function renderPull(view: View, repo: Repository, pull: Pull, issue: Issue) {
  const api = apiOf(view, repo);
  const web = `${webOf(repo)}/pull/${pull.number}`;
  const repository = renderRepository(view, repo);
  const end = (branch: string, sha: string | undefined) => ({
    label: `${repo.owner}:${branch}`,
    ref: branch,
    sha: sha ?? repo.branches.get(branch) ?? "",
    user: repository.owner,
    repo: repository,
  });
  const link = (href: string) => ({ href });
  return {
    url: `${api}/pulls/${pull.number}`,
    id: pull.id,
    node_id: nodeId("PR_", pull.id),
    html_url: web,
    diff_url: `${web}.diff`,
    patch_url: `${web}.patch`,
    issue_url: `${api}/issues/${pull.number}`,
    commits_url: `${api}/pulls/${pull.number}/commits`,
    review_comments_url: `${api}/pulls/${pull.number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${pull.number}/comments`,
    statuses_url: `${api}/statuses/${pull.commits.at(-1) ?? ""}`,
    number: pull.number,
    state: issue.state,
    locked: false,
    title: issue.title,
    user: renderUser(view, issue.user),
    body: issue.body,
    labels: renderIssue(view, repo, issue).labels,
    milestone: null,
    active_lock_reason: null,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.closed_at,
    merged_at: pull.merged_at,
    merge_commit_sha: pull.merge_commit_sha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: end(pull.head, pull.commits.at(-1)),
    base: end(pull.base, undefined),
    _links: {
      self: link(`${api}/pulls/${pull.number}`),
      html: link(web),
      issue: link(`${api}/issues/${pull.number}`),
      comments: link(`${api}/issues/${pull.number}/comments`),
      review_comments: link(`${api}/pulls/${pull.number}/comments`),
      review_comment: link(`${api}/pulls/comments{/number}`),
      commits: link(`${api}/pulls/${pull.number}/commits`),
      statuses: link(`${api}/statuses/${pull.commits.at(-1) ?? ""}`),
    },
    author_association: authorAssociation(repo, issue.user),
    auto_merge: null,
    draft: false,
  };
}

export function renderDeployment(view: View, repo: Repository, deployment: Deployment) {
  const url = `${apiOf(view, repo)}/deployments/${deployment.id}`;
  return {
    url,
    id: deployment.id,
    node_id: nodeId("DE_", deployment.id),
    sha: deployment.sha,
    ref: deployment.ref,
    task: deployment.task,
    payload: deployment.payload,
    original_environment: deployment.environment,
    environment: deployment.environment,
    description: deployment.description,
    creator: renderUser(view, deployment.creator),
    created_at: deployment.created_at,
    updated_at: deployment.updated_at,
    statuses_url: `${url}/statuses`,
    repository_url: apiOf(view, repo),
    transient_environment: false,
    production_environment: deployment.environment === "production",
    performed_via_github_app: via(view, deployment.creator),
  };
}

export function renderDeploymentStatus(view: View, repo: Repository, status: DeploymentStatus) {
  const deploymentUrl = `${apiOf(view, repo)}/deployments/${status.deployment_id}`;
  return {
    url: `${deploymentUrl}/statuses/${status.id}`,
    id: status.id,
    node_id: nodeId("DES_", status.id),
    state: status.state,
    creator: renderUser(view, status.creator),
    description: status.description,
    environment: status.environment,
    target_url: status.log_url,
    ...(status.log_url ? { log_url: status.log_url } : {}),
    ...(status.environment_url ? { environment_url: status.environment_url } : {}),
    created_at: status.created_at,
    updated_at: status.updated_at,
    deployment_url: deploymentUrl,
    repository_url: apiOf(view, repo),
    performed_via_github_app: via(view, status.creator),
  };
}
