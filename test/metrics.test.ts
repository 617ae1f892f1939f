import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { register } from "prom-client";
import { Metrics } from "../src/metrics.js";
import { metricsEndpoint } from "../src/metrics-endpoint.js";

// The series of GET /metrics (SPEC §9), each counted through its named method, on the app's own registry.

/** The sample lines of a scrape (`name{labels} value`), without HELP and TYPE. */
const samples = (text: string) => text.split("\n").filter((line) => line && !line.startsWith("#"));
const own = async (metrics: Metrics) => samples(await metrics.registry.metrics());

test("each method counts in its series, under the labels SPEC §9 names", async () => {
  const metrics = new Metrics();
  metrics.delivered("deployment_protection_rule.requested", "ok");
  metrics.delivered("deployment_protection_rule.requested", "ok");
  metrics.delivered("issue_comment.created", "failed");
  metrics.delivered("issues.labeled", "dropped");
  metrics.gateDecided("off-main");
  metrics.gateDecided("on-main");
  metrics.gateDecided("on-main");
  metrics.requested("counted");
  metrics.requested("counted");
  metrics.requested("not_modified");
  metrics.rateLimitRemaining(2, 4990);
  metrics.rateLimitRemaining(7, 12);
  metrics.rateLimitRemaining(2, 4980);
  metrics.lockWaited(0.003);
  metrics.lockWaited(1.5);
  metrics.writePaced(0.8);
  metrics.redelivered("ok");
  metrics.redelivered("abandoned");

  expect(await own(metrics)).toEqual([
    'mainline_deliveries_total{event="deployment_protection_rule.requested",outcome="ok"} 2',
    'mainline_deliveries_total{event="issue_comment.created",outcome="failed"} 1',
    'mainline_deliveries_total{event="issues.labeled",outcome="dropped"} 1',
    'mainline_gate_decisions_total{result="off-main"} 1',
    'mainline_gate_decisions_total{result="on-main"} 2',
    'mainline_github_requests_total{kind="counted"} 2',
    'mainline_github_requests_total{kind="not_modified"} 1',
    // The last answer of each installation wins.
    'mainline_rate_limit_remaining{installation="2"} 4980',
    'mainline_rate_limit_remaining{installation="7"} 12',
    'mainline_lock_wait_seconds_bucket{le="0.005"} 1',
    'mainline_lock_wait_seconds_bucket{le="0.01"} 1',
    'mainline_lock_wait_seconds_bucket{le="0.025"} 1',
    'mainline_lock_wait_seconds_bucket{le="0.05"} 1',
    'mainline_lock_wait_seconds_bucket{le="0.1"} 1',
    'mainline_lock_wait_seconds_bucket{le="0.25"} 1',
    'mainline_lock_wait_seconds_bucket{le="0.5"} 1',
    'mainline_lock_wait_seconds_bucket{le="1"} 1',
    'mainline_lock_wait_seconds_bucket{le="2.5"} 2',
    'mainline_lock_wait_seconds_bucket{le="5"} 2',
    'mainline_lock_wait_seconds_bucket{le="10"} 2',
    'mainline_lock_wait_seconds_bucket{le="30"} 2',
    'mainline_lock_wait_seconds_bucket{le="+Inf"} 2',
    "mainline_lock_wait_seconds_sum 1.503",
    "mainline_lock_wait_seconds_count 2",
    ...["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5"].map((le) => `mainline_write_pacing_wait_seconds_bucket{le="${le}"} 0`),
    ...["1", "2.5", "5", "10", "30", "+Inf"].map((le) => `mainline_write_pacing_wait_seconds_bucket{le="${le}"} 1`),
    "mainline_write_pacing_wait_seconds_sum 0.8",
    "mainline_write_pacing_wait_seconds_count 1",
    'mainline_redeliveries_total{outcome="ok"} 1',
    'mainline_redeliveries_total{outcome="failed"} 0',
    'mainline_redeliveries_total{outcome="abandoned"} 1',
  ]);
});

