import { Probot, ProbotOctokit } from "probot";
import { deliverySweepOptionsFromEnv, startDeliverySweep, sweepDeliveriesOnce, type SweepOptions } from "../../src/delivery-sweep.js";
import type { SweepLock } from "../../src/coordination/sweep-lock.js";
import { connectRedis, type SharedRedis } from "../../src/coordination/redis.js";
import { RepeatedErrors } from "../../src/repeated-errors.js";
import { startRedisServer } from "../helpers/redis-server.js";
import { GitHubTestServer, type NewHookDelivery } from "../helpers/github-server.js";
import { shapeProblems } from "../helpers/github-server/shapes.js";
import { PUBLIC_KEY } from "../helpers/keys.js";
import { testProbot } from "../helpers/test-app.js";
import { capturedLogger } from "../helpers/log-capture.js";

// The missed-webhook sweep against the loopback GitHub: what it lists, what it asks GitHub to
// redeliver, and what it logs. Time is the model's: `now` moves only when a test moves it.
const T0 = Date.parse("2026-11-20T12:00:00Z");
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const INTERVAL = 10 * MINUTE;
const LOOKBACK = 24 * HOUR;

let github: GitHubTestServer;
let probot: Probot;
let lines: Array<Record<string, unknown>>;
let now: number;

beforeEach(async () => {
  now = T0;
  github = new GitHubTestServer({ appPublicKey: PUBLIC_KEY, appId: 123 });
  github.clock = { now: () => new Date(now) };
  await github.start();
  const captured = capturedLogger();
  lines = captured.lines;
  probot = testProbot(captured.log, github.apiBase);
  await probot.auth();
});

afterEach(async () => {
  await github.stop();
  expect(github.problems).toEqual([]);
});

const at = (ago: number) => new Date(now - ago).toISOString();
const failed = (ago: number, over: Partial<NewHookDelivery> = {}): NewHookDelivery => ({ event: "deployment_protection_rule", action: "requested", status_code: 502, delivered_at: at(ago), ...over });
const delivered = (ago: number, over: Partial<NewHookDelivery> = {}): NewHookDelivery => failed(ago, { status_code: 200, ...over });

function memoryLock(): SweepLock & { held: boolean } {
  return {
    held: false,
    async acquire() {
      if (this.held) return false;
      return (this.held = true);
    },
    async release() {
      this.held = false;
    },
  };
}

const sweep = (over: Partial<SweepOptions> = {}) =>
  sweepDeliveriesOnce(probot, { intervalMs: INTERVAL, lookbackMs: LOOKBACK, lock: { acquire: async () => true, release: async () => {} }, now: () => new Date(now), ...over });

const lists = () => github.calls((r) => r.method === "GET" && r.path.startsWith("/app/hook/deliveries"));
const redeliveries = () => github.calls((r) => r.method === "POST");
const logged = (level: number) => lines.filter((l) => l.level === level).map((l) => l.msg);

