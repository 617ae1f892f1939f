import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createVerify } from "node:crypto";
import type { AddressInfo } from "node:net";
import { bodyText, conditionalReply } from "./github-server/conditional.js";
import { ancestors, fileAt, resolveRef } from "./github-server/graph.js";
import { addComment, addLabels, changeIssue, editComment, openIssue, removeLabel } from "./github-server/issues.js";
import type {
  AppIdentity,
  Clock,
  Deployment,
  Issue,
  Mint,
  Params,
  Repository,
  Reply,
  Role,
  RouteHandler,
  Site,
  User,
} from "./github-server/model.js";
import {
  renderApp,
  renderComment,
  renderDeployment,
  renderIssue,
  renderLabel,
  renderPull,
  renderPushedCommit,
} from "./github-server/render.js";
import { installCollaboratorRoutes } from "./github-server/routes/collaborators.js";
import { installCheckRoutes } from "./github-server/routes/checks.js";
import { installCommitRoutes } from "./github-server/routes/commits.js";
import { AppHookDeliveries, installDeliveryRoutes } from "./github-server/routes/deliveries.js";
import { installDeploymentRoutes } from "./github-server/routes/deployments.js";
import { installIssueRoutes } from "./github-server/routes/issues.js";
import { isGraphQLQuery } from "../../src/github/write-kinds.js";
import { installGraphQLRoutes } from "./github-server/routes/graphql.js";
import { graphQLOperations } from "./github-server/routes/graphql-operations.js";
import { checkRequest } from "./openapi.js";

export type { Clock, Commit, Deployment, Issue, Repository, Role, User } from "./github-server/model.js";
/** A request that changes nothing: a GET, or a GraphQL query (a POST; the app sends no mutation). */
export function isReadRequest({ method, path }: { method: string; path: string }): boolean {
  return method === "GET" || isGraphQLQuery(method, path);
}

export type { HookDelivery, NewHookDelivery } from "./github-server/routes/deliveries.js";

/** `status` 304: a conditional GET answered "not modified", which GitHub does not count against the rate limit. */
export type LoggedRequest = { method: string; path: string; body: unknown; status: number };

export type GitHubTestServerOptions = { appPublicKey?: string; appId?: number };

export const INSTALLATION_TOKEN = "ghs_testserver";

/**
 * A commit to push: on top of the previous one (or the branch head) unless `parents` says otherwise;
 * `files` it writes (null: deletes) are read back by the contents API at that commit.
 */
export type PushedCommit = { sha: string; message?: string; diff?: string; parents?: string[]; files?: Record<string, string | null> };

export type NewPull = {
  number?: number;
  title?: string;
  login?: string;
  head: string;
  base: string;
  commits: string[];
  merged_at?: string | null;
  merge_commit_sha?: string | null;
};

export type NewDeployment = { id?: number; sha: string; ref?: string; environment?: string; task?: string; creator?: string; description?: string | null };

/**
 * How a request fails: the reply sent instead of the real one, `delayMs` later (a slow or hung
 * GitHub); or, with `drop`, no reply at all: the connection is cut `delayMs` later. With
 * `applied` the request is carried out first and only its answer is lost.
 */
/** A reply instead of GitHub's, a dropped connection, or (`slow`) GitHub's own answer, only `delayMs` late. */
export type Fault = (Reply | { drop: true } | { slow: true }) & { delayMs?: number; applied?: boolean };

const ZERO_SHA = "0".repeat(40);

/**
 * A small stand-in for GitHub's REST API on 127.0.0.1, for tests and benchmarks that run the
 * app as users start it (GHE_HOST/GHE_PROTOCOL point here). It keeps a model of repositories
 * (commits, branches, files, issues, comments, pull requests, deployments, roles), answers the
 * routes the app uses from that model in GitHub's shapes (with ETags, and 304 for a GET whose
 * `If-None-Match` still matches), logs every request, and checks each one against GitHub's
 * OpenAPI description.
 *
 * Requests carrying the installation token it hands out act as the app's bot; the `user*`
 * methods change the model as a person working in GitHub's UI would.
 */
