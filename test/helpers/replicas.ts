import { leftOver, repositoryState, stateLines } from "./fault-world.js";
import type { GitHubTestServer, Repository } from "./github-server.js";
import { credentialsFor, NODE_START, startApp, type RunningApp } from "./start-app.js";

/**
 * Several replicas of the app against one loopback GitHub test server and one Redis, started as
 * the image starts them (`node dist/main.js`: the started process is the app itself, so a SIGKILL
 * to its pid kills the replica, not an npm in front of it), for the replica tests (SPEC section 9).
 * It counts what it sends to each replica, so a test can wait until every delivery has run to its
 * end (`settled`), whatever GitHub's 10 s answer said (a delivery that waits on a lock is answered
 * 202 while it still runs).
 */
export type Webhook = readonly [string, unknown];

export class Replicas {
  readonly apps: RunningApp[] = [];
  /** Deliveries that reach a handler, sent to each replica still alive. */
  readonly #sent = new Map<RunningApp, number>();
  #started = 0;

  private constructor(private readonly env: Record<string, string>) {}

  /** `count` replicas with REDIS_URL `redisUrl`; the reminder and missed-delivery sweeps off (not what these tests are about); `more` added to their env. */
  static async start(github: GitHubTestServer, redisUrl: string, count: number, more: Record<string, string> = {}): Promise<Replicas> {
    const env = { ...credentialsFor(github.host), REDIS_URL: redisUrl, MAINLINE_REMINDER_INTERVAL_MINUTES: "0", LOG_FORMAT: "json", ...more };
    const replicas = new Replicas(env);
    const started = await Promise.allSettled(Array.from({ length: count }, () => replicas.#startOne()));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) {
      await replicas.stop();
      throw failed.reason;
    }
    return replicas;
  }

  async #startOne(): Promise<RunningApp> {
    this.#started += 1;
    const app = await startApp(this.env, "/healthz", NODE_START);
    this.apps.push(app);
    this.#sent.set(app, 0);
    return app;
  }

  /** How many replica processes were started in all (the replacements too). */
  get started(): number {
    return this.#started;
  }

  /** Replica `i` (modulo how many there are). */
  at(i: number): RunningApp {
    return this.apps[((i % this.apps.length) + this.apps.length) % this.apps.length]!;
  }

  /** Sends a signed webhook to `app`; the HTTP status, or 0 when the connection broke (a replica killed meanwhile). */
  async deliver(app: RunningApp, [event, payload]: Webhook, id: string): Promise<number> {
    this.#sent.set(app, (this.#sent.get(app) ?? 0) + 1);
    try {
      const res = await app.deliver(event, payload, { id });
      await res.text();
      return res.status;
    } catch {
      return 0;
    }
  }

  /** SIGKILL to the replica's pid: it dies mid-work, holding whatever lock it held. Resolves once it has exited. */
  async kill(app: RunningApp): Promise<void> {
    process.kill(app.pid, "SIGKILL");
    await app.exited;
    this.#sent.delete(app);
    this.apps.splice(this.apps.indexOf(app), 1);
  }

  /** A new replica in place of a dead one. */
  replace(): Promise<RunningApp> {
    return this.#startOne();
  }

  /** Deliveries that ran to their end on `app` (any outcome), from its `GET /metrics`. */
  async finished(app: RunningApp): Promise<number> {
    const text = await (await fetch(`${app.url}/metrics`)).text();
    return text
      .split("\n")
      .filter((line) => line.startsWith("mainline_deliveries_total{"))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
  }

  /** The sum of a series (every label set) over the live replicas' `GET /metrics`, e.g. `mainline_lock_wait_seconds_count`. */
  async metric(name: string): Promise<number> {
    const texts = await Promise.all(this.apps.map(async (app) => (await fetch(`${app.url}/metrics`)).text()));
    return texts
      .flatMap((text) => text.split("\n"))
      .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
  }