describe("sweepDeliveriesOnce", () => {
  test("a failed delivery is redelivered once; delivered events, and events a later attempt delivered, are left alone", async () => {
    const [missed] = github.deliveries.seed(failed(2 * HOUR, { guid: "missed" }));
    github.deliveries.seed(delivered(90 * MINUTE, { guid: "fine", event: "push", action: null }));
    github.deliveries.seed(failed(HOUR, { guid: "late", event: "issues", action: "labeled", status_code: 0 }), delivered(50 * MINUTE, { guid: "late", event: "issues", action: "labeled", redelivery: true }));

    expect(await sweep()).toEqual({ ran: true, listed: 4, pages: 1, failed: 1, redelivered: 1, skipped: 0, errors: 0 });

    expect(redeliveries()).toEqual([`POST /app/hook/deliveries/${missed!.id}/attempts`]);
    expect(github.deliveries.rows.filter((r) => r.guid === "missed").map((r) => [r.redelivery, r.status])).toEqual([
      [false, "Invalid HTTP Response: 502"],
      [true, "OK"],
    ]);
    expect(lines.find((l) => l.guid === "missed")).toMatchObject({
      level: 30,
      guid: "missed",
      event: "deployment_protection_rule",
      action: "requested",
      deliveryId: missed!.id,
      statusCode: 502,
      why: 'not delivered (HTTP 502, "Invalid HTTP Response: 502"); redelivery 1 of 3',
      msg: 'asked GitHub to redeliver deployment_protection_rule.requested missed: not delivered (HTTP 502, "Invalid HTTP Response: 502"); redelivery 1 of 3',
    });
    expect(lines.at(-1)).toMatchObject({
      listed: 4,
      failed: 1,
      redelivered: 1,
      skipped: 0,
      msg: "missed-webhook sweep: listed 4, failed 1, redelivered 1, skipped 0",
    });
  });

  test("a second sweep right after asks for nothing new, whether the redelivery succeeded or failed again", async () => {
    github.deliveries.seed(failed(HOUR, { guid: "will-succeed" }), failed(HOUR, { guid: "fails-again", event: "deployment", action: "created" }));
    github.deliveries.receiver = (d) => (d.guid === "fails-again" ? 503 : 200);
    expect(await sweep()).toMatchObject({ redelivered: 2 });
    now += MINUTE;
    expect(await sweep()).toEqual({ ran: true, listed: 4, pages: 1, failed: 1, redelivered: 0, skipped: 1, errors: 0 });
    expect(redeliveries()).toHaveLength(2);
  });

  test("a redelivery that fails again is retried once an interval has passed, three times at most, then reported once as an error naming the event", async () => {
    const [missed] = github.deliveries.seed(failed(HOUR, { guid: "refused" }));
    github.deliveries.receiver = () => 400;
    const abandoned = new Set<string>();
    const results = [];
    for (let i = 0; i < 6; i++, now += INTERVAL) results.push((await sweep({ abandoned })).ran && lines.at(-1)!.msg);
    expect(results).toEqual([
      "missed-webhook sweep: listed 1, failed 1, redelivered 1, skipped 0",
      "missed-webhook sweep: listed 2, failed 1, redelivered 1, skipped 0",
      "missed-webhook sweep: listed 3, failed 1, redelivered 1, skipped 0",
      "missed-webhook sweep: listed 4, failed 1, redelivered 0, skipped 1",
      "missed-webhook sweep: listed 4, failed 1, redelivered 0, skipped 1",
      "missed-webhook sweep: listed 4, failed 1, redelivered 0, skipped 1",
    ]);
    const rows = github.deliveries.newestFirst();
    expect(redeliveries()).toEqual([`POST /app/hook/deliveries/${missed!.id}/attempts`, ...rows.slice(1, 3).reverse().map((r) => `POST /app/hook/deliveries/${r.id}/attempts`)]);
    expect(lines.filter((l) => l.level === 50)).toEqual([
      expect.objectContaining({
        guid: "refused",
        deliveryId: rows[0]!.id,
        redeliveries: 3,
        msg: 'deployment_protection_rule.requested refused never reached the app: 3 redeliveries failed, the last with HTTP 400, "Invalid HTTP Response: 400". The sweep stops trying; once the cause is fixed, redeliver it from the app\'s settings (Advanced → Recent Deliveries).',
      }),
    ]);
  });

  test("pages are followed by the cursor of GitHub's Link header", async () => {
    const seeded = github.deliveries.seed(...Array.from({ length: 250 }, (_, i) => (i % 100 === 7 ? failed(i * MINUTE) : delivered(i * MINUTE))));
    expect(await sweep()).toMatchObject({ listed: 250, pages: 3, failed: 3, redelivered: 3 });
    expect(lists()).toEqual([
      "GET /app/hook/deliveries?per_page=100",
      `GET /app/hook/deliveries?per_page=100&cursor=v1_${seeded[100]!.id}`,
      `GET /app/hook/deliveries?per_page=100&cursor=v1_${seeded[200]!.id}`,
    ]);
    // The oldest failure first: the order the events happened in.
    expect(redeliveries()).toEqual([207, 107, 7].map((i) => `POST /app/hook/deliveries/${seeded[i]!.id}/attempts`));
  });

  test("the server answers a page in GitHub's shape, with a next link only while older deliveries remain", async () => {
    github.deliveries.seed(...Array.from({ length: 3 }, (_, i) => delivered(i * MINUTE)), failed(HOUR, { throttled_at: at(HOUR) }));
    const third = github.deliveries.newestFirst()[2]!;
    const app = await probot.auth();
    const first = await app.request("GET /app/hook/deliveries", { per_page: 2 });
    expect(shapeProblems("GET /app/hook/deliveries", 200, first.data)).toEqual([]);
    expect(first.headers.link).toBe(`<${github.apiBase}/app/hook/deliveries?per_page=2&cursor=v1_${third.id}>; rel="next"`);
    const last = await app.request("GET /app/hook/deliveries", { per_page: 2, cursor: `v1_${third.id}` });
    expect(last.data.map((d) => d.status_code)).toEqual([200, 502]);
    expect(last.headers.link).toBeUndefined();
  });

  test("paging stops at the look-back window: older deliveries are neither paged through nor redelivered", async () => {
    github.deliveries.seed(...Array.from({ length: 100 }, (_, i) => delivered(i * MINUTE)));
    github.deliveries.seed(...Array.from({ length: 250 }, (_, i) => failed(LOOKBACK + (i + 1) * MINUTE)));
    expect(await sweep()).toMatchObject({ listed: 100, pages: 2, failed: 0, redelivered: 0 });
    expect(lists()).toHaveLength(2);
    expect(redeliveries()).toEqual([]);
  });

  test("the deliveries are read with the app's JWT, never an installation token", async () => {
    const installation = new ProbotOctokit({ auth: { token: "ghs_testserver" }, baseUrl: github.apiBase, throttle: { enabled: false }, retry: { enabled: false } });
    await expect(installation.request("GET /app/hook/deliveries")).rejects.toMatchObject({ status: 401 });
    await expect(installation.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: 1 })).rejects.toMatchObject({ status: 401 });
  });

  test("with the lock held by another sweep, a concurrent sweep makes no call at all", async () => {
    github.deliveries.seed(failed(HOUR));
    const lock = memoryLock();
    const results = await Promise.all([sweep({ lock }), sweep({ lock })]);
    expect(results.map((r) => r.ran).sort()).toEqual([false, true]);
    expect(github.calls()).toHaveLength(2);
    expect(redeliveries()).toHaveLength(1);
    // A finished sweep keeps the lock to its expiry, so no replica sweeps again within the interval.
    expect(lock.held).toBe(true);
  });

  test("a sweep GitHub fails releases the lock, so the next replica can try", async () => {
    github.deliveries.seed(failed(HOUR));
    const lock = memoryLock();
    const heal = github.fail((method) => method === "GET", { status: 500, body: { message: "Server Error" } });
    await expect(sweep({ lock })).rejects.toMatchObject({ status: 500 });
    expect(lock.held).toBe(false);
    heal();
    expect(await sweep({ lock })).toMatchObject({ redelivered: 1 });
  });

  test("one redelivery GitHub refuses is logged; the others still go out", async () => {
    const [first, second] = github.deliveries.seed(failed(2 * HOUR), failed(HOUR));
    github.fail((method, path) => method === "POST" && path.includes(`/${first!.id}/`), { status: 422, body: { message: "Validation Failed" } });
    expect(await sweep()).toMatchObject({ redelivered: 1, errors: 1 });
    expect(redeliveries()).toEqual([`POST /app/hook/deliveries/${first!.id}/attempts`, `POST /app/hook/deliveries/${second!.id}/attempts`]);
    expect(logged(50)).toEqual([`GitHub refused to redeliver deployment_protection_rule.requested ${first!.guid}`]);
  });

  test("a missed protection-rule request reaches the app's handler again, under its original delivery id", async () => {
    const received: string[] = [];
    probot.on("deployment_protection_rule.requested", async (context) => void received.push(`${context.id} ${context.payload.environment}`));
    github.deliveries.seed(failed(HOUR, { guid: "gate-request", payload: { action: "requested", environment: "production" } }));
    github.deliveries.receiver = async (d) => {
      await probot.receive({ id: d.guid, name: d.event as "deployment_protection_rule", payload: d.payload as never });
      return 200;
    };
    await sweep();
    expect(received).toEqual(["gate-request production"]);
  });

  test.each([
    // recent deliveries, list calls, redeliveries (every tenth one failed)
    [0, 1, 0],
    [10, 1, 1],
    [1_000, 10, 100],
  ])("API calls for one sweep over %i recent deliveries: %i list calls, %i redeliveries", async (count, listCalls, posts) => {
    github.deliveries.seed(...Array.from({ length: count }, (_, i) => (i % 10 === 3 ? failed(i * MINUTE) : delivered(i * MINUTE))));
    expect(await sweep()).toMatchObject({ listed: count, redelivered: posts });
    expect({ list: lists().length, redeliver: redeliveries().length, total: github.calls().length }).toEqual({ list: listCalls, redeliver: posts, total: listCalls + posts });
  });
});

