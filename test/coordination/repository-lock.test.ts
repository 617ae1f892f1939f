import nock from "nock";
import { ProbotOctokit } from "probot";
import { lockExpiryFromEnv, lockHeldNow, LockLost, LockUnavailable, RedisRepositoryLock, repositoryKey } from "../../src/coordination/repository-lock.js";
import type { Octokit } from "../../src/github/client.js";
import { fenceWrites } from "../../src/github/fenced-writes.js";
import { redisSweepLock } from "../../src/coordination/sweep-lock.js";
import { RepositoryQueue } from "../../src/delivery/one-at-a-time.js";
import { redisForTests } from "../helpers/redis-replicas.js";

// The locks against a real redis-server: two "replicas" are two connections, as two processes have.
const redis = redisForTests();
const replica = () => redis.replica();

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A task that notes when it ran, to see whether two overlapped. */
function timed(spans: Array<[number, number]>, ms: number) {
  return async () => {
    const start = performance.now();
    await sleep(ms);
    spans.push([start, performance.now()]);
  };
}

const overlaps = (spans: Array<[number, number]>) => spans.some(([s1, e1], i) => spans.some(([s2], j) => i !== j && s2 > s1 && s2 < e1));

describe("RedisRepositoryLock", () => {
  test("two replicas take turns on one repository and work side by side on two", async () => {
    const [a, b] = [new RedisRepositoryLock(await replica()), new RedisRepositoryLock(await replica())];
    const same: Array<[number, number]> = [];
    await Promise.all([a.hold(1, timed(same, 150)), b.hold(1, timed(same, 150)), a.hold(1, timed(same, 150))]);
    expect(same).toHaveLength(3);
    expect(overlaps(same)).toBe(false);

    const started = performance.now();
    const apart: Array<[number, number]> = [];
    await Promise.all([a.hold(2, timed(apart, 600)), b.hold(3, timed(apart, 600))]);
    expect(performance.now() - started).toBeLessThan(1_100);
  });

  test("work that outlasts the expiry keeps the lock (extended while it runs): the other replica waits until it is done", async () => {
    const [a, b] = [new RedisRepositoryLock(await replica(), { holdMs: 300 }), new RedisRepositoryLock(await replica(), { holdMs: 300 })];
    const spans: Array<[number, number]> = [];
    const first = a.hold(4, timed(spans, 1_000));
    await sleep(50);
    await b.hold(4, timed(spans, 10));
    await first;
    expect(overlaps(spans)).toBe(false);
    expect(spans[1]![0]).toBeGreaterThanOrEqual(spans[0]![1] - 1);
  });

  test("a replica that dies holding the lock frees the repository when the expiry passes, not forever", async () => {
    const dying = await replica();
    await dying.set(repositoryKey(5), "a dead replica's token", "PX", 400);
    dying.disconnect();
    const waited: number[] = [];
    const survivor = new RedisRepositoryLock(await replica(), { waited: (seconds) => waited.push(seconds) });
    const started = performance.now();
    await survivor.hold(5, async () => undefined);
    const ms = performance.now() - started;
    expect(ms).toBeGreaterThan(300);
    expect(ms).toBeLessThan(2_000);
    expect(waited[0]).toBeGreaterThan(0.3);
  });

  test("held by another replica past the wait: the delivery fails (to be redelivered) and its work never runs", async () => {
    const holder = new RedisRepositoryLock(await replica());
    const waiter = new RedisRepositoryLock(await replica(), { waitMs: 200 });
    let ran = false;
    const held = holder.hold(6, () => sleep(600));
    await sleep(30);
    await expect(waiter.hold(6, async () => void (ran = true))).rejects.toThrow(/^the lock mainline:repository:6 stayed held by another replica for 0\.[23] s: failing so the delivery is redelivered$/);
    await held;
    expect(ran).toBe(false);
  });

  test("work queued behind another replica's work that runs past Probot's 202 (9 s) waits its turn, then runs", async () => {
    // One incident's work takes 6 s by itself (Probot spaces an installation's issue and comment
    // creations 3 s apart): a delivery must not fail merely for having come second.
    const [a, b] = [new RepositoryQueue({ across: new RedisRepositoryLock(await replica()) }), new RepositoryQueue({ across: new RedisRepositoryLock(await replica()) })];
    const order: string[] = [];
    let finish: (() => void) | undefined;
    const first = a.run(9, () => new Promise<void>((resolve) => (finish = () => resolve(void order.push("first")))));
    await until(async () => finish !== undefined);
    const second = b.run(9, async () => void order.push("second"));
    const realNow = Date.now;
    await sleep(100);
    // Ten seconds on: the waiter keeps asking for the lock past the 202 (it polls every 25-75 ms).
    Date.now = () => realNow() + 10_000;
    try {
      await sleep(300);
    } finally {
      Date.now = realNow;
    }
    finish!();
    await Promise.all([first, second]);
    expect(order).toEqual(["first", "second"]);
  });

  test("Redis not answering fails at once, without running the work; back again, the lock works", async () => {
    const lock = new RedisRepositoryLock(await replica());
    await redis.stop();
    try {
      let ran = false;
      const started = performance.now();
      const failure = await lock.hold(7, async () => void (ran = true)).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(LockUnavailable);
      expect((failure as Error).message).toMatch(/^the lock mainline:repository:7 could not be asked for in Redis \(.+\): failing so the delivery is redelivered$/);
      expect(performance.now() - started).toBeLessThan(500);
      expect(ran).toBe(false);
    } finally {
      await redis.start();
    }
    await until(async () => (await lock.hold(7, async () => "ran").catch(() => "failed")) === "ran");
  });

  test("a lock is released when its work is done, and when its work fails", async () => {
    const client = await replica();
    const lock = new RedisRepositoryLock(client);
    await lock.hold(8, async () => expect(await client.exists(repositoryKey(8))).toBe(1));
    expect(await client.exists(repositoryKey(8))).toBe(0);
    await expect(lock.hold(8, async () => Promise.reject(new Error("GitHub said 500")))).rejects.toThrow("GitHub said 500");
    expect(await client.exists(repositoryKey(8))).toBe(0);
  });
});

