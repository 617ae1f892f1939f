import type { Redis } from "ioredis";
import type { Lock } from "redlock";
import { redisKeys } from "../public-names.js";
import { oneAttemptRedlock } from "./repository-lock.js";

/** Who may sweep now: with several replicas, one at a time. */
export type SweepLock = { acquire(): Promise<boolean>; release(): Promise<void> };

/** Without Redis this replica takes itself to be the only one. */
export const NO_SWEEP_LOCK: SweepLock = { acquire: async () => true, release: async () => undefined };

/**
 * A sweep's turn across replicas: a Redlock lock (`redlock`, over the replica's one Redis
 * connection) on `mainline:sweep:<name>`, taken without waiting and held `holdMs`, so that a
 * replica whose next tick comes finds it free again and one that died frees it in time. Redis
 * not answering counts as "not now": the sweep waits for Redis rather than running on every
 * replica at once.
 */
export function redisSweepLock(client: Redis, name: string, holdMs: number): SweepLock {
  const redlock = oneAttemptRedlock(client);
  let held: Lock | undefined;
  return {
    async acquire() {
      try {
        held = await redlock.acquire([redisKeys.sweep(name)], holdMs);
        return true;
      } catch {
        return false;
      }
    },
    async release() {
      const lock = held;
      held = undefined;
      await lock?.release().catch(() => undefined);
    },
  };
}
