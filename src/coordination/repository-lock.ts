import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import Redlock, { ExecutionError, ResourceLockedError, type Lock } from "redlock";
import { durationFromEnv, type EnvDuration } from "../env-duration.js";
import { redisKeys } from "../public-names.js";
import { redisWaitingLine, type WaitingLine } from "./waiting-line.js";

/** Work about one repository held across replicas (RepositoryQueue runs it after its own, local, turn). */
export type AcrossReplicas = {
  hold<T>(repository: number, task: () => Promise<T>): Promise<T>;
};

export type RepositoryLockOptions = {
  /** The lock's expiry: a replica that dies holding it frees the repository this long after (extended while the work runs). */
  holdMs?: number;
  /** How long a delivery waits for another replica's work on the same repository before it fails (to be redelivered). */
  waitMs?: number;
  /** Told how long each acquisition waited, in seconds (metrics). */
  waited?: (seconds: number) => void;
  /** Told when a lock could not be extended while its work ran (Redis gone, or the expiry passed); its next write finds out whether it is still held. */
  lost?: (repository: number, error: unknown) => void;
};

/**
 * MAINLINE_LOCK_EXPIRY_SECONDS: how long a dead replica can hold a repository (5–300, default 15).
 * Writes need a third of it left, so a shorter one would fail work on ordinary event-loop lag.
 */
export const DEFAULT_LOCK_EXPIRY_SECONDS = 15;

/** The lock's expiry in ms from the environment; a value that is not a usable number of seconds keeps the default, and says so. */
export function lockExpiryFromEnv(env: NodeJS.ProcessEnv): EnvDuration {
  return durationFromEnv(env, "MAINLINE_LOCK_EXPIRY_SECONDS", { unit: "s", min: 5, max: 300, fallback: DEFAULT_LOCK_EXPIRY_SECONDS });
}

/** Why a delivery failed without doing anything: its repository's lock could not be asked for. */
export class LockUnavailable extends Error {
  override name = "LockUnavailable";
}

/** Why a write was not sent: the lock its work held is gone, or about to be, so another replica may be working on the repository. */
export class LockLost extends Error {
  override name = "LockLost";
}

/**
 * The repository lock the running work holds. GitHub takes no fencing token, so the nearest a
 * replica can come to one is to ask before each write whether the lock is still its own, with
 * time to spare: a write goes out only while Redis holds this lock's value with at least a
 * third of its expiry left.
 */
export type Holding = {
  /** Throws LockLost unless Redis still holds this lock, with a third of its expiry left. */
  confirm(): Promise<void>;
};

const holdings = new AsyncLocalStorage<Holding>();

/** The lock held by the work running now (undefined outside a held turn, and without REDIS_URL). */
export function lockHeldNow(): Holding | undefined {
  return holdings.getStore();
}

