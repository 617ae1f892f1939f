import type { Redis } from "ioredis";
import Redlock, { ExecutionError, ResourceLockedError, type Lock } from "redlock";

/** Work about one repository held across replicas (RepositoryQueue runs it after its own, local, turn). */
export type AcrossReplicas = {
  /** `waitUntil`: when to give up waiting for another replica (epoch ms); default the lock's own wait. */
  hold<T>(repository: number, task: () => Promise<T>, waitUntil?: number): Promise<T>;
};

export type RepositoryLockOptions = {
  /** The lock's expiry: a replica that dies holding it frees the repository this long after (extended while the work runs). */
  holdMs?: number;
  /** How long a delivery waits for another replica's work on the same repository before it fails (to be redelivered). */
  waitMs?: number;
  /** Told how long each acquisition waited, in seconds (metrics). */
  waited?: (seconds: number) => void;
  /** Told when a lock could not be kept while its work ran (Redis gone, or the expiry passed). */
  lost?: (repository: number, error: unknown) => void;
};

/** MAINLINE_LOCK_EXPIRY_SECONDS: how long a dead replica can hold a repository (1–300, default 15). */
export const DEFAULT_LOCK_EXPIRY_SECONDS = 15;

/** The lock's expiry in ms from the environment; a value that is not a usable number of seconds keeps the default, and says so. */
export function lockExpiryFromEnv(env: NodeJS.ProcessEnv): { ms: number; problem?: string } {
  const text = env.MAINLINE_LOCK_EXPIRY_SECONDS?.trim();
  if (!text) return { ms: DEFAULT_LOCK_EXPIRY_SECONDS * 1000 };
  const seconds = Number(text);
  if (Number.isFinite(seconds) && seconds >= 1 && seconds <= 300) return { ms: Math.round(seconds * 1000) };
  return { ms: DEFAULT_LOCK_EXPIRY_SECONDS * 1000, problem: `MAINLINE_LOCK_EXPIRY_SECONDS must be a number of seconds from 1 to 300, got ${JSON.stringify(text.slice(0, 40))}: using ${DEFAULT_LOCK_EXPIRY_SECONDS} s` };
}

/** Why a delivery failed without doing anything: its repository's lock could not be asked for. */
export class LockUnavailable extends Error {
  override name = "LockUnavailable";
}

/**
 * Work about one repository serialised across replicas with Redlock (the `redlock` package, over
 * the replica's one Redis connection) on `mainline:repository:<id>`. The lock expires after
 * `holdMs` (MAINLINE_LOCK_EXPIRY_SECONDS) and is extended every third of it while the work runs, so a replica killed mid-delivery holds the
 * repository for seconds, not forever. A lock held by another replica is waited for (briefly
 * polled, up to `waitMs`); Redis not answering fails at once, so the delivery gets a 5xx and
 * the redelivery sweep brings it back when Redis is.
 */
export class RedisRepositoryLock implements AcrossReplicas {
  readonly #redlock: Redlock;
  readonly #holdMs: number;
  readonly #waitMs: number;

  constructor(
    client: Redis,
    private readonly options: RepositoryLockOptions = {},
  ) {
    // Held-or-not is decided here, so that waiting and failing differ.
    this.#redlock = oneAttemptRedlock(client);
    this.#holdMs = options.holdMs ?? DEFAULT_LOCK_EXPIRY_SECONDS * 1000;
    this.#waitMs = options.waitMs ?? 60_000;
  }

  async hold<T>(repository: number, task: () => Promise<T>, waitUntil?: number): Promise<T> {
    const started = Date.now();
    let lock = await this.#acquire(repositoryKey(repository), started, waitUntil ?? started + this.#waitMs);
    this.options.waited?.((Date.now() - started) / 1000);
    let extending: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      extending = lock.extend(this.#holdMs).then(
        (extended) => void (lock = extended),
        (error: unknown) => this.options.lost?.(repository, error),
      );
    }, this.#holdMs / 3);
    try {
      return await task();
    } finally {
      clearInterval(timer);
      await extending;
      // A release that fails leaves the key to expire: the work is done either way.
      await lock.release().catch(() => undefined);
    }
  }

  async #acquire(key: string, started: number, deadline: number): Promise<Lock> {
    for (;;) {
      try {
        return await this.#redlock.acquire([key], this.#holdMs);
      } catch (error) {
        if (!(await heldByAnother(error))) throw new LockUnavailable(`the lock ${key} could not be asked for in Redis (${await firstCause(error)}): failing so the delivery is redelivered`);
        if (Date.now() >= deadline) throw new LockUnavailable(`the lock ${key} stayed held by another replica for ${((Date.now() - started) / 1000).toFixed(1)} s: failing so the delivery is redelivered`);
        await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 50));
      }
    }
  }
}

/** Redlock over one connection, one attempt per call: its callers decide whether to wait, give up or try later. */
export function oneAttemptRedlock(client: Redis): Redlock {
  const redlock = new Redlock([client], { retryCount: 0, retryDelay: 0, retryJitter: 0 });
  // Every attempt's failure is also emitted; each is handled where it is thrown.
  redlock.on("error", () => undefined);
  return redlock;
}

export function repositoryKey(repository: number): string {
  return `mainline:repository:${repository}`;
}

/** Redlock's one attempt failed because the key is taken (not because Redis did not answer). */
async function heldByAnother(error: unknown): Promise<boolean> {
  if (!(error instanceof ExecutionError)) return false;
  const causes = await causesOf(error);
  return causes.length > 0 && causes.every((cause) => cause instanceof ResourceLockedError);
}

async function firstCause(error: unknown): Promise<string> {
  const [cause] = error instanceof ExecutionError ? await causesOf(error) : [error];
  return cause instanceof Error ? cause.message : String(cause);
}

async function causesOf(error: ExecutionError): Promise<unknown[]> {
  const stats = await Promise.all(error.attempts);
  return stats.flatMap((attempt) => [...attempt.votesAgainst.values()]);
}
