import { connect } from "node:net";
import { deploymentCreated, OWNER, protectionRuleRequested, REPO } from "../helpers/fixtures.js";
import { GitHubTestServer } from "../helpers/github-server.js";
import { PUBLIC_KEY } from "../helpers/keys.js";
import { credentialsFor, NODE_START, startApp } from "../helpers/start-app.js";
import { DEFAULT_GRACE_SECONDS, graceFromEnv, MAX_GRACE_SECONDS } from "../../src/shutdown-grace.js";

// SIGTERM as Kubernetes and `docker stop` send it: to node alone, started as the image starts it
// (`node dist/main.js`, no npm in between), with a protection rule delivery in flight.
const ROOT = "a".repeat(40);
const ON_MAIN = "b".repeat(40);
const SIDE = "d".repeat(40);

let github: GitHubTestServer;

beforeEach(async () => {
  github = new GitHubTestServer(PUBLIC_KEY);
  await github.start();
  const repo = github.addRepo(OWNER, REPO, "master");
  github.commit(repo, ROOT, null, "master");
  github.commit(repo, ON_MAIN, ROOT, "master");
  github.commit(repo, SIDE, ROOT, "hotfix/payments");
});

afterEach(async () => {
  await github.stop();
  expect(github.problems).toEqual([]);
});

const answers = () => github.repos.get(`${OWNER}/${REPO}`)!.protectionRuleAnswers;
const rule = (sha: string, runId: number) => protectionRuleRequested({ sha, runId, apiBase: github.apiBase });

/** Holds the gate's compare read for `ms`; resolves when the first one arrives (the delivery is then in flight). */
function holdCompare(ms: number): Promise<void> {
  let arrived!: () => void;
  const seen = new Promise<void>((resolve) => (arrived = resolve));
  github.hold((method, path) => {
    const hit = method === "GET" && path.includes("/compare/");
    if (hit) arrived();
    return hit;
  }, ms);
  return seen;
}

test("SIGTERM while a protection rule is being decided: it is still answered, a new delivery gets 503, and the process exits 0 within the grace", async () => {
  const app = await startApp({ ...credentialsFor(github.host), MAINLINE_SHUTDOWN_GRACE_SECONDS: "10", LOG_FORMAT: "json" }, "/healthz", NODE_START);
  try {
    const inFlight = holdCompare(2_000);
    const first = app.deliver("deployment_protection_rule", rule(SIDE, 7));
    await inFlight;
    const signalled = Date.now();
    app.signal("SIGTERM");
    await until(async () => (await fetch(`${app.url}/readyz`)).status === 503);

    const late = await app.deliver("deployment_protection_rule", rule(ON_MAIN, 8));
    const alive = await fetch(`${app.url}/healthz`);
    const { code, signal } = await app.exited;
    const seconds = (Date.now() - signalled) / 1000;

    expect(late.status).toBe(503);
    expect(alive.status).toBe(200);
    expect(await alive.json()).toMatchObject({ status: "draining", alive: true, ready: false, draining: true });
    expect((await first).status).toBe(200);
    expect(answers()).toEqual([expect.objectContaining({ runId: 7, environment_name: "production", state: "rejected" })]);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    // It waited for the held read (2 s), and no longer than that took.
    expect(seconds).toBeGreaterThan(1.5);
    expect(seconds).toBeLessThan(10);
    expect(app.output()).toContain("SIGTERM: shutting down; new deliveries get 503, waiting up to 10 s for 1 in flight");
    expect(app.output()).toContain("shut down: 1 deliveries finished, 0 abandoned");
    expect(github.calls().filter((call) => call.includes("/runs/8/"))).toEqual([]);
    // mainline's own lines carry each key once (Probot's logger already binds `name` twice).
    const own = jsonLines(app.output()).filter((line) => /"name":"shutdown"/.test(line));
    expect(own.length).toBeGreaterThanOrEqual(3);
    for (const line of own) expect([line, line.match(/"name":/g)?.length]).toEqual([line, 1]);
  } finally {
    await app.stop();
  }
});

