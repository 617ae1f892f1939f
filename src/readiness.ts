import type { Probot } from "probot";
import { verifyCredentials, type GitHubCheck } from "./credentials.js";
import type { RepeatedErrors } from "./repeated-errors.js";

/** What `/healthz` and `/readyz` report (the same body; only `/readyz`'s status depends on `ready`). */
export type HealthReport = {
  status: "ok" | "not ready" | "draining";
  /** The process serves HTTP: always true when anyone can read this. */
  alive: true;
  /** Deliveries sent here are taken: not draining, GitHub answered the app's JWT, and Redis (with REDIS_URL) answers PING. */
  ready: boolean;
  draining: boolean;
  /** When not ready: why, in words. */
  reason?: string;
  github: GitHubCheck;
  /** Only with REDIS_URL. */
  redis?: RedisCheck;
};

export type RedisCheck = { reachable: boolean; checkedAt: string; error?: string };

/** A Redis PING, for readiness only; reports its own connection errors through `errors`. */
export type RedisProbe = { ping(): Promise<RedisCheck>; close(): Promise<void> };

export type ReadinessOptions = {
  /** How long a good GitHub answer stands before `/readyz` asks again, and a bad one. */
  githubOkMs?: number;
  githubFailedMs?: number;
  /** How long a Redis PING's result stands: `/readyz` sends at most one PING per this, however often it is asked. */
  redisMs?: number;
  now?: () => number;
};

/** Why Redis down makes a replica unready (REDIS_URL set). */
export const REDIS_DOWN_REASON =
  "Redis (REDIS_URL) does not answer: Probot's GitHub client keeps its rate-limit queue in Redis, so every GitHub request (gate answers, writes, token fetches) waits until Redis is back";

/**
 * Readiness as last seen. `/healthz` (liveness) only reads it, so probing liveness never costs
 * a GitHub request or a Redis PING; `/readyz` refreshes what is stale (GET /app at most every
 * 30 s while it answers, every 5 s while it does not; PING at most every 2 s), one request at a
 * time.
 *
 * With REDIS_URL, Redis not answering makes the replica not ready: Probot's client (the one
 * that answers protection rules and writes everything) throttles through Redis and its requests
 * wait in that queue while Redis is down, so a replica taking deliveries then would accept them
 * (Probot answers 202 after 9 s) and answer nothing.
 */
export class Readiness {
  #draining = false;
  #github: GitHubCheck;
  #githubAsking: Promise<void> | undefined;
  #redis: RedisCheck | undefined;
  #redisAt = 0;
  #redisAsking: Promise<void> | undefined;
  readonly #okMs: number;
  readonly #failedMs: number;
  readonly #redisMs: number;
  readonly #now: () => number;

  constructor(
    private readonly probot: Probot,
    firstCheck: GitHubCheck,
    private readonly redis?: RedisProbe,
    { githubOkMs = 30_000, githubFailedMs = 5_000, redisMs = 2_000, now = Date.now }: ReadinessOptions = {},
  ) {
    this.#github = firstCheck;
    this.#okMs = githubOkMs;
    this.#failedMs = githubFailedMs;
    this.#redisMs = redisMs;
    this.#now = now;
  }

  /** From SIGTERM on: not ready, so the load balancer stops sending deliveries here. */
  drain(): void {
    this.#draining = true;
  }

  /** What is known now; with `refresh`, what is stale is asked again first. */
  async report({ refresh }: { refresh: boolean }): Promise<HealthReport> {
    if (refresh && !this.#draining) await Promise.all([this.#refreshGitHub(), this.#refreshRedis()]);
    // Never asked yet (a liveness probe before the first readiness probe): one PING.
    else if (this.redis && !this.#redis) await this.#refreshRedis();
    const redis = this.redis ? this.#redis : undefined;
    const reason = this.#draining
      ? "shutting down (SIGTERM): new deliveries get 503"
      : !this.#github.reachable
        ? `GitHub did not answer GET /app with the app's JWT${this.#github.error ? ` (${this.#github.error})` : ""}`
        : redis && !redis.reachable
          ? `${REDIS_DOWN_REASON}${redis.error ? ` (${redis.error})` : ""}`
          : undefined;
    const ready = reason === undefined;
    const status = this.#draining ? "draining" : ready ? "ok" : "not ready";
    return { status, alive: true, ready, draining: this.#draining, ...(reason ? { reason } : {}), github: this.#github, ...(redis ? { redis } : {}) };
  }

  async #refreshGitHub(): Promise<void> {
    const age = this.#now() - Date.parse(this.#github.checkedAt);
    if (age < (this.#github.reachable ? this.#okMs : this.#failedMs)) return;
    this.#githubAsking ??= verifyCredentials(this.probot, 5_000)
      .catch((error: unknown): GitHubCheck => ({ reachable: false, checkedAt: new Date(this.#now()).toISOString(), error: error instanceof Error ? error.message : String(error) }))
      .then((check) => void (this.#github = check))
      .finally(() => (this.#githubAsking = undefined));
    await this.#githubAsking;
  }

  async #refreshRedis(): Promise<void> {
    const redis = this.redis;
    if (!redis || (this.#redis && this.#now() - this.#redisAt < this.#redisMs)) return;
    this.#redisAsking ??= redis
      .ping()
      .catch((error: unknown): RedisCheck => ({ reachable: false, checkedAt: new Date(this.#now()).toISOString(), error: error instanceof Error ? error.message : String(error) }))
      .then((check) => {
        this.#redis = check;
        this.#redisAt = this.#now();
      })
      .finally(() => (this.#redisAsking = undefined));
    await this.#redisAsking;
  }
}

/** The little of ioredis the probe uses. */
type ProbeClient = {
  status: string;
  ping(): Promise<string>;
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "ready", listener: () => void): unknown;
  disconnect(): void;
};
type ProbeModule = { Redis: new (url: string, options: Record<string, unknown>) => ProbeClient };

/** ioredis is loaded only when REDIS_URL is set, as the missed-webhook sweep loads it. */
const IOREDIS = "ioredis";

/**
 * A client of its own, so that a PING answers "is Redis there now" without queueing behind
 * anything: no offline queue, no retries per command, a 1 s limit. Its connection errors go to
 * `errors`, which its reconnects also tell when Redis is back.
 */
export async function redisProbe(url: string, errors: RepeatedErrors, timeoutMs = 1_000): Promise<RedisProbe> {
  const { Redis } = (await import(IOREDIS)) as ProbeModule;
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    // Keep trying, calmly: readiness wants to see Redis come back.
    retryStrategy: (times: number) => Math.min(times * 200, 5_000),
  });
  client.on("error", (error) => errors.report(error));
  client.on("ready", () => errors.recovered());
  const checkedAt = () => new Date().toISOString();
  return {
    async ping() {
      if (client.status !== "ready") return { reachable: false, checkedAt: checkedAt(), error: errors.lastMessage || `connection ${client.status}` };
      try {
        await Promise.race([client.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error(`no PONG within ${timeoutMs} ms`)), timeoutMs).unref())]);
        return { reachable: true, checkedAt: checkedAt() };
      } catch (error) {
        return { reachable: false, checkedAt: checkedAt(), error: error instanceof Error ? error.message : String(error) };
      }
    },
    async close() {
      client.disconnect();
    },
  };
}
