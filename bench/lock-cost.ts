import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { RedisRepositoryLock } from "../src/coordination/repository-lock.js";
import { startRedisServer } from "../test/helpers/redis-server.js";
import { percentile } from "./summarize.js";

export type LockCost = { holds: number; takeP50Ms: number; releaseP50Ms: number };

const HOLDS = 500;
/** The first holds load Redlock's scripts into Redis: not counted. */
const WARM_UP = 20;

/**
 * What a free repository lock costs by itself: mainline's own lock (src/coordination/repository-lock.ts)
 * over one ioredis connection to a redis-server of its own on loopback, held around no work, one
 * hold after another, in the bench process. Taking it is what a delivery's reply waits for; the
 * release comes after the work. The repository-lock rows' difference is this plus their noise.
 */
export async function measureLockCost(): Promise<LockCost> {
  const redis = await startRedisServer();
  const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    const lock = new RedisRepositoryLock(client);
    const take: number[] = [];
    const release: number[] = [];
    for (let i = 0; i < WARM_UP + HOLDS; i++) {
      const asked = performance.now();
      let held = asked;
      await lock.hold(1, async () => void (held = performance.now()));
      if (i < WARM_UP) continue;
      take.push(held - asked);
      release.push(performance.now() - held);
    }
    const p50 = (values: number[]) => percentile(values.sort((a, b) => a - b), 0.5);
    return { holds: HOLDS, takeP50Ms: p50(take), releaseP50Ms: p50(release) };
  } finally {
    client.disconnect();
    await redis.stop();
  }
}