test("a delivery still running when the grace ends gets 503 (GitHub records it failed, so it is redelivered), its protection rule is answered rejected, and the process exits 0 on time", async () => {
  const app = await startApp({ ...credentialsFor(github.host), MAINLINE_SHUTDOWN_GRACE_SECONDS: "1" }, "/healthz", NODE_START);
  try {
    const inFlight = holdCompare(6_000);
    const first = app.deliver("deployment_protection_rule", rule(SIDE, 9), { id: "held-delivery" });
    await inFlight;
    const signalled = Date.now();
    app.signal("SIGTERM");
    const { code } = await app.exited;
    const seconds = (Date.now() - signalled) / 1000;

    expect((await first).status).toBe(503);
    expect(code).toBe(0);
    expect(seconds).toBeLessThan(4);
    expect(answers()).toEqual([expect.objectContaining({ runId: 9, state: "rejected", comment: expect.stringContaining("mainline shut down before it could decide") })]);
    expect(app.output()).toContain("delivery held-delivery (deployment_protection_rule) did not finish within 1 s and was abandoned: its protection rule was answered rejected");
    expect(app.output()).toContain("shut down: 0 deliveries finished, 1 abandoned");
  } finally {
    await app.stop();
  }
});

test("past Probot's 202: an abandoned protection rule is answered rejected (re-run the deployment) before the process exits; any other abandoned delivery is logged as needing a redelivery by hand", async () => {
  const repo = github.repos.get(`${OWNER}/${REPO}`)!;
  const deployment = github.addDeployment(repo, { sha: SIDE });
  const app = await startApp({ ...credentialsFor(github.host), MAINLINE_SHUTDOWN_GRACE_SECONDS: "10", LOG_FORMAT: "json" }, "/healthz", NODE_START);
  try {
    const inFlight = holdCompare(12_000);
    const ruleDelivery = app.deliver("deployment_protection_rule", rule(SIDE, 11), { id: "rule-past-202" });
    const deployDelivery = app.deliver("deployment", deploymentCreated({ sha: SIDE, deploymentId: deployment.id }), { id: "deploy-past-202" });
    await inFlight;
    const signalled = Date.now();
    app.signal("SIGTERM");
    // Probot answers 202 "still processing" 9 s after each delivery arrived: GitHub counts them delivered.
    expect([(await ruleDelivery).status, (await deployDelivery).status]).toEqual([202, 202]);
    const { code, signal } = await app.exited;
    const seconds = (Date.now() - signalled) / 1000;
    console.info(`past-202 abandonment: SIGTERM to exit ${seconds.toFixed(2)} s (grace 10 s)`);

    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(seconds).toBeGreaterThan(9.5);
    expect(seconds).toBeLessThan(14);
    const [answer, ...more] = answers();
    expect(more).toEqual([]);
    expect(answer).toMatchObject({ runId: 11, environment_name: "production", state: "rejected" });
    expect(answer!.comment).toBe(`mainline shut down before it could decide whether ${SIDE.slice(0, 7)} may deploy to production; refused. Re-run the deployment to have it checked again.`);
    const lines = jsonLines(app.output()).map((line) => JSON.parse(line) as { level: number; msg: string; delivery?: string });
    expect(lines.find((l) => l.delivery === "rule-past-202" && /abandoned/.test(l.msg))).toMatchObject({
      level: 40,
      msg: expect.stringContaining("its protection rule was answered rejected (mainline shut down before it could decide); the deployment must be re-run"),
    });
    expect(lines.find((l) => l.delivery === "deploy-past-202" && /abandoned/.test(l.msg))).toMatchObject({
      level: 50,
      msg: expect.stringContaining("GitHub already had a 202 for it and recorded it as delivered, so neither GitHub nor the sweep sends it again: it must be redelivered by hand"),
    });
    expect(app.output()).toContain("shut down: 0 deliveries finished, 2 abandoned");
  } finally {
    await app.stop();
  }
});

