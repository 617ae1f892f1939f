import { GitHubTestServer } from "../helpers/github-server.js";
import { PUBLIC_KEY } from "../helpers/keys.js";
import { credentialsFor, freePort, startApp } from "../helpers/start-app.js";
import { Readiness, REDIS_DOWN, type RedisCheck, type RedisProbe } from "../../src/readiness.js";
import type { Probot } from "probot";

// Start-up and health as users start the app (`npm start`): credentials checked before the port
// opens, `/healthz` alive, `/readyz` ready, Redis reported and its connection errors summarised.
let github: GitHubTestServer;

beforeEach(async () => {
  github = new GitHubTestServer(PUBLIC_KEY);
  await github.start();
});

afterEach(async () => {
  await github.stop();
  expect(github.problems).toEqual([]);
});

test("a malformed PRIVATE_KEY stops start-up at once with Probot's instructions; no setup page", async () => {
  const started = Date.now();
  const failure = await startApp({ ...credentialsFor(github.host), PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----" }).catch((error: Error) => error);
  expect(failure).toBeInstanceOf(Error);
  const message = (failure as Error).message;
  expect(message).toMatch(/^the app exited with 1:/);
  expect(message).toContain("mainline cannot start: PRIVATE_KEY is not a private key in PEM format");
  expect(message).toContain("verify that APP_ID is set correctly, and generate a new PEM file if necessary");
  expect(message).not.toContain("Welcome to Probot");
  expect(message).not.toContain("not a key");
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(github.calls()).toEqual([]);
});

test("a wrong APP_ID (GitHub answers GET /app with 401) stops start-up with exit 1 before the port opens", async () => {
  github.route("GET", "/app", ({ headers }) => {
    const [, payload] = String(headers.authorization).split(" ")[1]!.split(".");
    const { iss } = JSON.parse(Buffer.from(payload!, "base64url").toString()) as { iss: unknown };
    return String(iss) === "123" ? { status: 200, body: {} } : { status: 401, body: { message: "A JSON web token could not be decoded" } };
  });
  const failure = await startApp({ ...credentialsFor(github.host), APP_ID: "999" }).catch((error: Error) => error);
  const message = (failure as Error).message;
  expect(message).toMatch(/^the app exited with 1:/);
  expect(message).toContain("GitHub refused the app's credentials (GET /app: 401 A JSON web token could not be decoded");
  expect(message).toContain("Your private key (a .pem file or PRIVATE_KEY environment variable) or APP_ID is incorrect.");
  expect(message).not.toContain("Listening on");
  expect(github.calls()).toEqual(["GET /app"]);
});

test("/healthz says alive and /readyz ready, with GitHub's state as JSON; liveness never asks GitHub", async () => {
  const app = await startApp(credentialsFor(github.host));
  try {
    const before = github.calls().length;
    const alive = await fetch(`${app.url}/healthz`);
    expect(alive.status).toBe(200);
    const body = (await alive.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: "ok", alive: true, ready: true, draining: false, github: { reachable: true, status: 200 } });
    expect(body).not.toHaveProperty("redis");
    for (const path of ["/readyz", "/healthz?ready"]) {
      const ready = await fetch(`${app.url}${path}`);
      expect([path, ready.status, await ready.json()]).toEqual([path, 200, expect.objectContaining({ status: "ok", ready: true })]);
    }
    // Start-up asked GET /app once; the readiness answer stands 30 s, so none of these asked again.
    expect(github.calls().slice(before)).toEqual([]);
    expect(github.calls().filter((call) => call === "GET /app")).toEqual(["GET /app"]);
  } finally {
    await app.stop();
  }
});

test("REDIS_URL on a closed port: the app starts and stays ready (the gate needs no Redis), /healthz and /readyz say Redis is down and what that means, and Redis errors are logged a bounded number of times", async () => {
  const port = await freePort();
  const app = await startApp({ ...credentialsFor(github.host), REDIS_URL: `redis://127.0.0.1:${port}`, LOG_FORMAT: "json" });
  try {
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    // Every replica shares this Redis: taking them all out of the load balancer would stop the gate.
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: "degraded", alive: true, ready: true, github: { reachable: true }, redis: { reachable: false, error: expect.stringContaining("ECONNREFUSED") } });
    expect(body.reason).toEqual(expect.stringContaining(REDIS_DOWN));
    const alive = await fetch(`${app.url}/healthz`);
    expect(alive.status).toBe(200);
    expect(await alive.json()).toMatchObject({ status: "degraded", alive: true, ready: true, redis: { reachable: false } });

    const lines = app.output().split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as { level: number; msg: string });
    const redisLines = lines.filter((l) => l.level >= 40 && /redis|ECONNREFUSED/i.test(l.msg + JSON.stringify(l)));
    // ioredis reports every reconnect attempt (~25 lines in 4 s from two connections before they were summarised).
    expect(redisLines.length).toBeGreaterThanOrEqual(1);
    expect(redisLines.length).toBeLessThanOrEqual(3);
    expect(redisLines.map((l) => l.msg)).toContainEqual(expect.stringMatching(/^Redis \(REDIS_URL\) is unreachable: connect ECONNREFUSED 127\.0\.0\.1:\d+\. Further connection errors are summarised every 30 s until it is back\.$/));
    // mainline's own lines name themselves once.
    const raw = app.output().split("\n").filter((line) => line.includes('"name":"redis"'));
    expect(raw.length).toBeGreaterThanOrEqual(1);
    for (const line of raw) expect([line, line.match(/"name":/g)?.length]).toEqual([line, 1]);
  } finally {
    await app.stop();
  }
});

