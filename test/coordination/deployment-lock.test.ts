import { deploymentKey, NO_DEPLOYMENT_LOCK, redisDeploymentLock, type DeploymentLockOptions } from "../../src/coordination/deployment-lock.js";
import { redisForTests } from "../helpers/redis-replicas.js";

// The deployment lock against a real redis-server: two "replicas" are two connections, as two processes have.
const redis = redisForTests();
const replica = () => redis.replica();

async function lockOf(options: DeploymentLockOptions = {}) {
  const told: string[] = [];
  const lock = redisDeploymentLock(await replica(), { unheld: (deployment, why) => told.push(`${deployment}: ${why}`), ...options });
  return { lock, told };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** markDeploymentRefused's shape: read the statuses, write one when none is there yet. */
function refusal(statuses: string[], who: string, ms: number) {
  return async () => {
    const none = statuses.length === 0;
    await sleep(ms);
    if (none) statuses.push(who);
  };
}

type Span = [number, number];

function timed(spans: Span[], ms: number) {
  return async () => {
    const start = performance.now();
    await sleep(ms);
    spans.push([start, performance.now()]);
  };
}

const overlaps = (spans: Span[]) => spans.some(([s1, e1], i) => spans.some(([s2], j) => i !== j && s2 >= s1 && s2 < e1));

describe("redisDeploymentLock", () => {
  test("two replicas refusing one deployment run one after the other: the second reads the first's status and writes nothing", async () => {
    const [a, b] = [await lockOf(), await lockOf()];
    const spans: Span[] = [];
    const statuses: string[] = [];
    await Promise.all([
      a.lock.hold(1, async () => (await refusal(statuses, "a", 150)(), await timed(spans, 0)())),
      b.lock.hold(1, async () => (await refusal(statuses, "b", 150)(), await timed(spans, 0)())),
    ]);
    expect(statuses).toHaveLength(1);

    const turns: Span[] = [];
    await Promise.all([a.lock.hold(2, timed(turns, 150)), b.lock.hold(2, timed(turns, 150)), a.lock.hold(2, timed(turns, 150))]);
    expect(turns).toHaveLength(3);
    expect(overlaps(turns)).toBe(false);
    expect([...a.told, ...b.told]).toEqual([]);
  });

  test("without the lock (one process's NO_DEPLOYMENT_LOCK on two replicas) the same race writes twice", async () => {
    const statuses: string[] = [];
    await Promise.all([NO_DEPLOYMENT_LOCK.hold(3, refusal(statuses, "a", 100)), NO_DEPLOYMENT_LOCK.hold(3, refusal(statuses, "b", 100))]);
    expect(statuses).toHaveLength(2);
  });

  test("two deployments are refused side by side", async () => {
    const [a, b] = [await lockOf(), await lockOf()];
    const started = performance.now();
    const spans: Span[] = [];
    await Promise.all([a.lock.hold(4, timed(spans, 600)), b.lock.hold(5, timed(spans, 600))]);
    expect(overlaps(spans)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_100);
  });

  test("the repository's lock is another key: a refusal never waits for repository work", async () => {
    const { lock, told } = await lockOf();
    const other = await replica();
    await other.set("mainline:repository:6", "repository work on another replica", "PX", 5_000);
    const started = performance.now();
    await lock.hold(6, async () => undefined);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(told).toEqual([]);
  });

  test("held by another replica past the wait (a replica that died holding it): the write goes ahead after the wait, and says so", async () => {
    const { lock, told } = await lockOf({ waitMs: 300 });
    const dying = await replica();
    await dying.set(deploymentKey(7), "a dead replica's token", "PX", 10_000);
    let ran = false;
    const started = performance.now();
    await lock.hold(7, async () => void (ran = true));
    const ms = performance.now() - started;
    expect(ran).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(1_500);
    expect(told).toEqual(["7: the lock mainline:deployment:7 stayed held by another replica for 0.3 s: writing without it"]);
  });

  test("the default wait is bounded at about 6 s (longer than a paced write waits for its turn)", async () => {
    const { lock, told } = await lockOf();
    await (await replica()).set(deploymentKey(8), "held", "PX", 20_000);
    const started = performance.now();
    await lock.hold(8, async () => undefined);
    const ms = performance.now() - started;
    expect(ms).toBeGreaterThanOrEqual(5_990);
    expect(ms).toBeLessThan(7_500);
    expect(told).toHaveLength(1);
  });

  test("the lock is released when the write fails, and the failure is the write's", async () => {
    const [a, b] = [await lockOf(), await lockOf()];
    await expect(a.lock.hold(9, async () => Promise.reject(new Error("GitHub said 502")))).rejects.toThrow("GitHub said 502");
    const started = performance.now();
    await b.lock.hold(9, async () => undefined);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(b.told).toEqual([]);
  });

  test("Redis stopped: the write runs at once, without the lock, and says why; back again, the lock works", async () => {
    const { lock, told } = await lockOf();
    await redis.stop();
    try {
      let ran = false;
      const started = performance.now();
      await lock.hold(10, async () => void (ran = true));
      expect(ran).toBe(true);
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(told).toHaveLength(1);
      expect(told[0]).toMatch(/^10: the lock mainline:deployment:10 could not be asked for in Redis \(.+\): writing without it$/);
    } finally {
      await redis.start();
    }
    const deadline = Date.now() + 10_000;
    for (;;) {
      told.length = 0;
      await lock.hold(10, async () => undefined);
      if (told.length === 0) break;
      if (Date.now() > deadline) throw new Error(`the lock did not come back with Redis: ${told.join("; ")}`);
      await sleep(100);
    }
    const [a, b] = [lock, (await lockOf()).lock];
    const statuses: string[] = [];
    await Promise.all([a.hold(11, refusal(statuses, "a", 100)), b.hold(11, refusal(statuses, "b", 100))]);
    expect(statuses).toHaveLength(1);
  });
});