// The lock's value and what is left of its expiry, in one step; -1 when the key holds another value or none.
const LEFT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PTTL', KEYS[1]) end
return -1
`;

type LeftCommand = { mainlineLockLeft(key: string, value: string): Promise<number> };

/**
 * Work about one repository serialised across replicas with Redlock (the `redlock` package, over
 * the replica's one Redis connection) on `mainline:repository:<id>`, first come first served
 * (waiting-line.ts). The lock expires after `holdMs` (MAINLINE_LOCK_EXPIRY_SECONDS) and is
 * extended every third of it while the work runs, so a replica killed mid-delivery holds the
 * repository for seconds, not forever; each write the work makes checks the lock is still held
 * (Holding). A lock held by another replica is waited for (polled, up to `waitMs`); Redis not
 * answering fails at once, so the delivery gets a 5xx and the redelivery sweep brings it back
 * when Redis is.
 */
export class RedisRepositoryLock implements AcrossReplicas {
  readonly #redlock: Redlock;
  readonly #line: WaitingLine;
  readonly #client: Redis & LeftCommand;
  readonly #holdMs: number;
  readonly #waitMs: number;

  constructor(
    client: Redis,
    private readonly options: RepositoryLockOptions = {},
  ) {
    // Held-or-not is decided here, so that waiting and failing differ.
    this.#redlock = oneAttemptRedlock(client);
    this.#line = redisWaitingLine(client);
    if (!("mainlineLockLeft" in client)) client.defineCommand("mainlineLockLeft", { numberOfKeys: 1, lua: LEFT });
    this.#client = client as Redis & LeftCommand;
    this.#holdMs = options.holdMs ?? DEFAULT_LOCK_EXPIRY_SECONDS * 1000;
    this.#waitMs = options.waitMs ?? 60_000;
  }

  async hold<T>(repository: number, task: () => Promise<T>): Promise<T> {
    const started = Date.now();
    const key = repositoryKey(repository);
    let lock = await this.#acquire(repository, started, started + this.#waitMs);
    this.options.waited?.((Date.now() - started) / 1000);
    // Kept apart from `lock`: Redlock zeroes a lock's expiration while it extends it.
    let expiresAt = lock.expiration;
    let extending: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      extending = lock.extend(this.#holdMs).then(
        (extended) => {
          lock = extended;
          expiresAt = extended.expiration;
        },
        // Not taken as lost: a connection that failed once may be back by the next write, whose check asks Redis.
        (error: unknown) => this.options.lost?.(repository, error),
      );
    }, this.#holdMs / 3);
    const spare = this.#holdMs / 3;
    const value = lock.value;
    const holding: Holding = {
      confirm: async () => {
        const known = expiresAt - Date.now();
        if (known < spare) throw new LockLost(`the lock ${key} expires in ${Math.max(0, Math.round(known))} ms: too close to write under it`);
        let left: number;
        try {
          left = await this.#client.mainlineLockLeft(key, value);
        } catch (error) {
          throw new LockLost(`Redis did not confirm the lock ${key} (${messageOf(error)})`);
        }
        if (left < 0) throw new LockLost(`the lock ${key} is no longer this work's (Redis lost it, or it expired): another replica may be working on the repository`);
        if (left < spare) throw new LockLost(`the lock ${key} expires in ${left} ms: too close to write under it`);
      },
    };
    try {
      return await holdings.run(holding, task);
    } finally {
      clearInterval(timer);
      await extending;
      // A release that fails leaves the key to expire: the work is done either way.
      await lock.release().catch(() => undefined);
    }
  }

  async #acquire(repository: number, started: number, deadline: number): Promise<Lock> {
    const key = repositoryKey(repository);
    const ticket = randomUUID();
    try {
      for (;;) {
        let first: boolean;
        try {
          first = await this.#line.first(repository, ticket);
        } catch (error) {
          throw new LockUnavailable(`the lock ${key} could not be asked for in Redis (${messageOf(error)}): failing so the delivery is redelivered`);
        }
        if (first) {
          try {
            return await this.#redlock.acquire([key], this.#holdMs);
          } catch (error) {
            if (!(await heldByAnother(error))) throw new LockUnavailable(`the lock ${key} could not be asked for in Redis (${await firstCause(error)}): failing so the delivery is redelivered`);
          }
        }
        if (Date.now() >= deadline) throw new LockUnavailable(`the lock ${key} stayed held by another replica for ${((Date.now() - started) / 1000).toFixed(1)} s: failing so the delivery is redelivered`);
        await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 50));
      }
    } finally {
      // Not awaited: the next in line sees it gone on its next poll; a lost reply only lets the ticket go stale.
      this.#line.leave(repository, ticket).catch(() => undefined);
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
  return redisKeys.repository(repository);
}

/** Redlock's one attempt failed because the key is taken (not because Redis did not answer). */
export async function heldByAnother(error: unknown): Promise<boolean> {
  if (!(error instanceof ExecutionError)) return false;
  const causes = await causesOf(error);
  return causes.length > 0 && causes.every((cause) => cause instanceof ResourceLockedError);
}

/** What stopped Redlock's one attempt, as a message for the log. */
export async function firstCause(error: unknown): Promise<string> {
  const [cause] = error instanceof ExecutionError ? await causesOf(error) : [error];
  return messageOf(cause);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function causesOf(error: ExecutionError): Promise<unknown[]> {
  const stats = await Promise.all(error.attempts);
  return stats.flatMap((attempt) => [...attempt.votesAgainst.values()]);
}
