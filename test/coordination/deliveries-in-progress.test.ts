import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { Probot, ProbotOctokit } from "probot";
import { heartbeatTimeoutFromEnv, inProgressKeys, redisDeliveriesInProgress, type DeliveriesInProgress } from "../../src/coordination/deliveries-in-progress.js";
import { sweepDeliveriesOnce } from "../../src/delivery-sweep.js";
import { planRedeliveries } from "../../src/policy/redelivery.js";
import { Deliveries } from "../../src/shutdown.js";
import { GitHubTestServer } from "../helpers/github-server.js";
import { PRIVATE_KEY, PUBLIC_KEY } from "../helpers/keys.js";
import { capturedLogger } from "../helpers/log-capture.js";
import { redisForTests } from "../helpers/redis-replicas.js";
import { startRedisServer } from "../helpers/redis-server.js";
import { sign, WEBHOOK_SECRET } from "../helpers/start-app.js";
import { testProbot } from "../helpers/test-app.js";

// The replicas' journal of deliveries in progress against a real redis-server: two "replicas" are
// two connections, as two processes have. Then the same journal where it is used: behind Probot's
// webhook middleware (src/shutdown.ts), and read by the missed-webhook sweep against the loopback GitHub.
const redis = redisForTests();
/** As coordination/redis.ts's, 1.5 s per command; connected at once, given back even if that fails. */
const connection = (url = redis.url) => redis.replica({ commandTimeout: 1_500, lazyConnect: true }, url);

/** The app of the loopback GitHub (its id 123), and another app sharing the same Redis. */
const APP = 123;
const OTHER_APP = 456;
const { journal: IN_PROGRESS_KEY, states: STATE_KEY } = inProgressKeys(APP);
const clear = async () => (await connection()).del(IN_PROGRESS_KEY, STATE_KEY, ...Object.values(inProgressKeys(OTHER_APP)));

