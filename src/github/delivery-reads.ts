import { AsyncLocalStorage } from "node:async_hooks";
import type { Octokit } from "./client.js";
import { isGraphQLQuery } from "./write-kinds.js";

/**
 * One delivery's view of GitHub: each GET is asked once, and its answer stands until the delivery
 * writes what it depends on. The procedures of one delivery read the same facts many times (an
 * incident's thread for its records, then for its ledger; the issue of an item it just opened);
 * without this each of those is a request against the installation's rate limit.
 *
 * What the delivery writes is folded into the answers it stands for, from GitHub's own reply to
 * the write (a comment it posted is in the thread it read; an issue it opened or changed reads as
 * GitHub returned it), so reading after writing costs nothing and shows the write. A write whose
 * effect on an answer is not known here forgets every answer it might touch; a write that fails
 * (it may have taken effect) forgets them all.
 *
 * Only the delivery's own writes are seen: what others do meanwhile is not. Where that matters
 * (the look again after a create, work done in the repository's turn after a decision made
 * outside it) GitHub is asked anyway: `askingGitHub`, `forgetReads`. A gate's decision, which reads
 * each fact once, bypasses the view (`straightToGitHub`).
 */
export function rememberReads<O extends Octokit>(octokit: O): O {
  const memo = new Memo();
  memos.set(octokit, memo);
  octokit.hook.wrap("request", async (request, options) => {
    if (straight.getStore()) return request(options);
    const { method, url, headers } = octokit.request.endpoint.parse(options);
    // A GraphQL query reads without changing anything, and each is asked once by its caller.
    if (isGraphQLQuery(method, url)) return request(options);
    if (method !== "GET") {
      try {
        const response = await request(options);
        memo.learn(method, url, response);
        return response;
      } catch (error) {
        memo.clear();
        throw error;
      }
    }
    // A body read as a stream (a raw diff) is the caller's to keep: commits.ts keeps diffs, which never change.
    if (options.request?.parseSuccessResponseBody === false) return request(options);
    // The same URL answers differently in another media type.
    const key = `${headers.accept ?? ""} ${url}`;
    const known = asking.getStore() ? undefined : memo.get(key);
    if (known) return answer(await known);
    const read = Promise.resolve(request(options)).then(snapshot);
    memo.set(key, url, read);
    return answer(await read);
  });
  return octokit;
}

/** What `read` asks of GitHub is asked even when this delivery read it already (the new answer is kept). */
export function askingGitHub<T>(read: () => Promise<T>): Promise<T> {
  return asking.run(true, read);
}

/**
 * What `work` asks goes straight to GitHub and is not kept: a gate's decision reads each fact once,
 * and copying its answers (kept as text, each use parsed apart) would only slow the deploy waiting on it.
 */
export function straightToGitHub<T>(work: () => Promise<T>): Promise<T> {
  return straight.run(true, work);
}

/** Every answer this client remembers is asked again: for work that waited its turn after reading. */
export function forgetReads(octokit: Octokit): void {
  memos.get(octokit)?.clear();
}

const asking = new AsyncLocalStorage<true>();
const straight = new AsyncLocalStorage<true>();
const memos = new WeakMap<Octokit, Memo>();

type Response = Awaited<ReturnType<Octokit["request"]>>;
/** An answer as text: each use parses its own copy, so no caller can change what another reads. */
type Snapshot = { status: number; url: string; headers: Response["headers"]; body: string };

function snapshot(response: Response): Snapshot {
  return { status: response.status, url: response.url, headers: { ...response.headers }, body: JSON.stringify(response.data ?? null) };
}

function answer({ status, url, headers, body }: Snapshot): Response {
  return { status, url, headers: { ...headers }, data: JSON.parse(body) } as Response;
}

/** The path of a request's URL without its query: `/repos/o/r/issues/1/comments`. */
function pathOf(url: string): string {
  return new URL(url, "https://api.github.com").pathname;
}

type Issue = { number: number; created_at?: string; state?: string; labels?: Array<string | { name?: string }>; comments?: number; user?: { login?: string } | null; pull_request?: unknown };
type Comment = { id: number };

/** What octokit asks for unless told otherwise: the media type of every answer folded in here. */
const JSON_ACCEPT = "application/vnd.github.v3+json";

/** An answer by media type and URL: asked (`pending`) or answered (`settled`). */
type Entry = { url: string; settled?: Snapshot; pending?: Promise<Snapshot> };

class Memo {
  readonly #answers = new Map<string, Entry>();

  get(key: string): Promise<Snapshot> | undefined {
    const entry = this.#answers.get(key);
    return entry?.settled ? Promise.resolve(entry.settled) : entry?.pending;
  }

