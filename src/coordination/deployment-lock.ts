import type { Redis } from "ioredis";
import type { Lock } from "redlock";
import { redisKeys } from "../public-names.js";
import { firstCause, heldByAnother, oneAttemptRedlock } from "./repository-lock.js";

/**
 * What is written about one deployment, written by one replica at a time: the same
 * `deployment.created` on two replicas at once would otherwise both read "no failure status yet"
 * and both write one. Never fails for the lock's sake: the write it guards must happen.
 */
export type DeploymentLock = {
  hold<T>(deployment: number, task: () => Promise<T>): Promise<T>;
};

/** Without Redis there is one process, and its deliveries of one deployment follow each other. */
export const NO_DEPLOYMENT_LOCK: DeploymentLock = { hold: (_deployment, task) => task() };

export type DeploymentLockOptions = {
  /** The lock's expiry: longer than any write it guards, so a live holder keeps it to the end. */
  holdMs?: number;
  /**
   * How long a replica waits for another's write about the same deployment before it writes
   * anyway: longer than that write may wait for its turn in the shared write pacing (5 s), so a
   * paced write is not taken for a lost one.
   */
  waitMs?: number;
  /** Told when `task` runs without the lock (Redis not answering, or held past the wait), and why. */
  unheld?: (deployment: number, why: string) => void;
};

/**
 * A Redlock lock (over the replica's one Redis connection) on `mainline:deployment:<id>`: not the
 * repository's lock, so a gate's write waits for nothing but another replica's write about the
 * same deployment, which takes under a second unless the installation's writes are queued. The wait is bounded (`waitMs`), and Redis not
 * answering (each command fails within the connection's own time limit) lets the task run at
 * once: a second failure status is harmless, a missing one lets a refused deploy through.
 * Deployment ids are unique across GitHub, so one key names one deployment whatever the repository.
 */
export function redisDeploymentLock(client: Redis, { holdMs = 10_000, waitMs = 6_000, unheld }: DeploymentLockOptions = {}): DeploymentLock {
  const redlock = oneAttemptRedlock(client);
  async function acquire(deployment: number): Promise<Lock | undefined> {
    const key = deploymentKey(deployment);
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        return await redlock.acquire([key], holdMs);
      } catch (error) {
        if (!(await heldByAnother(error))) {
          unheld?.(deployment, `the lock ${key} could not be asked for in Redis (${await firstCause(error)}): writing without it`);
          return undefined;
        }
        if (Date.now() >= deadline) {
          unheld?.(deployment, `the lock ${key} stayed held by another replica for ${(waitMs / 1000).toFixed(1)} s: writing without it`);
          return undefined;
        }
        await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 50));
      }
    }
  }
  return {
    async hold(deployment, task) {
      const lock = await acquire(deployment);
      try {
        return await task();
      } finally {
        // A release that fails leaves the key to expire: the write is done either way.
        await lock?.release().catch(() => undefined);
      }
    },
  };
}

export function deploymentKey(deployment: number): string {
  return redisKeys.deployment(deployment);
}