test("readiness with REDIS_URL: Redis down → still ready, degraded with the reason; back → ok; PING results are cached, so probing /readyz cannot hammer Redis", async () => {
  let clock = Date.parse("2026-12-01T10:00:00Z");
  const now = () => clock;
  let up = false;
  let pings = 0;
  const probe: RedisProbe = {
    async ping(): Promise<RedisCheck> {
      pings++;
      const checkedAt = new Date(clock).toISOString();
      return up ? { reachable: true, checkedAt } : { reachable: false, checkedAt, error: "connect ECONNREFUSED 127.0.0.1:6379" };
    },
  };
  // GitHub was just asked and answered: a GitHub refresh is not due, so the Probot is never used.
  const readiness = new Readiness({} as Probot, { reachable: true, checkedAt: new Date(clock).toISOString(), status: 200 }, probe, { redisMs: 2_000, now });

  const first = await readiness.report({ refresh: true });
  expect(first).toMatchObject({ status: "degraded", ready: true, redis: { reachable: false } });
  expect(first.reason).toBe(`${REDIS_DOWN} (connect ECONNREFUSED 127.0.0.1:6379)`);
  // 50 probes at once, and liveness in between: still the one PING.
  await Promise.all(Array.from({ length: 50 }, (_, i) => readiness.report({ refresh: i % 2 === 0 })));
  expect(pings).toBe(1);

  up = true;
  clock += 1_999;
  expect((await readiness.report({ refresh: true })).status).toBe("degraded");
  expect(pings).toBe(1);
  clock += 1;
  const back = await readiness.report({ refresh: true });
  expect(back).toMatchObject({ status: "ok", ready: true, redis: { reachable: true } });
  expect(back).not.toHaveProperty("reason");
  expect(pings).toBe(2);
  // Liveness asks Redis too (so it says at once when Redis is gone), within the same 2 s budget.
  clock += 60_000;
  up = false;
  expect(await readiness.report({ refresh: false })).toMatchObject({ status: "degraded", redis: { reachable: false } });
  expect(pings).toBe(3);
  await readiness.report({ refresh: false });
  expect(pings).toBe(3);

  readiness.drain();
  expect(await readiness.report({ refresh: true })).toMatchObject({ status: "draining", ready: false, reason: expect.stringContaining("shutting down") });
  expect(pings).toBe(3);
});
