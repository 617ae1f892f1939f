import type { IncomingMessage } from "node:http";

/**
 * The test server's model of GitHub: what a repository holds, in GitHub's own field names so
 * that a test reading the model and a client reading the API see the same words.
 */
export type Clock = { now(): Date };

export type User = { login: string; id: number; type: "User" | "Bot" };

/** Repository roles as `GET /collaborators/{user}/permission` names them in `role_name`. */
export type Role = "admin" | "maintain" | "write" | "triage" | "read";

export type Commit = {
  sha: string;
  parents: string[];
  message: string;
  /** Unified diff against the first parent, as `accept: application/vnd.github.diff` returns it. */
  diff: string;
  date: string;
  /** Files this commit writes, path to contents (null: deletes it); the contents API reads a file at a commit from these. */
  files?: Record<string, string | null>;
  /** The GitHub account its author's email belongs to (`author` in the REST commit); none by default, as for an unknown email. */
  author?: User;
};

export type Label = { id: number; name: string; color: string; description: string | null; default: boolean };

export type Reaction = { id: number; content: string; user: User; created_at: string };

export type Issue = {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  state_reason: string | null;
  /** Names as the repository's labels spell them. */
  labels: string[];
  assignees: User[];
  user: User;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  closed_by: User | null;
  /** Set when the number belongs to a pull request (GitHub lists those as issues too). */
  pull: boolean;
  /** A locked issue takes no new comments, not even the app's (it unlocks first). */
  locked?: boolean;
  active_lock_reason?: string | null;
};

/** A check run, as the app that wrote it left it (no person can edit one). */
export type CheckRun = {
  id: number;
  name: string;
  head_sha: string;
  app_id: number;
  status: string;
  conclusion: string | null;
  external_id: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  started_at: string;
  completed_at: string | null;
};

export type Comment = { id: number; issue_number: number; body: string; user: User; created_at: string; updated_at: string; reactions: Reaction[] };

export type Pull = {
  number: number;
  id: number;
  /** Head and base branch names. */
  head: string;
  base: string;
  commits: string[];
  merged_at: string | null;
  merge_commit_sha: string | null;
};

export type Deployment = {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  description: string | null;
  payload: Record<string, unknown>;
  creator: User;
  created_at: string;
  updated_at: string;
};

export type DeploymentStatus = {
  id: number;
  deployment_id: number;
  state: string;
  description: string;
  environment: string;
  log_url: string;
  environment_url: string;
  creator: User;
  created_at: string;
  updated_at: string;
};

export type Repository = {
  id: number;
  owner: string;
  ownerId: number;
  name: string;
  defaultBranch: string;
  commits: Map<string, Commit>;
  branches: Map<string, string>;
  /** Lightweight tags, name to sha: a tag may share a branch's name. */
  tags: Map<string, string>;
  /**
   * Any other ref a push can make, by its full name to sha: `refs/remotes/<name>`, `refs/pull/1/head`,
   * a bare `refs/<name>`. Git reads some of them before an object id (graph.ts `resolveRef`).
   */
  otherRefs: Map<string, string>;
  files: Map<string, string>;
  /** Keyed by lower-cased name: GitHub matches label names case-insensitively. */
  labels: Map<string, Label>;
  issues: Map<number, Issue>;
  comments: Map<number, Comment>;
  pulls: Map<number, Pull>;
  deployments: Map<number, Deployment>;
  /** Newest first, keyed by deployment id. */
  deploymentStatuses: Map<number, DeploymentStatus[]>;
  /** Keyed by lower-cased login. */
  roles: Map<string, Role>;
  protectionRuleAnswers: Array<{ runId: number; environment_name: string; state: string; comment?: string }>;
  /** Issues and pull requests share one sequence of numbers. */
  nextNumber: number;
  /** Check runs by id (made on first use). */
  checkRuns?: Map<number, CheckRun>;
  /** Issues moved to another repository: the old number answers 301 to its new place (404 when the app cannot read that one). */
  transferred?: Map<number, { owner: string; name: string; number: number }>;
  /** The app's installation leaves this repository out (installed on selected repositories only): issues moved here are gone from the app's sight. */
  appCannotRead?: boolean;
};

/** What the server stamps on everything it creates: the time from its clock, and fresh ids. */
export type Mint = { now(): string; id(): number };

export type Params = Record<string, string>;
export type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
/** `path` is the request's path without the /api/v3 prefix and without the query. */
export type RouteRequest = { params: Params; path: string; query: URLSearchParams; body: any; headers: IncomingMessage["headers"] };
export type RouteHandler = (req: RouteRequest) => Reply | Promise<Reply>;

/** The app the installation token belongs to. */
export type AppIdentity = { id: number; slug: string; bot: User };

/** What route modules need from the server. */
export type Site = {
  readonly apiBase: string;
  readonly app: AppIdentity;
  readonly mint: Mint;
  route(method: string, path: string, handler: RouteHandler): void;
  repoFor(params: Params): Repository | undefined;
  /** The user a request acts as, or undefined when it carries no valid installation token. */
  actorFor(headers: IncomingMessage["headers"]): User | undefined;
  /** A person GitHub knows by this login (created on first mention, same id ever after). */
  knownUser(login: string): User | undefined;
};