/** `url` null: a connection to a Redis that is down (never connected: as coordination/redis.ts's is while it retries). */
async function journal(replica: string, heartbeatTimeoutMs = 3_000, more: { keepMs?: number; url?: string | null; appId?: number } = {}): Promise<DeliveriesInProgress & { client: Redis }> {
  const client = more.url === null ? new Redis({ lazyConnect: true, enableOfflineQueue: false }) : await connection(more.url);
  const made = redisDeliveriesInProgress(client, more.appId ?? APP, { replica, heartbeatTimeoutMs, ...(more.keepMs ? { keepMs: more.keepMs } : {}) });
  return Object.assign(made, { client });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let guids = 0;
const guid = () => `guid-${++guids}-${Date.now()}`;

/** The journal as a sweep reads it, one line per entry: `guid state replica github`. */
async function entries(j: DeliveriesInProgress): Promise<string[]> {
  const read = await j.read();
  return (read?.work ?? []).map((w) => [w.guid, w.state, w.replica, w.github].filter(Boolean).join(" ")).sort();
}

/** Waits until the commands sent so far on `j`'s connection have run (they run in order). */
const flushed = (j: { client: Redis }) => j.client.ping();

describe("the journal", () => {
  beforeEach(clear);

  test("a delivery is noted as it starts, with its replica, and forgotten once its work is done", async () => {
    const a = await journal("pod-a");
    const g = guid();
    const run = a.started(g);
    await flushed(a);
    expect(await entries(a)).toEqual([`${g} running pod-a`]);
    await run.finished();
    expect(await entries(a)).toEqual([]);
    a.stop();
  });

  test("a failure before the 202 is forgotten (GitHub records it failed, the sweep finds it there); after the 202 it is kept as unfinished", async () => {
    const a = await journal("pod-a");
    const [before, after] = [guid(), guid()];
    const [one, other] = [a.started(before), a.started(after)];
    await flushed(a);
    expect(await one.failed(false)).toBe(false);
    expect(await other.failed(true)).toBe(true);
    expect(await entries(a)).toEqual([`${after} unfinished pod-a accepted`]);
    a.stop();
  });

  test("a redelivery of unfinished work owes it: failing even before its 202 keeps it unfinished, since GitHub counts the event delivered already", async () => {
    const [a, b] = [await journal("pod-a"), await journal("pod-b")];
    const g = guid();
    await a.started(g).failed(true);
    const again = b.started(g);
    await flushed(b);
    expect(await entries(b)).toEqual([`${g} running pod-b`]);
    expect(await again.failed(false)).toBe(true);
    expect(await entries(b)).toEqual([`${g} unfinished pod-b refused`]);
    a.stop();
    b.stop();
  });

  test("a run changes only its own entry: the first run ending does not clear a redelivery running on another replica", async () => {
    const [a, b] = [await journal("pod-a"), await journal("pod-b")];
    const g = guid();
    const first = a.started(g);
    await flushed(a);
    const second = b.started(g);
    await flushed(b);
    await first.finished();
    expect(await first.failed(true)).toBe(false);
    expect(await entries(a)).toEqual([`${g} running pod-b`]);
    await second.finished();
    expect(await entries(a)).toEqual([]);
    a.stop();
    b.stop();
  });

  test("one journal per app, its keys named with the app id: an app sharing the Redis sees none of another's entries", async () => {
    const [a, b] = [await journal("pod-a"), await journal("pod-b", 3_000, { appId: OTHER_APP })];
    const [g, h] = [guid(), guid()];
    await a.started(g).failed(true);
    b.started(h);
    await flushed(b);
    expect(await entries(a)).toEqual([`${g} unfinished pod-a accepted`]);
    expect(await entries(b)).toEqual([`${h} running pod-b`]);
    expect(await a.client.exists(`mainline:deliveries:in-progress:${APP}`, `mainline:deliveries:in-progress:${APP}:state`)).toBe(2);
    expect(await a.client.hkeys(`mainline:deliveries:in-progress:${OTHER_APP}:state`)).toEqual([h]);
    // Nor can it settle them: the other app's sweep marks nothing of this one's.
    const mine = (await a.read())!.work;
    expect([...(await b.settle(mine.map((work) => ({ work, to: "forgotten" as const }))))!]).toEqual([]);
    expect(await entries(a)).toEqual([`${g} unfinished pod-a accepted`]);
    a.stop();
    b.stop();
  });

  test("a run that ends while the connection is reconnecting: its end is sent once it is ready again, so a finished delivery is not redelivered", async () => {
    const a = await journal("pod-a", 30_000);
    const [done, failed, running] = [guid(), guid(), guid()];
    const [one, other] = [a.started(done), a.started(failed)];
    a.started(running);
    await flushed(a);
    const closed = new Promise((resolve) => a.client.once("close", resolve));
    a.client.disconnect(true);
    await closed;
    expect(a.client.status).not.toBe("ready");
    await one.finished();
    expect(await other.failed(true)).toBe(false); // not noted (yet): the shutdown's line says so
    await new Promise((resolve) => a.client.once("ready", resolve));
    await sleep(200);
    // At once (the heartbeat, every 5 s here, has not come yet), and the run still going is untouched.
    expect(await entries(a)).toEqual([`${failed} unfinished pod-a accepted`, `${running} running pod-a`].sort());
    a.stop();
  });

  test("a slow replica's run that finishes clears its event's entry, even once a sweep asked for it again and that redelivery failed before its 202", async () => {
    const [slow, b, sweeper] = [await journal("pod-slow", 30_000), await journal("pod-b", 30_000), await journal("sweeper")];
    const [g, h] = [guid(), guid()];
    const [first, second] = [slow.started(g), slow.started(h)];
    await flushed(slow);
    // A sweep took both for lost (the replica stalled past the timeout, say) and asked GitHub for them again.
    const read = (await sweeper.read())!;
    expect([...(await sweeper.settle(read.work.map((work) => ({ work, to: "asked" as const }))))!].sort()).toEqual([g, h].sort());
    // g's redelivery reached another replica, refused before its 202 (owed: GitHub counts the event delivered).
    expect(await b.started(g).failed(false)).toBe(true);
    expect(await entries(sweeper)).toEqual([`${g} unfinished pod-b refused`, `${h} asked`].sort());
    // The slow runs then finish the work: nothing is left to redeliver, and no "did not finish" later.
    await first.finished();
    await second.finished();
    expect(await entries(sweeper)).toEqual([]);
    slow.stop();
    b.stop();
  });

  test("a run that finishes leaves another run's running entry while its heartbeat is fresh, and clears it once that replica is silent past the timeout", async () => {
    const [a, b] = [await journal("pod-a", 3_000), await journal("pod-b", 3_000)];
    const g = guid();
    const [first, second] = [a.started(g), a.started(g)];
    await flushed(a);
    b.started(g);
    await flushed(b);
    b.client.disconnect(); // pod-b dies while redelivering it
    await first.finished();
    expect(await entries(a)).toEqual([`${g} running pod-b`]);
    await sleep(3_100);
    await second.finished();
    expect(await entries(a)).toEqual([]);
    a.stop();
    b.stop();
  });

  test("heartbeats on Redis's clock: a live replica's entry stays fresh past the timeout; a dead one's is due after it", async () => {
    const [live, dead] = [await journal("pod-live", 3_000), await journal("pod-dead", 3_000)];
    const [g1, g2] = [guid(), guid()];
    live.started(g1);
    dead.started(g2);
    await flushed(live);
    await flushed(dead);
    // SIGKILL, as far as Redis can tell: the connection goes, and no heartbeat comes again.
    dead.client.disconnect();
    await sleep(3_300);
    const read = (await live.read())!;
    const [time] = await live.client.time();
    // The read tells Redis's time, which the policy compares the heartbeats with (replica clocks may be skewed).
    expect(Math.abs(read.now - Number(time) * 1000)).toBeLessThan(1_500);
    const ages = Object.fromEntries(read.work.map((w) => [w.replica, read.now - w.at]));
    expect(ages["pod-live"]).toBeLessThan(1_500);
    expect(ages["pod-dead"]).toBeGreaterThanOrEqual(3_000);
    const plan = planRedeliveries({
      deliveries: [g1, g2].map((g, i) => ({ id: i + 1, guid: g, delivered_at: new Date().toISOString(), redelivery: false, status: "OK", status_code: 202, event: "issues", action: "labeled" })),
      now: new Date(),
      lookbackMs: 3_600_000,
      intervalMs: 600_000,
      inProgress: { ...read, heartbeatTimeoutMs: 3_000 },
    });
    expect(plan.redeliver.map(({ row }) => row.guid)).toEqual([g2]);
    live.stop();
    dead.stop();
  });

  test("the sweep's marks apply only to entries unchanged since it read them", async () => {
    const [a, sweeper] = [await journal("pod-a", 3_000), await journal("sweeper")];
    const [beating, failed] = [guid(), guid()];
    a.started(beating);
    await a.started(failed).failed(true);
    const read = (await sweeper.read())!;
    await sleep(1_200); // a heartbeat of `beating` meanwhile
    const changed = await sweeper.settle(read.work.map((work) => ({ work, to: "asked" as const })));
    expect([...changed!]).toEqual([failed]);
    expect(await entries(sweeper)).toEqual([`${beating} running pod-a`, `${failed} asked`]);
    // The redelivery's run starts: it owes the work, and ends it.
    const redelivered = a.started(failed);
    await flushed(a);
    expect(await entries(sweeper)).toEqual([`${beating} running pod-a`, `${failed} running pod-a`]);
    await redelivered.finished();
    expect(await entries(sweeper)).toEqual([`${beating} running pod-a`]);
    a.stop();
    const forget = (await sweeper.read())!.work;
    expect([...(await sweeper.settle(forget.map((work) => ({ work, to: "forgotten" as const }))))!]).toEqual([beating]);
    expect(await entries(sweeper)).toEqual([]);
  });

  test("bounded: entries older than the keep time go as new ones come, and the keys expire that long after the last write", async () => {
    const a = await journal("pod-a", 30_000, { keepMs: 1_000 });
    const [old, middle, fresh] = [guid(), guid(), guid()];
    await a.started(old).failed(true);
    await sleep(600);
    a.started(middle);
    await sleep(500);
    a.started(fresh);
    await flushed(a);
    expect(await entries(a)).toEqual([`${middle} running pod-a`, `${fresh} running pod-a`].sort());
    expect(await a.client.pttl(IN_PROGRESS_KEY)).toBeLessThanOrEqual(1_000);
    expect(await a.client.pttl(STATE_KEY)).toBeLessThanOrEqual(1_000);
    a.stop();
    await sleep(1_100);
    expect(await a.client.exists(IN_PROGRESS_KEY, STATE_KEY)).toBe(0);
  });

  test("Redis down or not answering: nothing throws and no call waits more than ~250 ms", async () => {
    const down = await journal("pod-a", 3_000, { url: null });
    const paused = await startRedisServer();
    const stalled = await journal("pod-b", 3_000, { url: paused.url });
    process.kill(paused.pid!, "SIGSTOP");
    try {
      const took: number[] = [];
      const timed = async <T>(call: () => T | Promise<T>): Promise<T> => {
        const started = performance.now();
        const value = await call();
        took.push(performance.now() - started);
        return value;
      };
      for (const j of [down, stalled]) {
        const run = await timed(() => j.started(guid()));
        const other = await timed(() => j.started(guid()));
        expect(await timed(() => other.failed(true))).toBe(false);
        await timed(() => run.finished());
        expect(await j.read()).toBeUndefined();
        expect(await j.settle([{ work: { guid: "g", state: "asked", at: 0, version: "0\nasked" }, to: "forgotten" }])).toBeUndefined();
        j.stop();
      }
      expect(Math.max(...took)).toBeLessThan(400);
    } finally {
      process.kill(paused.pid!, "SIGCONT");
      // Closed while its server is there (once is enough: a second close would wait for a stream that is gone).
      redis.clients.splice(redis.clients.indexOf(stalled.client), 1);
      stalled.client.disconnect();
      await paused.stop();
    }
  }, 15_000);

  test("MAINLINE_HEARTBEAT_TIMEOUT_SECONDS: 30 s unless set, 5–600", () => {
    expect(heartbeatTimeoutFromEnv({})).toEqual({ ms: 30_000 });
    expect(heartbeatTimeoutFromEnv({ MAINLINE_HEARTBEAT_TIMEOUT_SECONDS: "10" })).toEqual({ ms: 10_000 });
    expect(heartbeatTimeoutFromEnv({ MAINLINE_HEARTBEAT_TIMEOUT_SECONDS: "2" })).toMatchObject({ ms: 30_000, problem: expect.stringContaining("from 5 to 600") });
  });
});

describe("behind Probot's webhook middleware (Deliveries, src/shutdown.ts)", () => {
  let server: Server;
  let probot: Probot;
  let url: string;
  let j: DeliveriesInProgress & { client: Redis };
  let deliveries: Deliveries;

  beforeEach(async () => {
    await clear();
    const { log } = capturedLogger();
    probot = new Probot({ appId: 123, privateKey: PRIVATE_KEY, secret: WEBHOOK_SECRET, log, Octokit: ProbotOctokit.defaults((options: object) => ({ ...options, retry: { enabled: false }, throttle: { enabled: false } })) });
    j = await journal("pod-a", 3_000);
    deliveries = new Deliveries(probot, log, j);
    deliveries.install();
    const middleware = await probot.getNodeMiddleware();
    server = createServer((req, res) => void middleware(req, res, () => res.writeHead(404).end()));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
  });

  afterEach(async () => {
    j.stop();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const deliver = async (id: string, action: string) => {
    const body = JSON.stringify({ action, issue: { number: 1 } });
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-github-event": "issues", "x-github-delivery": id, "x-hub-signature-256": sign(body) }, body });
    return res.status;
  };

  test("done, or failed before the 202: nothing is left in the journal; while it runs, it is there", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    probot.on("issues.opened", async () => held);
    probot.on("issues.closed", async () => {
      throw new Error("GitHub answered 502");
    });
    const [ok, failed] = [guid(), guid()];
    const running = deliver(ok, "opened");
    await sleep(200);
    expect(await entries(j)).toEqual([`${ok} running pod-a`]);
    release();
    expect(await running).toBe(200);
    expect(await deliver(failed, "closed")).toBe(500);
    await flushed(j);
    expect(await entries(j)).toEqual([]);
  });

  test("after Probot's 202 (9 s): work that fails, and work abandoned at shutdown, are kept as unfinished for the sweep", async () => {
    probot.on("issues.closed", async () => {
      await sleep(9_500);
      throw new Error("LockLost: the lock is no longer this work's");
    });
    probot.on("issues.opened", () => new Promise<void>(() => undefined));
    const [lost, abandoned] = [guid(), guid()];
    const answers = await Promise.all([deliver(lost, "closed"), deliver(abandoned, "opened")]);
    expect(answers).toEqual([202, 202]);
    await sleep(800);
    const drained = await deliveries.drain(0);
    expect(drained.abandoned).toEqual([{ id: abandoned, event: "issues", github: "accepted", noted: true }]);
    expect(await entries(j)).toEqual([`${abandoned} unfinished pod-a accepted`, `${lost} unfinished pod-a accepted`].sort());
  }, 20_000);
});

describe("the missed-webhook sweep with the journal (loopback GitHub)", () => {
  let github: GitHubTestServer;
  let probot: Probot;
  let lines: Array<Record<string, unknown>>;

  beforeEach(async () => {
    await clear();
    github = new GitHubTestServer({ appPublicKey: PUBLIC_KEY, appId: 123 });
    await github.start();
    const captured = capturedLogger();
    lines = captured.lines;
    probot = testProbot(captured.log, github.apiBase);
  });

  afterEach(async () => {
    await github.stop();
    expect(github.problems).toEqual([]);
  });

  const sweep = (j: DeliveriesInProgress, intervalMs = 600_000) =>
    sweepDeliveriesOnce(probot, { intervalMs, lookbackMs: 3_600_000, lock: { acquire: async () => true, release: async () => {} }, inProgress: { journal: j, heartbeatTimeoutMs: 3_000 } });
  const posts = () => github.calls((r) => r.method === "POST");

  test("work that failed after its 202 is redelivered once, by its delivery id; the redelivery's own run clears it; the next sweep asks nothing", async () => {
    const [replica, sweeper] = [await journal("pod-a"), await journal("pod-b")];
    const [seen] = github.deliveries.seed({ event: "issues", action: "labeled", status_code: 202, guid: guid() });
    const fine = github.deliveries.seed({ event: "issues", action: "opened", status_code: 200, guid: guid() });
    await replica.started(seen!.guid).failed(true);
    replica.started(fine[0]!.guid); // still running, heartbeats coming: left alone
    // GitHub delivers the event again, with its guid, to a replica: its run owes the work, does it, and clears the entry.
    github.deliveries.receiver = async (d) => {
      await replica.started(d.guid).finished();
      return 200;
    };
    expect(await sweep(sweeper)).toEqual({ ran: true, listed: 2, pages: 1, failed: 0, unfinished: 1, redelivered: 1, skipped: 0, errors: 0 });
    expect(posts()).toEqual([`POST /app/hook/deliveries/${seen!.id}/attempts`]);
    expect(await entries(sweeper)).toEqual([`${fine[0]!.guid} running pod-a`]);
    expect(lines.find((l) => l.guid === seen!.guid)).toMatchObject({
      msg: `asked GitHub to redeliver issues.labeled ${seen!.guid}: its work failed on pod-a after GitHub had its 202 (GitHub's last attempt: HTTP 202, "OK"); redelivery 1 of 3`,
    });
    expect(await sweep(sweeper)).toMatchObject({ unfinished: 0, redelivered: 0 });
    expect(posts()).toHaveLength(1);
    replica.stop();
  });

  test("a redelivery GitHub was asked for that never started is asked again only after an interval; two sweeps at once ask once", async () => {
    const [replica, sweeper] = [await journal("pod-a"), await journal("pod-b")];
    const [seen] = github.deliveries.seed({ event: "issues", action: "labeled", status_code: 202, guid: guid() });
    await replica.started(seen!.guid).failed(true);
    github.deliveries.receiver = () => 503; // refused at the door (a replica draining): no run starts
    const both = await Promise.all([sweep(sweeper), sweep(sweeper)]);
    expect(both.map((r) => (r.ran ? r.redelivered : -1)).sort()).toEqual([0, 1]);
    expect(await entries(sweeper)).toEqual([`${seen!.guid} asked`]);
    expect(await sweep(sweeper)).toMatchObject({ unfinished: 0, redelivered: 0 });
    expect(posts()).toHaveLength(1);
    replica.stop();
  });

  test("two apps sharing one Redis: one app's sweep never drops the other's entries, which its GitHub does not list", async () => {
    const [a, b] = [await journal("pod-a"), await journal("pod-b", 3_000, { appId: OTHER_APP })];
    const g = guid();
    await a.started(g).failed(true);
    await sleep(1_100); // an interval old (1 s here)
    expect(await sweep(b, 1_000)).toMatchObject({ ran: true, listed: 0, unfinished: 0 });
    expect(await entries(a)).toEqual([`${g} unfinished pod-a accepted`]);
    // Its own app's sweep, with GitHub listing no delivery of it either, drops it.
    expect(await sweep(a, 1_000)).toMatchObject({ ran: true, listed: 0, unfinished: 1 });
    expect(await entries(a)).toEqual([]);
    a.stop();
    b.stop();
  });

  test("work that failed after its 202 moments ago, which GitHub does not list yet, is kept for the next sweep", async () => {
    const [replica, sweeper] = [await journal("pod-a"), await journal("pod-b")];
    const g = guid();
    await replica.started(g).failed(true);
    expect(await sweep(sweeper)).toMatchObject({ ran: true, listed: 0, unfinished: 1, redelivered: 0 });
    expect(await entries(sweeper)).toEqual([`${g} unfinished pod-a accepted`]);
    // GitHub's list shows the attempt by the next sweep: it is redelivered.
    const [seen] = github.deliveries.seed({ event: "issues", action: "labeled", status_code: 202, guid: g });
    github.deliveries.receiver = () => 200;
    expect(await sweep(sweeper)).toMatchObject({ ran: true, listed: 1, unfinished: 1, redelivered: 1 });
    expect(posts()).toEqual([`POST /app/hook/deliveries/${seen!.id}/attempts`]);
    replica.stop();
  });

  test("Redis down: the sweep still redelivers missed webhooks, and says the unfinished ones wait", async () => {
    const down = await journal("pod-b", 3_000, { url: null });
    github.deliveries.seed({ event: "issues", action: "labeled", status_code: 502 });
    expect(await sweep(down)).toEqual({ ran: true, listed: 1, pages: 1, failed: 1, redelivered: 1, skipped: 0, errors: 0 });
    expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([
      "missed-webhook sweep: Redis did not answer, so deliveries whose work did not finish after GitHub's 202 wait for the next sweep",
    ]);
  });
});
