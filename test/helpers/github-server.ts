import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createVerify } from "node:crypto";
import type { AddressInfo } from "node:net";
import { checkRequest } from "./openapi.js";

/**
 * A small stand-in for GitHub's REST API on 127.0.0.1, for tests and benchmarks that run the
 * app as users start it (GHE_HOST/GHE_PROTOCOL point here). It keeps a model of repositories
 * (commits, branches, files, deployments), answers the routes the app uses from that model,
 * logs every request, and checks each one against GitHub's OpenAPI description.
 */
export type LoggedRequest = { method: string; path: string; body: unknown; status: number };

export type Commit = { sha: string; parents: string[]; message?: string };
export type Repository = {
  owner: string;
  name: string;
  defaultBranch: string;
  commits: Map<string, Commit>;
  branches: Map<string, string>;
  files: Map<string, string>;
  deploymentStatuses: Map<number, Array<{ id: number; state: string; description: string; log_url: string; environment: string }>>;
  protectionRuleAnswers: Array<{ runId: number; environment_name: string; state: string; comment?: string }>;
};

type Params = Record<string, string>;
type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
type RouteHandler = (req: { params: Params; query: URLSearchParams; body: any; headers: IncomingMessage["headers"] }) => Reply | Promise<Reply>;

export class GitHubTestServer {
  readonly log: LoggedRequest[] = [];
  readonly problems: string[] = [];
  readonly repos = new Map<string, Repository>();
  #routes: Array<{ method: string; pattern: RegExp; keys: string[]; handler: RouteHandler }> = [];
  #server: Server;
  #faults: Array<(method: string, path: string) => Reply | undefined> = [];
  #nextId = 1000;

  constructor(private readonly appPublicKey?: string) {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#installDefaultRoutes();
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
  fail(predicate: (method: string, path: string) => boolean, reply: Reply): () => void {
    const fault = (method: string, path: string) => (predicate(method, path) ? reply : undefined);
    this.#faults.push(fault);
    return () => void (this.#faults = this.#faults.filter((f) => f !== fault));
  }

  addRepo(owner: string, name: string, defaultBranch = "main"): Repository {
    const repo: Repository = {
      owner,
      name,
      defaultBranch,
      commits: new Map(),
      branches: new Map(),
      files: new Map(),
      deploymentStatuses: new Map(),
      protectionRuleAnswers: [],
    };
    this.repos.set(`${owner}/${name}`, repo);
    return repo;
  }

  /** Adds a commit on top of `parent` (or a root commit) and moves `branch` to it when given. */
  commit(repo: Repository, sha: string, parent: string | null, branch?: string, message = `commit ${sha.slice(0, 7)}`): string {
    repo.commits.set(sha, { sha, parents: parent ? [parent] : [], message });
    if (branch) repo.branches.set(branch, sha);
    return sha;
  }

  /** The requests the app made, as "METHOD path" lines, without the /api/v3 prefix. */
  calls(filter?: (r: LoggedRequest) => boolean): string[] {
    return this.log.filter(filter ?? (() => true)).map((r) => `${r.method} ${r.path}`);
  }

  nextId(): number {
    return this.#nextId++;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const body = text ? safeJson(text) : undefined;
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname.replace(/^\/api\/v3(?=\/)/, "") + url.search;
    const method = req.method ?? "GET";
    this.problems.push(...checkRequest({ method, path, body }));
    let reply: Reply;
    try {
      reply = this.#faults.map((f) => f(method, path)).find(Boolean) ?? (await this.#dispatch(method, url, body, req));
    } catch (error) {
      reply = { status: 500, body: { message: String(error) } };
    }
    this.log.push({ method, path, body, status: reply.status });
    const headers = { "content-type": "application/json; charset=utf-8", ...reply.headers };
    res.writeHead(reply.status, headers);
    res.end(reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body));
  }

  async #dispatch(method: string, url: URL, body: unknown, req: IncomingMessage): Promise<Reply> {
    const pathname = url.pathname.replace(/^\/api\/v3(?=\/)/, "");
    for (const route of this.#routes) {
      if (route.method !== method) continue;
      const match = route.pattern.exec(pathname);
      if (!match) continue;
      const params = Object.fromEntries(route.keys.map((k, i) => [k, decodeURIComponent(match[i + 1]!)]));
      return route.handler({ params, query: url.searchParams, body, headers: req.headers });
    }
    this.problems.push(`the test server has no route for ${method} ${pathname}`);
    return { status: 404, body: { message: "Not Found" } };
  }

