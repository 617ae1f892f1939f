import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { lockHeldNow, RedisRepositoryLock } from "../src/coordination/repository-lock.js";
import { redisWritePacing } from "../src/coordination/write-pacing.js";
import { startRedisServer } from "../test/helpers/redis-server.js";
import { percentile } from "./summarize.js";

export type LockCost = { holds: number; takeP50Ms: number; releaseP50Ms: number; checkP50Ms: number; turnP50Ms: number };

const HOLDS = 500;
/** The first holds load Redlock's scripts into Redis: not counted. */
const WARM_UP = 20;

/**
 * What a free repository lock costs by itself: mainline's own lock (src/coordination/repository-lock.ts)
 * over one ioredis connection to a redis-server of its own on loopback, held around no work, one
 * hold after another, in the bench process. Taking it is what a delivery's reply waits for; the
 * release comes after the work. Each write under it adds a check that the lock is still held
 * (src/github/fenced-writes.ts) and, with REDIS_URL, a turn in the shared write pacing
 * (src/coordination/write-pacing.ts, here with no spacing, so only its round trip shows). The
 * repository-lock rows' difference is these plus their noise.
 */
export async function measureLockCost(): Promise<LockCost> {
  const redis = await startRedisServer();
  const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    const lock = new RedisRepositoryLock(client);
    const pacing = redisWritePacing(client, { minSpacingMs: 0 });
    const [take, release, check, turn]: [number[], number[], number[], number[]] = [[], [], [], []];
    for (let i = 0; i < WARM_UP + HOLDS; i++) {
      const asked = performance.now();
      let held = asked;
      let checked = asked;
      await lock.hold(1, async () => {
        held = performance.now();
        await lockHeldNow()!.confirm();
        checked = performance.now();
      });
      const released = performance.now();
      await pacing.turn(1);
      if (i < WARM_UP) continue;
      take.push(held - asked);
      check.push(checked - held);
      release.push(released - checked);
      turn.push(performance.now() - released);
    }
    const p50 = (values: number[]) => percentile(values.sort((a, b) => a - b), 0.5);
    return { holds: HOLDS, takeP50Ms: p50(take), releaseP50Ms: p50(release), checkP50Ms: p50(check), turnP50Ms: p50(turn) };
  } finally {
    client.disconnect();
    await redis.stop();
  }
}