export class GitHubTestServer implements Site {
  readonly log: LoggedRequest[] = [];
  readonly problems: string[] = [];
  readonly repos = new Map<string, Repository>();
  readonly app: AppIdentity;
  readonly mint: Mint;
  /** The app webhook's deliveries: `seed` them, set `receiver` to play the app's webhook URL for redeliveries. */
  readonly deliveries: AppHookDeliveries;
  /** The time stamped on everything the server creates; replace `now` to control it. */
  clock: Clock = { now: () => new Date() };
  /** Delay before every answer, for benchmarks that want a network-like GitHub. */
  latencyMs = 0;
  /**
   * The installation's requests left in its rate-limit window, once set: each answer to the
   * installation token says it in `x-ratelimit-remaining` and (but a 304) uses one up, as GitHub's
   * do. Unset by default, so no answer carries it and Probot's throttling never waits on it.
   */
  rateLimitRemaining: number | undefined;
  #routes: Array<{ method: string; pattern: RegExp; keys: string[]; handler: RouteHandler }> = [];
  #server: Server;
  #faults: Array<(method: string, path: string) => Fault | undefined> = [];
  #holds: Array<{ matches: (method: string, path: string) => boolean; ms: number }> = [];
  #users = new Map<string, User>();
  #nextId = 1000;
  #nextUserId = 5001;
  readonly #appPublicKey: string | undefined;