test("before anything happened: the request kinds and redelivery outcomes stand at 0, so a rate over the first increase is not lost", async () => {
  const buckets = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30", "+Inf"];
  expect(await own(new Metrics())).toEqual([
    'mainline_github_requests_total{kind="counted"} 0',
    'mainline_github_requests_total{kind="not_modified"} 0',
    ...buckets.map((le) => `mainline_lock_wait_seconds_bucket{le="${le}"} 0`),
    "mainline_lock_wait_seconds_sum 0",
    "mainline_lock_wait_seconds_count 0",
    ...buckets.map((le) => `mainline_write_pacing_wait_seconds_bucket{le="${le}"} 0`),
    "mainline_write_pacing_wait_seconds_sum 0",
    "mainline_write_pacing_wait_seconds_count 0",
    'mainline_redeliveries_total{outcome="ok"} 0',
    'mainline_redeliveries_total{outcome="failed"} 0',
    'mainline_redeliveries_total{outcome="abandoned"} 0',
  ]);
});

test("a lock wait that is no duration, and a remaining that is no number, are left out rather than counted", async () => {
  const metrics = new Metrics();
  metrics.lockWaited(-0.2);
  metrics.lockWaited(Number.NaN);
  metrics.rateLimitRemaining(2, Number.NaN);
  const lines = await own(metrics);
  expect(lines).toContain("mainline_lock_wait_seconds_count 0");
  expect(lines.filter((line) => line.startsWith("mainline_rate_limit_remaining"))).toEqual([]);
});

test("the methods are bound: one handed on as a callback still counts", async () => {
  const metrics = new Metrics();
  const { lockWaited, gateDecided } = metrics;
  lockWaited(0.2);
  gateDecided("exception");
  const lines = await own(metrics);
  expect(lines).toContain("mainline_lock_wait_seconds_count 1");
  expect(lines).toContain('mainline_gate_decisions_total{result="exception"} 1');
});

test("each Metrics counts apart (a process may run several apps, as the tests do), and prom-client's global registry is never used", async () => {
  const first = new Metrics();
  const second = new Metrics();
  first.gateDecided("off-main");
  expect(await own(first)).toContain('mainline_gate_decisions_total{result="off-main"} 1');
  expect((await own(second)).filter((line) => line.startsWith("mainline_gate_decisions_total"))).toEqual([]);
  await first.scrape();
  expect(await register.getMetricsAsJSON()).toEqual([]);
});

describe("GET /metrics", () => {
  let server: Server;
  let url: string;
  const metrics = new Metrics();

  beforeAll(async () => {
    const endpoint = metricsEndpoint(metrics);
    server = createServer((req, res) => void endpoint(req, res).then((served) => served || res.writeHead(404).end("not mine")));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("answers the app's series in Prometheus' text format, then the process's own under the same prefix", async () => {
    metrics.delivered("push", "ok");
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const text = await res.text();
    expect(text).toContain("# HELP mainline_deliveries_total Webhook deliveries that reached a handler");
    expect(text).toContain("# TYPE mainline_deliveries_total counter");
    expect(samples(text)).toContain('mainline_deliveries_total{event="push",outcome="ok"} 1');
    expect(text).toContain("# TYPE mainline_rate_limit_remaining gauge");
    expect(text).toContain("# TYPE mainline_lock_wait_seconds histogram");
    expect(text).toMatch(/^mainline_process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^mainline_nodejs_eventloop_lag_seconds \d/m);
    // Every series is mainline's: nothing unprefixed.
    expect(samples(text).filter((line) => !line.startsWith("mainline_"))).toEqual([]);
  });

  test("leaves every other request to the next handler", async () => {
    for (const [method, path] of [["GET", "/metricsx"], ["GET", "/healthz"], ["POST", "/metrics"]] as const) {
      const res = await fetch(`${url}${path}`, { method });
      expect([method, path, res.status, await res.text()]).toEqual([method, path, 404, "not mine"]);
    }
  });

  test("a query string is still the endpoint (scrapers add their own)", async () => {
    expect((await fetch(`${url}/metrics?scrape=1`)).status).toBe(200);
  });
});