  set(key: string, url: string, read: Promise<Snapshot>): void {
    const entry: Entry = { url, pending: read };
    this.#answers.set(key, entry);
    read.then(
      (settled) => {
        // Forgotten or replaced while it was asked: a write came in between, so it stands for nothing.
        if (this.#answers.get(key) === entry) this.#answers.set(key, { url, settled });
      },
      () => {
        if (this.#answers.get(key) === entry) this.#answers.delete(key);
      },
    );
  }

  clear(): void {
    this.#answers.clear();
  }

  /** Folds a write GitHub took into what this delivery read, or forgets what it cannot fold. */
  learn(method: string, url: string, { data, headers }: Response): void {
    const path = pathOf(url);
    // GitHub's page links name the repository by id (`/repositories/{id}/...`): pages read through
    // them are not folded, so any write forgets them (they are the second page and later: rare).
    this.#forget((read) => read.includes("/repositories/"));
    // After any prefix of the API's base URL (GitHub Enterprise Server's `/api/v3`).
    const at = path.indexOf("/repos/");
    const [owner, repo, ...rest] = path.slice(at + "/repos/".length).split("/");
    if (at < 0 || !owner || !repo) return this.clear();
    const base = `${path.slice(0, at)}/repos/${owner}/${repo}`;
    // Numbers are ids; a label's name (the last part of `issues/{n}/labels/{name}`) is a name.
    const route = `${method} ${rest.map((part, i) => (/^\d+$/.test(part) ? "{n}" : i === 3 && rest[2] === "labels" ? "{name}" : part)).join("/")}`;
    const number = Number(rest.find((part) => /^\d+$/.test(part)));
    switch (route) {
      case "POST issues/{n}/comments":
        return this.#addComment(base, number, data as Comment);
      case "PATCH issues/comments/{n}":
        return this.#eachComments(base, (comments) => comments.map((c) => (c.id === number ? (data as Comment) : c)));
      case "POST issues":
      case "PATCH issues/{n}": {
        // Read by number next (the ledger's line for it, the incident "as it is now"), it is what GitHub just returned.
        const issue = data as Issue;
        const read = route === "POST issues" ? `${url}/${issue.number}` : url;
        this.#answers.set(`${JSON_ACCEPT} ${read}`, { url: read, settled: { status: 200, url: read, headers: { ...headers }, body: JSON.stringify(issue) } });
        return this.#putIssue(base, issue);
      }
      case "POST issues/{n}/labels":
      case "PUT issues/{n}/labels":
      case "DELETE issues/{n}/labels/{name}":
        return this.#relabel(base, number, data as Issue["labels"]);
      case "POST issues/comments/{n}/reactions":
        return this.#forget((path) => path.startsWith(`${base}/issues/comments/${number}/reactions`));
      case "POST check-runs":
      case "PATCH check-runs/{n}":
        return this.#forget((path) => path.includes("/check-runs"));
      case "POST deployments":
      case "POST deployments/{n}/statuses":
      case "POST actions/runs/{n}/deployment_protection_rule":
        return this.#forget((path) => path.startsWith(`${base}/deployments`));
      default:
        return this.clear();
    }
  }

  /** A comment posted: the last page read of that thread shows it, and the issue counts it. */
  #addComment(base: string, number: number, comment: Comment): void {
    const thread = `${base}/issues/${number}/comments`;
    const counted = (issue: Issue) => (issue.number === number ? { ...issue, comments: (issue.comments ?? 0) + 1 } : issue);
    // Looked up only for a list it may now join (parsing every list read for each comment would not be).
    let looked: { issue: Issue | undefined } | undefined;
    const mayJoin = (query: URLSearchParams) => {
      const issue = (looked ??= { issue: this.#knownIssue(base, number) }).issue;
      return issue === undefined || listMatches(query, issue) !== false;
    };
    this.#edit(
      (path) => path === thread || path === `${base}/issues/${number}` || path === `${base}/issues` || path === `${base}/issues/comments`,
      (path, query, snapshot, data) => {
        if (path === thread) return isLastPage(snapshot) && onlyPaging(query) ? [...(data as Comment[]), comment] : undefined;
        // The repository's comments: where the new one stands among them is GitHub's to say.
        if (path === `${base}/issues/comments`) return undefined;
        if (!Array.isArray(data)) return counted(data as Issue);
        const list = data as Issue[];
        // The comment made the issue updated now: a list of issues updated since a moment now holds it,
        // if it matches the list's other filters (unknown here: the list is asked again).
        if (query.get("since") !== null && !list.some((issue) => issue.number === number) && mayJoin(query)) return undefined;
        return list.map(counted);
      },
    );
  }

  #eachComments(base: string, change: (comments: Comment[]) => Comment[]): void {
    this.#edit(
      (path) => path.startsWith(`${base}/issues/`) && path.endsWith("/comments"),
      (_path, _query, _snapshot, data) => change(data as Comment[]),
    );
  }