describe("first come, first served across replicas", () => {
  test("a replica that releases and asks again at once does not keep the lock from one that was waiting", async () => {
    const [busy, other] = [new RedisRepositoryLock(await replica()), new RedisRepositoryLock(await replica())];
    const turns: string[] = [];
    // One replica with a backlog of deliveries about the repository: each asks the moment the last one is done.
    const backlog = (async () => {
      for (let i = 0; i < 12; i += 1) await busy.hold(10, async () => void turns.push(`busy ${i}`, ...(await sleep(40).then(() => []))));
    })();
    await sleep(60);
    await other.hold(10, async () => void turns.push("other"));
    await backlog;
    // It asked during the busy replica's second turn: it comes right after it (Redlock alone let the backlog run out first).
    expect(turns.indexOf("other")).toBeLessThanOrEqual(3);
    expect(turns).toHaveLength(13);
  });

  test("waiters take the lock in the order they asked, whichever replica they are on", async () => {
    const [a, b, c] = [new RedisRepositoryLock(await replica()), new RedisRepositoryLock(await replica()), new RedisRepositoryLock(await replica())];
    const order: string[] = [];
    const first = a.hold(11, () => sleep(200));
    await sleep(20);
    const waiting = [c.hold(11, async () => void order.push("c")), sleep(30).then(() => a.hold(11, async () => void order.push("a"))), sleep(60).then(() => b.hold(11, async () => void order.push("b")))];
    await Promise.all([first, ...waiting]);
    expect(order).toEqual(["c", "a", "b"]);
  });

  test("a waiter whose replica died leaves the line after two seconds, not for ever", async () => {
    const client = await replica();
    const line = { line: `${repositoryKey(12)}:line`, seen: `${repositoryKey(12)}:seen` };
    // A ticket at the head of the line whose replica stopped asking just now.
    const [seconds, micros] = await client.time();
    await client.zadd(line.line, 0, "a dead replica's ticket");
    await client.zadd(line.seen, Number(seconds) * 1000 + Math.floor(Number(micros) / 1000), "a dead replica's ticket");
    const started = performance.now();
    await new RedisRepositoryLock(client).hold(12, async () => undefined);
    const ms = performance.now() - started;
    expect(ms).toBeGreaterThan(1_800);
    expect(ms).toBeLessThan(3_000);
    expect(await client.zcard(line.line)).toBe(0);
  });
});