describe("startDeliverySweep", () => {
  const until = async (done: () => boolean) => {
    for (let waited = 0; !done(); waited += 10) {
      if (waited > 2_000) throw new Error("timed out");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const summaries = () => lines.filter((l) => String(l.msg).startsWith("missed-webhook sweep:"));
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
  const start = (over: Partial<Parameters<typeof startDeliverySweep>[1]> = {}) =>
    startDeliverySweep(probot, { intervalMs: 200, lookbackMs: LOOKBACK, firstSweepDelayMs: 0, now: () => new Date(now), ...over });

  test("MAINLINE_REDELIVERY=on: a sweep at start-up, then one every interval", async () => {
    github.deliveries.seed(failed(HOUR));
    const stop = start({ redelivery: "on" });
    await until(() => summaries().length >= 2);
    stop();
    expect(lines.find((l) => l.lock)).toMatchObject({ intervalMinutes: 200 / MINUTE, lookbackHours: 24, lock: "none", msg: "missed-webhook sweep on: failed deliveries are redelivered" });
    expect(redeliveries()).toHaveLength(1);
  });

  test("without REDIS_URL a replica takes itself to be the only one: it sweeps, and says how other replicas stay out", async () => {
    github.deliveries.seed(failed(HOUR));
    const stop = start();
    await until(() => summaries().length >= 1);
    stop();
    expect(logged(30)).toContain("missed-webhook sweep on: without REDIS_URL this replica takes itself to be the only one (on every other replica set MAINLINE_REDELIVERY=off, or give them all REDIS_URL to share a lock)");
    expect(redeliveries()).toHaveLength(1);
  });

  test.each([
    ["an interval of 0", { intervalMs: 0, redelivery: "on" }],
    ["MAINLINE_REDELIVERY=off, even with REDIS_URL", { redelivery: "off", redis: {} as SharedRedis }],
  ])("%s turns it off", async (_case, over) => {
    const stop = start(over);
    await settle();
    stop();
    expect(github.calls()).toEqual([]);
  });

  test("with REDIS_URL two replicas share a lock in a real Redis: one sweep per interval between them", async () => {
    const server = await startRedisServer();
    const replicas: SharedRedis[] = [];
    try {
      for (let i = 0; i < 2; i++) replicas.push(await connectRedis(server.url, new RepeatedErrors(probot.log, "Redis (REDIS_URL)")));
      github.deliveries.seed(failed(HOUR));
      const stops = replicas.map((redis) => start({ redis, intervalMs: 1_000 }));
      await until(() => summaries().length >= 1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      stops.forEach((stop) => stop());
      await settle();
      expect(summaries()).toHaveLength(1);
      expect(logged(20)).toContain("missed-webhook sweep skipped: another replica swept within the interval");
      expect(lines.filter((l) => l.lock).map((l) => l.lock)).toEqual(["redis", "redis"]);
      expect(await replicas[0]!.client.keys("mainline:*")).toEqual(["mainline:sweep:delivery-sweep:123"]);
      expect(redeliveries()).toHaveLength(1);
    } finally {
      for (const redis of replicas) await redis.close();
      await server.stop();
    }
  });
});

describe("deliverySweepOptionsFromEnv", () => {
  test.each<[string, NodeJS.ProcessEnv, { intervalMs: number; lookbackMs: number }]>([
    ["defaults", {}, { intervalMs: 10 * MINUTE, lookbackMs: 24 * HOUR }],
    ["set", { MAINLINE_REDELIVERY_INTERVAL_MINUTES: "5", MAINLINE_REDELIVERY_LOOKBACK_HOURS: "48" }, { intervalMs: 5 * MINUTE, lookbackMs: 48 * HOUR }],
    ["interval 0: off", { MAINLINE_REDELIVERY_INTERVAL_MINUTES: "0" }, { intervalMs: 0, lookbackMs: 24 * HOUR }],
    ["look-back past what GitHub keeps", { MAINLINE_REDELIVERY_LOOKBACK_HOURS: "100" }, { intervalMs: 10 * MINUTE, lookbackMs: 72 * HOUR }],
    ["not numbers", { MAINLINE_REDELIVERY_INTERVAL_MINUTES: "ten", MAINLINE_REDELIVERY_LOOKBACK_HOURS: "" }, { intervalMs: 10 * MINUTE, lookbackMs: 24 * HOUR }],
    ["negative, and a zero look-back", { MAINLINE_REDELIVERY_INTERVAL_MINUTES: "-1", MAINLINE_REDELIVERY_LOOKBACK_HOURS: "0" }, { intervalMs: 10 * MINUTE, lookbackMs: 24 * HOUR }],
  ])("%s", (_case, env, expected) => {
    expect(deliverySweepOptionsFromEnv(env)).toMatchObject(expected);
  });

  test("MAINLINE_REDELIVERY is passed on (Redis comes from the app, which connects once for everything)", () => {
    expect(deliverySweepOptionsFromEnv({ MAINLINE_REDELIVERY: "on", REDIS_URL: "redis://r:6379" })).toEqual({ intervalMs: 10 * MINUTE, lookbackMs: 24 * HOUR, redelivery: "on" });
  });
});
