import type { Probot } from "probot";
import { verifyCredentials, type GitHubCheck } from "./credentials.js";
import type { RedisCheck } from "./coordination/redis.js";

/** What `/healthz` and `/readyz` report (the same body; only `/readyz`'s status depends on `ready`). */
export type HealthReport = {
  /** `degraded`: ready, but Redis (REDIS_URL) does not answer. */
  status: "ok" | "degraded" | "not ready" | "draining";
  /** The process serves HTTP: always true when anyone can read this. */
  alive: true;
  /** Deliveries sent here are taken: not draining, and GitHub answered the app's JWT. Redis is reported, not required. */
  ready: boolean;
  draining: boolean;
  /** When not ready or degraded: why, in words. */
  reason?: string;
  github: GitHubCheck;
  /** Only with REDIS_URL: whether the replicas' shared Redis answers PING (down: the gate answers, other work is redelivered later). */
  redis?: RedisCheck;
};

export type { RedisCheck } from "./coordination/redis.js";

/** What Redis down means, as `/healthz` says it. */
export const REDIS_DOWN =
  "Redis (REDIS_URL) does not answer: gate decisions go on; work that needs a repository's lock (incidents, records, merge-back items) fails with a 5xx and is redelivered once Redis is back";

/** A Redis PING (coordination/redis.ts). */
export type RedisProbe = { ping(): Promise<RedisCheck> };

export type ReadinessOptions = {
  /** How long a good GitHub answer stands before `/readyz` asks again, and a bad one. */
  githubOkMs?: number;
  githubFailedMs?: number;
  /** How long a Redis PING's result stands: `/readyz` sends at most one PING per this, however often it is asked. */
  redisMs?: number;
  now?: () => number;
};

/**
 * Readiness as last seen. `/healthz` (liveness) never costs a GitHub request, and a Redis PING
 * at most every 2 s; `/readyz` refreshes what is stale (GET /app at most every 30 s while it
 * answers, every 5 s while it does not; PING at most every 2 s), one request at a time.
 *
 * With REDIS_URL, Redis not answering is reported but leaves the replica ready: every replica
 * shares that Redis, so taking them out of the load balancer would stop the gate, which needs no
 * Redis to decide; work that needs a repository's lock fails with a 5xx and is redelivered.
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
    // Redis is asked on liveness too (at most one PING per `redisMs`; none while its connection is
    // down, which is known at once): "`/healthz` says Redis is down" must not wait for a readiness probe.
    if (refresh && !this.#draining) await Promise.all([this.#refreshGitHub(), this.#refreshRedis()]);
    else await this.#refreshRedis();
    const redis = this.redis ? this.#redis : undefined;
    const reason = this.#draining
      ? "shutting down (SIGTERM): new deliveries get 503"
      : !this.#github.reachable
        ? `GitHub did not answer GET /app with the app's JWT${this.#github.error ? ` (${this.#github.error})` : ""}`
        : undefined;
    const ready = reason === undefined;
    const degraded = ready && redis && !redis.reachable ? `${REDIS_DOWN}${redis.error ? ` (${redis.error})` : ""}` : undefined;
    const status = this.#draining ? "draining" : !ready ? "not ready" : degraded ? "degraded" : "ok";
    const why = reason ?? degraded;
    return { status, alive: true, ready, draining: this.#draining, ...(why ? { reason: why } : {}), github: this.#github, ...(redis ? { redis } : {}) };
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