describe("writes under a lock that is gone", () => {
  test("a write under a lock Redis lost (restarted without it) is not sent, nor retried; reads and the next holder are not affected", async () => {
    const client = await replica();
    const octokit = fenceWrites(new (ProbotOctokit.defaults({ throttle: { enabled: false } }))({ auth: "token", request: { retries: 2 } }) as unknown as Octokit);
    const sent: string[] = [];
    nock("https://api.github.com")
      .persist()
      .get("/repos/o/r/issues")
      .reply(200, () => (sent.push("GET"), []))
      .post("/repos/o/r/issues")
      .reply(201, () => (sent.push("POST"), { number: 1 }));
    const lock = new RedisRepositoryLock(client);
    const failure = await lock
      .hold(13, async () => {
        await octokit.request("POST /repos/{owner}/{repo}/issues", { owner: "o", repo: "r", title: "under the lock" });
        // What a Redis restarted without persistence looks like to the holder: its key is gone.
        await client.del(repositoryKey(13));
        await octokit.request("GET /repos/{owner}/{repo}/issues", { owner: "o", repo: "r" });
        await octokit.request("POST /repos/{owner}/{repo}/issues", { owner: "o", repo: "r", title: "after the lock was lost" });
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LockLost);
    expect((failure as Error).message).toBe("the lock mainline:repository:13 is no longer this work's (Redis lost it, or it expired): another replica may be working on the repository");
    expect(sent).toEqual(["POST", "GET"]);
    // Outside a held lock (a gate decision) writes go out as before.
    await octokit.request("POST /repos/{owner}/{repo}/issues", { owner: "o", repo: "r", title: "no lock" });
    expect(sent).toEqual(["POST", "GET", "POST"]);
    nock.cleanAll();
  });

  test("a write queued behind Probot's write spacing while another replica takes the lock is not sent when its turn comes", async () => {
    const [client, other] = [await replica(), await replica()];
    // Probot's own client, its throttling on: the second write waits about a second in its queue.
    const octokit = fenceWrites(new ProbotOctokit({ auth: "token" }) as unknown as Octokit);
    const sent: string[] = [];
    nock("https://api.github.com")
      .persist()
      .post("/repos/o/r/issues/1/comments")
      .reply(201, (_uri, body) => (sent.push((body as { body: string }).body), { id: 1 }));
    const failure = await new RedisRepositoryLock(client)
      .hold(14, async () => {
        await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner: "o", repo: "r", issue_number: 1, body: "first" });
        const second = octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner: "o", repo: "r", issue_number: 1, body: "second" });
        // Redis restarted without the key, and another replica took the lock, while the second write waited its turn.
        await sleep(150);
        await other.set(repositoryKey(14), "another replica's token", "PX", 5_000);
        await second;
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LockLost);
    expect(sent).toEqual(["first"]);
    nock.cleanAll();
  });

  test("an extension that fails once (the connection dropped) does not fail the work while Redis still holds the lock", async () => {
    const client = await redis.replica({ retryStrategy: () => 150 });
    const failed: unknown[] = [];
    await new RedisRepositoryLock(client, { holdMs: 1_500, lost: (_repository, error) => failed.push(error) }).hold(15, async () => {
      // Dropped just before the extension at 500 ms, back about 150 ms later.
      await sleep(450);
      client.disconnect(true);
      await sleep(350);
      expect(failed).toHaveLength(1);
      await expect(lockHeldNow()!.confirm()).resolves.toBeUndefined();
    });
  });

  test("an issue's lock put back, and installation tokens, go out under a lost lock: undoing them half-way would lose state", async () => {
    const client = await replica();
    const octokit = fenceWrites(new (ProbotOctokit.defaults({ throttle: { enabled: false } }))({ auth: "token" }) as unknown as Octokit);
    const sent: string[] = [];
    nock("https://api.github.com")
      .put("/repos/o/r/issues/1/lock")
      .reply(204, () => void sent.push("PUT lock"))
      .post("/app/installations/2/access_tokens")
      .reply(201, () => (sent.push("POST token"), { token: "t", expires_at: "2030-01-01T00:00:00Z" }));
    await new RedisRepositoryLock(client).hold(16, async () => {
      await client.del(repositoryKey(16));
      await octokit.request("PUT /repos/{owner}/{repo}/issues/{issue_number}/lock", { owner: "o", repo: "r", issue_number: 1 });
      await octokit.request("POST /app/installations/{installation_id}/access_tokens", { installation_id: 2 });
    });
    expect(sent).toEqual(["PUT lock", "POST token"]);
    expect(nock.isDone()).toBe(true);
  });
});

describe("redisSweepLock", () => {
  test("one replica sweeps per hold; it is free again when the hold expires or is released", async () => {
    const [a, b] = [redisSweepLock(await replica(), "reminders", 300), redisSweepLock(await replica(), "reminders", 300)];
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    await sleep(350);
    expect(await b.acquire()).toBe(true);
    expect(await a.acquire()).toBe(false);
    await b.release();
    expect(await a.acquire()).toBe(true);
  });

  test("Redis not answering is 'not now', never 'sweep anyway'", async () => {
    const lock = redisSweepLock(await replica(), "deliveries", 300);
    await redis.stop();
    try {
      expect(await lock.acquire()).toBe(false);
    } finally {
      await redis.start();
    }
  });
});

async function until(check: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("not within the time");
    await sleep(50);
  }
}

describe("MAINLINE_LOCK_EXPIRY_SECONDS", () => {
  test.each<[string | undefined, number, string | undefined]>([
    [undefined, 15_000, undefined],
    ["5", 5_000, undefined],
    ["4", 15_000, 'MAINLINE_LOCK_EXPIRY_SECONDS must be a number of seconds from 5 to 300, got "4": using 15 s'],
    ["0.5", 15_000, 'MAINLINE_LOCK_EXPIRY_SECONDS must be a number of seconds from 5 to 300, got "0.5": using 15 s'],
    ["forever", 15_000, 'MAINLINE_LOCK_EXPIRY_SECONDS must be a number of seconds from 5 to 300, got "forever": using 15 s'],
    ["3600", 15_000, 'MAINLINE_LOCK_EXPIRY_SECONDS must be a number of seconds from 5 to 300, got "3600": using 15 s'],
  ])("%s → %i ms", (text, ms, problem) => {
    expect(lockExpiryFromEnv(text === undefined ? {} : { MAINLINE_LOCK_EXPIRY_SECONDS: text })).toEqual(problem ? { ms, problem } : { ms });
  });
});