  /**
   * An issue opened or changed, as GitHub returned it: read by number it is that; in a list read
   * it replaces the old one, or leaves the list when it no longer matches. A list it now joins
   * takes it in GitHub's order (newest created first) when the list was read whole; otherwise it is forgotten.
   */
  #putIssue(base: string, issue: Issue): void {
    this.#edit(
      (path) => path === `${base}/issues/${issue.number}` || path === `${base}/issues`,
      (path, query, snapshot, data) => {
        if (path !== `${base}/issues`) return issue;
        const list = data as Issue[];
        const matches = listMatches(query, issue);
        if (matches === undefined) return undefined;
        if (list.some((i) => i.number === issue.number)) {
          if (matches) return list.map((i) => (i.number === issue.number ? issue : i));
          // Leaving a page with pages after it moves the next page's first issue up: GitHub's to say.
          return isLastPage(snapshot) ? list.filter((i) => i.number !== issue.number) : undefined;
        }
        if (!matches) return list;
        return isOnlyPage(snapshot) && query.get("sort") === null && query.get("direction") === null ? newestCreatedFirst([...list, issue]) : undefined;
      },
    );
  }

  /**
   * An issue's labels as GitHub returned them after adding, setting or removing one: the issue as
   * this delivery last read it, with those labels, is put like any changed issue. Never read here,
   * it is asked again, and so is every list it might have joined.
   */
  #relabel(base: string, number: number, labels: Issue["labels"]): void {
    const known = this.#knownIssue(base, number);
    if (known) return this.#putIssue(base, { ...known, labels });
    this.#forget((path) => path === `${base}/issues/${number}` || path === `${base}/issues`);
  }

  /** The issue as this delivery last read it: by number, or in a list. */
  #knownIssue(base: string, number: number): Issue | undefined {
    let found: Issue | undefined;
    for (const entry of this.#answers.values()) {
      if (!entry.settled) continue;
      const path = pathOf(entry.url);
      if (path === `${base}/issues/${number}`) return JSON.parse(entry.settled.body) as Issue;
      if (path === `${base}/issues`) found ??= (JSON.parse(entry.settled.body) as Issue[]).find((issue) => issue.number === number);
    }
    return found;
  }

  #forget(touches: (path: string) => boolean): void {
    for (const [key, { url }] of [...this.#answers]) if (touches(pathOf(url))) this.#answers.delete(key);
  }

  /**
   * Each settled answer a write `touches` goes through `change` (undefined: forget it); one still
   * being asked is forgotten, since it may come back from before or after the write.
   */
  #edit(touches: (path: string) => boolean, change: (path: string, query: URLSearchParams, snapshot: Snapshot, data: unknown) => unknown): void {
    for (const [key, entry] of [...this.#answers]) {
      const { pathname, searchParams } = new URL(entry.url, "https://api.github.com");
      if (!touches(pathname)) continue;
      // Asked while the write went out, or in another media type: what it says now is GitHub's to tell.
      if (!entry.settled || !key.startsWith(`${JSON_ACCEPT} `)) {
        this.#answers.delete(key);
        continue;
      }
      const changed = change(pathname, searchParams, entry.settled, JSON.parse(entry.settled.body) as unknown);
      if (changed === undefined) this.#answers.delete(key);
      else this.#answers.set(key, { url: entry.url, settled: { ...entry.settled, body: JSON.stringify(changed) } });
    }
  }
}

/** Whether an issue belongs in a list read with `query` (labels, state, creator); undefined when the query asks what is not modelled here. */
function listMatches(query: URLSearchParams, issue: Issue): boolean | undefined {
  const known = new Set(["labels", "state", "creator", "since", "per_page", "page", "sort", "direction"]);
  for (const key of query.keys()) if (!known.has(key)) return undefined;
  // GitHub's issue lists hold pull requests too; no caller keeps them, so no list is folded for one.
  if (issue.pull_request) return undefined;
  const state = query.get("state") ?? "open";
  if (state !== "all" && issue.state !== state) return false;
  const creator = query.get("creator");
  if (creator !== null && issue.user?.login?.toLowerCase() !== creator.toLowerCase()) return false;
  const labels = (query.get("labels") ?? "").split(",").map((l) => l.trim().toLowerCase()).filter(Boolean);
  const has = new Set((issue.labels ?? []).map((l) => (typeof l === "string" ? l : (l.name ?? "")).toLowerCase()));
  // `since` is met: it compares `updated_at`, and an issue this delivery just wrote was updated now.
  return labels.every((label) => has.has(label));
}

function newestCreatedFirst(issues: Issue[]): Issue[] {
  return issues.sort((a, b) => (b.created_at ?? "").localeCompare(a.created_at ?? "") || b.number - a.number);
}

function isLastPage(snapshot: Snapshot): boolean {
  return !/rel="next"/.test(String(snapshot.headers.link ?? ""));
}

function isOnlyPage(snapshot: Snapshot): boolean {
  return !/rel="(next|prev)"/.test(String(snapshot.headers.link ?? ""));
}

function onlyPaging(query: URLSearchParams): boolean {
  return [...query.keys()].every((key) => key === "per_page" || key === "page");
}