  /** Waits until every delivery sent to a live replica has run to its end. */
  async settled(timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await Promise.all(this.apps.map(async (app) => [app, await this.finished(app)] as const));
      const behind = counts.filter(([app, done]) => done < (this.#sent.get(app) ?? 0));
      if (behind.length === 0) return;
      if (Date.now() > deadline) {
        throw new Error(`deliveries still running after ${timeoutMs / 1000} s: ${behind.map(([app, done]) => `${app.url} finished ${done} of ${this.#sent.get(app)}`).join("; ")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * What each replica says about Redis (`reachable`): `/healthz` tells what it last knew, `/readyz`
   * (what a load balancer probes) asks Redis again when its answer is older than 2 s.
   */
  async redisReachable(path: "/healthz" | "/readyz" = "/healthz"): Promise<boolean[]> {
    return Promise.all(
      this.apps.map(async (app) => {
        const body = (await (await fetch(`${app.url}${path}`)).json()) as { redis?: { reachable?: boolean } };
        return body.redis?.reachable === true;
      }),
    );
  }

  /**
   * Each replica's log lines that name one of `deliveries` (by delivery id: mainline's lines, Probot's
   * error with its stack, the HTTP answer), and its warnings and errors, whatever else it logged
   * meanwhile: a failed delivery says why there, and a fixed tail of a busy run often ends before it.
   */
  logOf(deliveries: Iterable<string>): string {
    const quoted = [...deliveries].map((id) => `"${id}"`);
    const level = (line: string) => Number(/^\{"level":(\d+)/.exec(line)?.[1] ?? 0);
    return this.apps
      .map((app, i) => {
        const lines = app
          .output()
          .split("\n")
          .filter((line) => level(line) >= 40 || quoted.some((id) => line.includes(id)));
        return `--- replica ${i} (${app.url}): ${lines.length} lines ---\n${lines.join("\n")}`;
      })
      .join("\n");
  }

  /** The last `chars` of every replica's output, for a failure message. */
  output(chars = 4_000): string {
    return this.apps.map((app, i) => `--- replica ${i} (${app.url}) ---\n${app.output().slice(-chars)}`).join("\n");
  }

  async stop(): Promise<void> {
    await Promise.all(this.apps.map((app) => app.stop()));
    this.apps.length = 0;
  }
}

/**
 * What people and the gate see in one repository — issues, comments with their exact bodies and
 * reactions, labels, gate answers, deployment statuses and check runs — as the fault suite's
 * `repositoryState` reads it, with what differs between two repositories told the same story taken out:
 * the repository's name and id, ids the server drew (comments, deployments), the times the app
 * stamps, and record signatures (which sign the repository id and those times). Two identical
 * comments stay two lines: a duplicate is a difference.
 */
export function replicaState(repo: Repository): string[] {
  const ids = idNames(repo);
  return stateLines(repositoryState(repo))
    .map((line) => normalise(line, repo, ids))
    .sort();
}

/** Names for the ids the server drew, the same in any repository told the same story: people's comments and deployments in the order they were made. */
function idNames(repo: Repository): Map<string, string> {
  const names = new Map<string, string>();
  const comments = [...repo.comments.values()].sort((a, b) => a.id - b.id);
  comments.filter((c) => c.user.type !== "Bot").forEach((c, k) => names.set(String(c.id), `<comment ${k + 1}>`));
  comments.filter((c) => c.user.type === "Bot").forEach((c) => names.set(String(c.id), `<app comment>`));
  [...repo.deployments.keys()].sort((a, b) => a - b).forEach((id, k) => names.set(String(id), `<deployment ${k + 1}>`));
  return names;
}

const TIME = /\d{4}-\d{2}-\d{2}T\d{2}(?::|%3A)\d{2}(?:(?::|%3A)\d{2}(?:\.\d{1,3})?)?Z/g;

function normalise(line: string, repo: Repository, ids: Map<string, string>): string {
  return line
    .replaceAll(TIME, "<time>")
    .replace(/sig=[0-9a-f]{64}/g, "sig=<sig>")
    .replace(/\brepo=\d+/g, "repo=<id>")
    .replace(new RegExp(`${repo.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w.-])`, "g"), "<repo>")
    .replace(/\b\d{4,}\b/g, (id) => ids.get(id) ?? (id === String(repo.id) ? "<repo id>" : id));
}

/** The lines `actual` has beyond `expected` (duplicates and strays) and those it lacks (losses), counted. */
export function stateDifference(expected: string[], actual: string[]): { extra: string[]; missing: string[] } {
  return { extra: leftOver(actual, expected), missing: leftOver(expected, actual) };
}

/** The reference `actual` is closest to, and how it differs from it (nothing when it is one of them). */
export function closest(references: string[][], actual: string[]): { extra: string[]; missing: string[] } {
  return references.map((r) => stateDifference(r, actual)).sort((a, b) => a.extra.length + a.missing.length - (b.extra.length + b.missing.length))[0]!;
}