test("a request still sending its (unsigned) body is not a delivery: it holds a shutdown for at most 2 s and is never logged as abandoned", async () => {
  const app = await startApp({ ...credentialsFor(github.host), MAINLINE_SHUTDOWN_GRACE_SECONDS: "10" }, "/healthz", NODE_START);
  const { port } = new URL(app.url);
  const socket = connect(Number(port), "127.0.0.1");
  let reply = "";
  socket.on("data", (d) => (reply += d));
  socket.on("error", () => undefined);
  const drip = setInterval(() => socket.writable && socket.write("x"), 100);
  try {
    await new Promise<void>((resolve) => socket.once("connect", resolve));
    socket.write(
      "POST /api/github/webhooks HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nx-github-event: deployment_protection_rule\r\n" +
        "x-github-delivery: attacker-chosen-id\r\ncontent-length: 100000\r\n\r\n{",
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const signalled = Date.now();
    app.signal("SIGTERM");
    const { code } = await app.exited;
    const seconds = (Date.now() - signalled) / 1000;
    console.info(`dripped unsigned body: SIGTERM to exit ${seconds.toFixed(2)} s (grace 10 s, body limit 2 s)`);

    expect(code).toBe(0);
    expect(seconds).toBeGreaterThan(1.5);
    expect(seconds).toBeLessThan(4);
    expect(reply).toMatch(/^HTTP\/1\.1 503/);
    expect(app.output()).toContain("waiting up to 10 s for 0 in flight (and 1 still sending their body)");
    expect(app.output()).toContain("shut down: 0 deliveries finished, 0 abandoned");
    expect(app.output()).not.toContain("attacker-chosen-id");
    expect(app.output()).not.toContain("was abandoned");
  } finally {
    clearInterval(drip);
    socket.destroy();
    await app.stop();
  }
});

test("SIGTERM during start-up (GitHub slow to answer GET /app) exits 0 at once; node as PID 1 would otherwise ignore it", async () => {
  let arrived!: () => void;
  const asked = new Promise<void>((resolve) => (arrived = resolve));
  github.hold((method, path) => method === "GET" && path === "/app" && (arrived(), true), 10_000);
  const app = await startApp(credentialsFor(github.host), null, NODE_START);
  try {
    await asked;
    const signalled = Date.now();
    app.signal("SIGTERM");
    expect(await app.exited).toEqual({ code: 0, signal: null });
    const seconds = (Date.now() - signalled) / 1000;
    console.info(`SIGTERM during start-up: exit after ${seconds.toFixed(2)} s`);
    expect(seconds).toBeLessThan(1.5);
    expect(app.output()).toContain("SIGTERM during start-up: nothing in flight; exiting");
  } finally {
    await app.stop();
  }
});

test("MAINLINE_SHUTDOWN_GRACE_SECONDS: used as given within its bound, clamped above it (a Node timer overflows), default when invalid; the message names the key and the bound", () => {
  expect(graceFromEnv({})).toEqual({ ms: DEFAULT_GRACE_SECONDS * 1000 });
  expect(graceFromEnv({ MAINLINE_SHUTDOWN_GRACE_SECONDS: " 2.5 " })).toEqual({ ms: 2_500 });
  expect(graceFromEnv({ MAINLINE_SHUTDOWN_GRACE_SECONDS: "0" })).toEqual({ ms: 0 });
  expect(graceFromEnv({ MAINLINE_SHUTDOWN_GRACE_SECONDS: String(MAX_GRACE_SECONDS) })).toEqual({ ms: MAX_GRACE_SECONDS * 1000 });
  const huge = graceFromEnv({ MAINLINE_SHUTDOWN_GRACE_SECONDS: "3000000" });
  expect(huge.ms).toBe(MAX_GRACE_SECONDS * 1000);
  // The hard-exit timer (grace + a few seconds) still fits a Node timer.
  expect(huge.ms + 5_000).toBeLessThanOrEqual(2 ** 31 - 1);
  expect(huge.problem).toBe(`MAINLINE_SHUTDOWN_GRACE_SECONDS is 3000000, over its bound of ${MAX_GRACE_SECONDS} s (what a Node timer can hold): using ${MAX_GRACE_SECONDS} s`);
  for (const bad of ["abc", "-1", "Infinity", "1e400"]) {
    const grace = graceFromEnv({ MAINLINE_SHUTDOWN_GRACE_SECONDS: bad });
    expect(grace.ms).toBe(DEFAULT_GRACE_SECONDS * 1000);
    expect(grace.problem).toBe(`MAINLINE_SHUTDOWN_GRACE_SECONDS must be a number of seconds from 0 to ${MAX_GRACE_SECONDS}, got ${JSON.stringify(bad)}: using ${DEFAULT_GRACE_SECONDS} s`);
  }
});

test("SIGINT (Ctrl-C under npm start) drains the same way: an idle app exits 0 at once", async () => {
  const app = await startApp(credentialsFor(github.host), "/healthz", NODE_START);
  try {
    const signalled = Date.now();
    app.signal("SIGINT");
    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(2_000);
    expect(app.output()).toContain("shut down: 0 deliveries finished, 0 abandoned");
  } finally {
    await app.stop();
  }
});

function jsonLines(output: string): string[] {
  return output.split("\n").filter((line) => line.startsWith("{"));
}

async function until(condition: () => Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