  #repo(params: Params): Repository | undefined {
    return this.repos.get(`${params.owner}/${params.repo}`);
  }

  #verifyAppJwt(authorization: string | undefined): boolean {
    if (!this.appPublicKey) return true;
    const token = authorization?.replace(/^(bearer|Bearer) /, "") ?? "";
    const [header, payload, signature] = token.split(".");
    if (!header || !payload || !signature) return false;
    return createVerify("RSA-SHA256").update(`${header}.${payload}`).verify(this.appPublicKey, Buffer.from(signature, "base64url"));
  }

  #installDefaultRoutes(): void {
    this.route("POST", "/app/installations/:id/access_tokens", ({ headers }) =>
      this.#verifyAppJwt(headers.authorization)
        ? { status: 201, body: { token: "ghs_testserver", expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {} } }
        : { status: 401, body: { message: "A JSON web token could not be decoded" } },
    );

    this.route("GET", "/repos/:owner/:repo/contents/:path*", ({ params, query }) => {
      const repo = this.#repo(params);
      const file = repo?.files.get(params.path!);
      if (file === undefined || query.get("ref")) return { status: 404, body: { message: "Not Found" } };
      return { status: 200, body: file, headers: { "content-type": "text/plain; charset=utf-8" } };
    });

    this.route("GET", "/repos/:owner/:repo/compare/:basehead*", ({ params }) => {
      const repo = this.#repo(params);
      const [base, head] = params.basehead!.split("...");
      const baseSha = repo && base ? (repo.branches.get(base) ?? (repo.commits.has(base) ? base : undefined)) : undefined;
      const headSha = repo && head ? (repo.branches.get(head) ?? (repo.commits.has(head) ? head : undefined)) : undefined;
      if (!repo || !baseSha || !headSha) return { status: 404, body: { message: `No commit found for SHA: ${head}` } };
      return { status: 200, body: compare(repo, baseSha, headSha) };
    });

    this.route("POST", "/repos/:owner/:repo/actions/runs/:run_id/deployment_protection_rule", ({ params, body }) => {
      const repo = this.#repo(params);
      if (!repo) return { status: 404, body: { message: "Not Found" } };
      repo.protectionRuleAnswers.push({ runId: Number(params.run_id), ...body });
      return { status: 204 };
    });

    this.route("GET", "/repos/:owner/:repo/deployments/:id/statuses", ({ params }) => ({
      status: 200,
      body: this.#repo(params)?.deploymentStatuses.get(Number(params.id)) ?? [],
    }));

    this.route("POST", "/repos/:owner/:repo/deployments/:id/statuses", ({ params, body }) => {
      const repo = this.#repo(params);
      if (!repo) return { status: 404, body: { message: "Not Found" } };
      const status = { id: this.nextId(), ...body };
      repo.deploymentStatuses.set(Number(params.id), [status, ...(repo.deploymentStatuses.get(Number(params.id)) ?? [])]);
      return { status: 201, body: status };
    });
  }
}

/** GitHub's compare of base...head over the model's commit graph: identical, behind, ahead or diverged. */
function compare(repo: Repository, base: string, head: string) {
  const fromBase = ancestors(repo, base);
  const fromHead = ancestors(repo, head);
  const aheadBy = [...fromHead].filter((sha) => !fromBase.has(sha)).length;
  const behindBy = [...fromBase].filter((sha) => !fromHead.has(sha)).length;
  const status = aheadBy === 0 && behindBy === 0 ? "identical" : aheadBy === 0 ? "behind" : behindBy === 0 ? "ahead" : "diverged";
  return { status, ahead_by: aheadBy, behind_by: behindBy, total_commits: aheadBy, base_commit: { sha: base }, commits: [], files: [] };
}

function ancestors(repo: Repository, sha: string): Set<string> {
  const seen = new Set<string>();
  const queue = [sha];
  while (queue.length > 0) {
    const next = queue.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...(repo.commits.get(next)?.parents ?? []));
  }
  return seen;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