  /** `options` may be the app's public key alone: then app JWTs are verified against it. */
  constructor(options: string | GitHubTestServerOptions = {}) {
    const { appPublicKey, appId = 123 } = typeof options === "string" ? { appPublicKey: options } : options;
    this.#appPublicKey = appPublicKey;
    const bot: User = { login: "mainline[bot]", id: 9000, type: "Bot" };
    this.#users.set(bot.login.toLowerCase(), bot);
    this.app = { id: appId, slug: "mainline", bot };
    this.mint = { now: () => this.clock.now().toISOString().replace(/\.\d{3}Z$/, "Z"), id: () => this.nextId() };
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#installDefaultRoutes();
    installIssueRoutes(this);
    installCommitRoutes(this);
    installDeploymentRoutes(this);
    installCollaboratorRoutes(this);
    installCheckRoutes(this);
    installGraphQLRoutes(this, graphQLOperations, this.problems);
    this.deliveries = new AppHookDeliveries(this.mint);
    installDeliveryRoutes(this, this.deliveries, (headers) => this.#isAppJwt(headers.authorization));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    return this.host;
  }

  /** host:port, the value for GHE_HOST. */
  get host(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  }

  get apiBase(): string {
    return `http://${this.host}/api/v3`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Adds (or overrides, newest first) a route: `route("GET", "/repos/:owner/:repo/issues", …)`. */
  route(method: string, path: string, handler: RouteHandler): void {
    const keys: string[] = [];
    const pattern = new RegExp(`^${path.replace(/:(\w+)\*?/g, (m, key: string) => (keys.push(key), m.endsWith("*") ? "(.+)" : "([^/]+)"))}$`);
    this.#routes.unshift({ method, pattern, keys, handler });
  }

  /** Makes matching requests fail until the returned function is called. */
  fail(predicate: (method: string, path: string) => boolean, reply: Fault): () => void {
    return this.injectFault((method, path) => (predicate(method, path) ? reply : undefined));
  }

  /**
   * Holds matching requests for `ms` before they are carried out and answered as usual (a slow
   * GitHub for one route), until the returned function is called.
   */
  hold(matches: (method: string, path: string) => boolean, ms: number): () => void {
    const hold = { matches, ms };
    this.#holds.push(hold);
    return () => void (this.#holds = this.#holds.filter((h) => h !== hold));
  }

  /** Lets `fault` decide, request by request, how to fail one; until the returned function is called. */
  injectFault(fault: (method: string, path: string) => Fault | undefined): () => void {
    this.#faults.push(fault);
    return () => void (this.#faults = this.#faults.filter((f) => f !== fault));
  }

  /**
   * Remembers the model (repositories, people, ids) as it is now; the returned function puts it
   * back, for tests that try many endings of one story. Repository objects are replaced: read
   * them from `repos` again after restoring.
   */
  saveModel(): () => void {
    const saved = structuredClone({ repos: this.repos, users: this.#users, nextId: this.#nextId, nextUserId: this.#nextUserId });
    return () => {
      const copy = structuredClone(saved);
      this.repos.clear();
      for (const [key, repo] of copy.repos) this.repos.set(key, repo);
      this.#users = copy.users;
      this.#nextId = copy.nextId;
      this.#nextUserId = copy.nextUserId;
    };
  }

  addRepo(owner: string, name: string, defaultBranch = "main"): Repository {
    const repo: Repository = {
      id: this.nextId(),
      owner,
      ownerId: this.user(owner).id,
      name,
      defaultBranch,
      commits: new Map(),
      branches: new Map(),
      tags: new Map(),
      otherRefs: new Map(),
      files: new Map(),
      labels: new Map(),
      issues: new Map(),
      comments: new Map(),
      pulls: new Map(),
      deployments: new Map(),
      deploymentStatuses: new Map(),
      roles: new Map(),
      protectionRuleAnswers: [],
      nextNumber: 1,
    };
    this.repos.set(`${owner}/${name}`, repo);
    return repo;
  }

  /** Adds a commit on top of `parent` (or a root commit) and moves `branch` to it when given. */
  commit(repo: Repository, sha: string, parent: string | null, branch?: string, message = `commit ${sha.slice(0, 7)}`, diff = ""): string {
    return this.merge(repo, sha, parent ? [parent] : [], branch, message, diff);
  }

  /** Adds a commit with any number of parents (two for a merge commit); its diff is against the first. */
  merge(repo: Repository, sha: string, parents: string[], branch?: string, message = `Merge ${parents.map((p) => p.slice(0, 7)).join(" into ")}`, diff = ""): string {
    repo.commits.set(sha, { sha, parents, message, diff, date: this.mint.now() });
    if (branch) repo.branches.set(branch, sha);
    return sha;
  }

  /**
   * Pushes commits to `branch` as `git push` would, and returns what GitHub's `push` webhook
   * says about it; the test adds repository, pusher and sender.
   */
  push(repo: Repository, branch: string, commits: PushedCommit[]) {
    const before = repo.branches.get(branch) ?? ZERO_SHA;
    let head = before === ZERO_SHA ? undefined : before;
    const pushed = commits.map(({ sha, message, diff, parents, files }) => {
      const distinct = !repo.commits.has(sha);
      if (distinct) this.merge(repo, sha, parents ?? (head ? [head] : []), undefined, message ?? `commit ${sha.slice(0, 7)}`, diff ?? "");
      if (distinct && files) repo.commits.get(sha)!.files = files;
      // The contents API without a ref reads the default branch.
      if (branch === repo.defaultBranch) for (const [path, text] of Object.entries(files ?? {})) text === null ? repo.files.delete(path) : repo.files.set(path, text);
      head = sha;
      return renderPushedCommit(repo, repo.commits.get(sha)!, distinct);
    });
    const after = head ?? before;
    repo.branches.set(branch, after);
    return {
      ref: `refs/heads/${branch}`,
      before,
      after,
      created: before === ZERO_SHA,
      deleted: false,
      forced: before !== ZERO_SHA && !ancestors(repo, after).has(before),
      base_ref: null,
      compare: `https://github.com/${repo.owner}/${repo.name}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
      commits: pushed,
      head_commit: pushed.at(-1) ?? null,
    };
  }

  /** A pull request; it takes an issue number, as on GitHub. Returns it as the REST API lists it. */
  addPull(repo: Repository, { number, title, login, head, base, commits, merged_at = null, merge_commit_sha = null }: NewPull) {
    const author = this.user(login ?? repo.owner);
    const issue = openIssue(repo, this.mint, author, { number, title: title ?? `Merge ${head} into ${base}`, pull: true });
    if (merged_at) Object.assign(issue, { state: "closed", closed_at: merged_at, closed_by: author, updated_at: merged_at });
    const pull = { number: issue.number, id: this.nextId(), head, base, commits, merged_at, merge_commit_sha };
    repo.pulls.set(pull.number, pull);
    return renderPull(this, repo, pull, issue);
  }

  /** A deployment made through the API by `creator` (default: the repository owner). Returns its JSON for a webhook. */
  addDeployment(repo: Repository, { id, sha, ref, environment = "production", task = "deploy", creator, description = null }: NewDeployment) {
    const deploymentId = id ?? this.nextId();
    if (repo.deployments.has(deploymentId)) throw new Error(`deployment ${deploymentId} already exists`);
    const now = this.mint.now();
    const deployment: Deployment = {
      id: deploymentId,
      sha,
      ref: ref ?? sha,
      task,
      environment,
      description,
      payload: {},
      creator: this.user(creator ?? repo.owner),
      created_at: now,
      updated_at: now,
    };
    repo.deployments.set(deployment.id, deployment);
    return renderDeployment(this, repo, deployment);
  }

  /** Gives `login` a role in the repository (GitHub's collaborator permission). */
  setRole(repo: Repository, login: string, role: Role): void {
    repo.roles.set(this.user(login).login.toLowerCase(), role);
  }

  /** A person opens an issue in the UI. Returns it as the `issues.opened` webhook carries it. */
  userIssue(repo: Repository, { title, body = null, labels = [], login }: { title: string; body?: string | null; labels?: string[]; login: string }) {
    const issue = openIssue(repo, this.mint, this.user(login), { title, body, labels });
    return renderIssue(this, repo, issue, { forWebhook: true });
  }

  /** A person comments in the UI. Returns the comment as the `issue_comment` webhook carries it. */
  userComment(repo: Repository, issueNumber: number, login: string, body: string) {
    return renderComment(this, repo, addComment(repo, this.mint, this.#issue(repo, issueNumber), this.user(login), body));
  }

  /** A person edits a comment in the UI. Returns the comment as the `issue_comment.edited` webhook carries it. */
  userEditComment(repo: Repository, commentId: number, body: string) {
    const comment = repo.comments.get(commentId);
    if (!comment) throw new Error(`no comment ${commentId} in ${repo.owner}/${repo.name}`);
    editComment(this.mint, comment, body);
    return renderComment(this, repo, comment);
  }

  /** A person deletes a comment in the UI. Returns the comment as the `issue_comment.deleted` webhook carries it (its last body). */
  userDeleteComment(repo: Repository, commentId: number) {
    const comment = repo.comments.get(commentId);
    if (!comment) throw new Error(`no comment ${commentId} in ${repo.owner}/${repo.name}`);
    const rendered = renderComment(this, repo, comment);
    repo.comments.delete(commentId);
    return rendered;
  }

  /** A person with triage or more locks an issue's conversation. */
  userLock(repo: Repository, number: number, reason: string | null = null): void {
    const issue = this.#issue(repo, number);
    issue.locked = true;
    issue.active_lock_reason = reason;
  }

  /** A person removes a label in the UI. Returns the issue and label as the `issues.unlabeled` webhook carries them. */
  userUnlabel(repo: Repository, number: number, name: string) {
    const issue = this.#issue(repo, number);
    const label = repo.labels.get(name.toLowerCase())!;
    removeLabel(this.mint, issue, name);
    return { issue: renderIssue(this, repo, issue, { forWebhook: true }), label: renderLabel(this, repo, label) };
  }

  /**
   * A person transfers an issue to another repository: it leaves this one (its old number answers
   * 301 to the new place; 404, as GitHub's does, when `to.appCannotRead`) with its comments.
   * Returns the issue as it is now, in `to`.
   */
  userTransfer(repo: Repository, number: number, to: Repository) {
    const issue = this.#issue(repo, number);
    repo.issues.delete(number);
    const moved = { ...issue, number: to.nextNumber++, id: this.nextId() };
    to.issues.set(moved.number, moved);
    for (const comment of [...repo.comments.values()].filter((c) => c.issue_number === number)) {
      repo.comments.delete(comment.id);
      to.comments.set(comment.id, { ...comment, issue_number: moved.number });
    }
    (repo.transferred ??= new Map()).set(number, { owner: to.owner, name: to.name, number: moved.number });
    return renderIssue(this, to, moved, { forWebhook: true });
  }

  /**
   * An admin deletes an issue: it leaves the repository with its comments (its address answers 404
   * here; GitHub's answers 410). Returns the issue as the `issues.deleted` webhook carries it (as it was).
   */
  userDeleteIssue(repo: Repository, number: number) {
    const rendered = renderIssue(this, repo, this.#issue(repo, number), { forWebhook: true });
    repo.issues.delete(number);
    for (const comment of [...repo.comments.values()].filter((c) => c.issue_number === number)) repo.comments.delete(comment.id);
    return rendered;
  }

  /** Another GitHub App installed on the repository writes a check run (any name, any text). */
  otherAppCheckRun(repo: Repository, run: { appId: number; name: string; headSha: string; text: string; summary?: string }): void {
    const id = this.nextId();
    const now = this.mint.now();
    (repo.checkRuns ??= new Map()).set(id, {
      id,
      name: run.name,
      head_sha: run.headSha,
      app_id: run.appId,
      status: "completed",
      conclusion: "neutral",
      external_id: null,
      output: { title: run.name, summary: run.summary ?? run.name, text: run.text },
      started_at: now,
      completed_at: now,
    });
  }

  /** A person closes an issue in the UI. Returns it as the `issues.closed` webhook carries it. */
  userClose(repo: Repository, number: number, login: string, stateReason: "completed" | "not_planned" = "completed") {
    const issue = this.#issue(repo, number);
    changeIssue(repo, this.mint, issue, this.user(login), { state: "closed", state_reason: stateReason });
    return renderIssue(this, repo, issue, { forWebhook: true });
  }

  /** A person edits an issue's body in the UI. Returns it as the `issues.edited` webhook carries it. */
  userEditIssue(repo: Repository, number: number, login: string, body: string) {
    const issue = this.#issue(repo, number);
    changeIssue(repo, this.mint, issue, this.user(login), { body });
    return renderIssue(this, repo, issue, { forWebhook: true });
  }

  /** A person reopens an issue in the UI. Returns it as the `issues.reopened` webhook carries it. */
  userReopen(repo: Repository, number: number, login: string) {
    const issue = this.#issue(repo, number);
    changeIssue(repo, this.mint, issue, this.user(login), { state: "open" });
    return renderIssue(this, repo, issue, { forWebhook: true });
  }

  /** A person adds a label in the UI. Returns the issue and the label as the `issues.labeled` webhook carries them. */
  userLabel(repo: Repository, number: number, login: string, name: string) {
    const issue = this.#issue(repo, number);
    this.user(login);
    addLabels(repo, this.mint, issue, [name]);
    return { issue: renderIssue(this, repo, issue, { forWebhook: true }), label: renderLabel(this, repo, repo.labels.get(name.toLowerCase())!) };
  }

  /** An issue (or pull request) as webhooks carry it, for composing a payload about it. */
  issueForWebhook(repo: Repository, number: number) {
    return renderIssue(this, repo, this.#issue(repo, number), { forWebhook: true });
  }

  /** The person with this login, known to GitHub from now on (same id every time). */
  user(login: string): User {
    const known = this.knownUser(login);
    if (known) return known;
    const user: User = { login, id: this.#nextUserId++, type: "User" };
    this.#users.set(login.toLowerCase(), user);
    return user;
  }

  /**
   * The person renames their account: the same id under a new login, as GitHub shows it from then
   * on (on what they wrote before too), their roles with them; the old login is free to claim.
   */
  renameUser(from: string, to: string): User {
    const user = this.knownUser(from);
    if (!user) throw new Error(`no user ${from}`);
    if (this.knownUser(to)) throw new Error(`${to} is taken`);
    this.#users.delete(from.toLowerCase());
    user.login = to;
    this.#users.set(to.toLowerCase(), user);
    for (const repo of this.repos.values()) {
      const role = repo.roles.get(from.toLowerCase());
      if (role === undefined) continue;
      repo.roles.delete(from.toLowerCase());
      repo.roles.set(to.toLowerCase(), role);
    }
    return user;
  }

  knownUser(login: string): User | undefined {
    return this.#users.get(login.toLowerCase());
  }

  actorFor(headers: IncomingMessage["headers"]): User | undefined {
    const token = /^(?:token|bearer)\s+(\S+)$/i.exec(headers.authorization ?? "")?.[1];
    return token === INSTALLATION_TOKEN ? this.app.bot : undefined;
  }

  repoFor(params: Params): Repository | undefined {
    return this.repos.get(`${params.owner}/${params.repo}`);
  }

  /** The requests the app made, as "METHOD path" lines, without the /api/v3 prefix. */
  calls(filter?: (r: LoggedRequest) => boolean): string[] {
    return this.log.filter(filter ?? (() => true)).map((r) => `${r.method} ${r.path}`);
  }

  nextId(): number {
    return this.#nextId++;
  }

  #issue(repo: Repository, number: number): Issue {
    const issue = repo.issues.get(number);
    if (!issue) throw new Error(`no issue #${number} in ${repo.owner}/${repo.name}`);
    return issue;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const body = text ? safeJson(text) : undefined;
    const url = new URL(req.url ?? "/", "http://x");
    // GitHub's page links name the repository by id (below): such a URL reads as the repository's own.
    url.pathname = url.pathname.replace(/\/repositories\/(\d+)\//, (whole, id: string) => {
      const named = [...this.repos.values()].find((r) => r.id === Number(id));
      return named ? `/repos/${named.owner}/${named.name}/` : whole;
    });
    const path = url.pathname.replace(/^\/api\/v3(?=\/)/, "") + url.search;
    const method = req.method ?? "GET";
    try {
      this.problems.push(...checkRequest({ method, path, body }));
    } catch (error) {
      // A request that cannot be checked is a failed test, never an unanswered request.
      this.problems.push(`${method} ${path}: could not be checked against the OpenAPI description: ${String(error)}`);
    }
    const held = this.#holds.find((h) => h.matches(method, path));
    if (held) await new Promise((resolve) => setTimeout(resolve, held.ms).unref());
    let reply: Reply;
    const fault = this.#faults.map((f) => f(method, path)).find(Boolean);
    // What a failing request answers instead: a fault's own reply, or nothing (status 0 in the log).
    const instead: Reply | undefined = fault && !("slow" in fault) ? ("drop" in fault ? { status: 0 } : fault) : undefined;
    try {
      reply = instead && !fault?.applied ? instead : await this.#dispatch(method, url, body, req);
      if (instead && fault?.applied) reply = instead;
    } catch (error) {
      reply = { status: 500, body: { message: String(error) } };
    }
    if (method === "GET" && reply.status === 200) reply = conditionalReply(reply, req.headers);
    this.log.push({ method, path, body, status: reply.status });
    const delayMs = this.latencyMs + (fault?.delayMs ?? 0);
    // Unref'd: a request still held when the server stops does not keep the process alive.
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
    if (fault && "drop" in fault) return void req.socket.destroy();
    if (res.destroyed) return;
    const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8", ...reply.headers, ...this.#rateLimitHeaders(req.headers, reply.status) };
    // As api.github.com does, the `Link` header's pages name the repository by its id, not its name.
    if (typeof headers.link === "string") {
      for (const repo of this.repos.values()) headers.link = headers.link.split(`/repos/${repo.owner}/${repo.name}/`).join(`/repositories/${repo.id}/`);
    }
    res.writeHead(reply.status, headers);
    res.end(bodyText(reply.body));
  }

  /** GitHub's `x-ratelimit-remaining` on an answer to the installation token, once `rateLimitRemaining` is set; a 304 uses none up. */
  #rateLimitHeaders(headers: IncomingMessage["headers"], status: number): Record<string, string> {
    if (this.rateLimitRemaining === undefined || this.actorFor(headers) !== this.app.bot) return {};
    if (status !== 304) this.rateLimitRemaining = Math.max(0, this.rateLimitRemaining - 1);
    return { "x-ratelimit-remaining": String(this.rateLimitRemaining) };
  }

  async #dispatch(method: string, url: URL, body: unknown, req: IncomingMessage): Promise<Reply> {
    const pathname = url.pathname.replace(/^\/api\/v3(?=\/)/, "");
    for (const route of this.#routes) {
      if (route.method !== method) continue;
      const match = route.pattern.exec(pathname);
      if (!match) continue;
      const params = Object.fromEntries(route.keys.map((k, i) => [k, decodeURIComponent(match[i + 1]!)]));
      return route.handler({ params, path: pathname, query: url.searchParams, body, headers: req.headers });
    }
    this.problems.push(`the test server has no route for ${method} ${pathname}`);
    return { status: 404, body: { message: "Not Found" } };
  }

  #verifyAppJwt(authorization: string | undefined): boolean {
    if (!this.#appPublicKey) return true;
    const token = authorization?.replace(/^(bearer|Bearer) /, "") ?? "";
    const [header, payload, signature] = token.split(".");
    if (!header || !payload || !signature) return false;
    return createVerify("RSA-SHA256").update(`${header}.${payload}`).verify(this.#appPublicKey, Buffer.from(signature, "base64url"));
  }

  /** A JWT (never the installation token) that verifies against the app's key, when the server has one. */
  #isAppJwt(authorization: string | undefined): boolean {
    return /^bearer [^.\s]+\.[^.\s]+\.[^.\s]+$/i.test(authorization ?? "") && this.#verifyAppJwt(authorization);
  }

  #installDefaultRoutes(): void {
    // The token's expiry is real time, not the model's clock: the client checks it against its own.
    this.route("POST", "/app/installations/:id/access_tokens", ({ headers }) =>
      this.#verifyAppJwt(headers.authorization)
        ? { status: 201, body: { token: INSTALLATION_TOKEN, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {} } }
        : { status: 401, body: { message: "A JSON web token could not be decoded" } },
    );

    this.route("GET", "/app", ({ headers }) =>
      this.#verifyAppJwt(headers.authorization) ? { status: 200, body: renderApp(this) } : { status: 401, body: { message: "A JSON web token could not be decoded" } },
    );

    // Without a ref: the default branch's files; with one: the file as the commits up to it wrote it.
    this.route("GET", "/repos/:owner/:repo/contents/:path*", ({ params, query }) => {
      const repo = this.repoFor(params);
      const ref = query.get("ref");
      const sha = repo && ref ? resolveRef(repo, ref) : undefined;
      const file = !repo ? undefined : ref === null ? repo.files.get(params.path!) : sha && fileAt(repo, sha, params.path!);
      if (file === undefined) return { status: 404, body: { message: "Not Found" } };
      return { status: 200, body: file, headers: { "content-type": "text/plain; charset=utf-8" } };
    });

    this.route("POST", "/repos/:owner/:repo/actions/runs/:run_id/deployment_protection_rule", ({ params, body }) => {
      const repo = this.repoFor(params);
      if (!repo) return { status: 404, body: { message: "Not Found" } };
      // GitHub takes one answer per run and environment (assumed: it refuses a second with 422).
      const runId = Number(params.run_id);
      if (repo.protectionRuleAnswers.some((a) => a.runId === runId && a.environment_name === body?.environment_name)) {
        return { status: 422, body: { message: "No pending deployment requests to approve or reject" } };
      }
      repo.protectionRuleAnswers.push({ runId, ...body });
      return { status: 204 };
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
