import { Probot } from "probot";
import { decisionLog } from "../src/decision-log.js";
import { sweepDeliveriesOnce } from "../src/delivery-sweep.js";
import { installationClients } from "../src/github/installation-client.js";
import { Metrics } from "../src/metrics.js";
import { deploymentCreated, INSTALLATION_ID, OWNER, protectionRuleRequested, REPO, SHA } from "./helpers/fixtures.js";
import { GitHubTestServer, type NewHookDelivery, type Repository } from "./helpers/github-server.js";
import { PRIVATE_KEY, PUBLIC_KEY } from "./helpers/keys.js";
import { capturedLogger } from "./helpers/log-capture.js";
import { loadTestApp, NOW, testProbot } from "./helpers/test-app.js";

// Where each series of GET /metrics is counted, against the loopback GitHub: deliveries around
// the handlers, gate decisions at the decision log, requests at the installation's client,
// redeliveries in the missed-webhook sweep.
const ROOT = "f".repeat(40);

let github: GitHubTestServer;
let repo: Repository;
let now: number;

beforeEach(async () => {
  now = NOW.getTime();
  github = new GitHubTestServer({ appPublicKey: PUBLIC_KEY, appId: 123 });
  github.clock = { now: () => new Date(now) };
  await github.start();
  repo = github.addRepo(OWNER, REPO, "master");
  github.commit(repo, ROOT, null);
  github.commit(repo, SHA.onMain, ROOT);
  github.commit(repo, SHA.mainHead, SHA.onMain, "master");
  github.commit(repo, SHA.offMain, ROOT, "hotfix/payments");
});

afterEach(async () => {
  await github.stop();
  expect(github.problems).toEqual([]);
});

/** The value of one sample in the app's own series, or undefined when there is none. */
async function sample(metrics: Metrics, series: string): Promise<number | undefined> {
  const line = (await metrics.registry.metrics()).split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function samples(metrics: Metrics, name: string): Promise<string[]> {
  return (await metrics.registry.metrics()).split("\n").filter((line) => line.startsWith(`${name}{`));
}

test("through the app: each delivery by event and outcome (ok, failed, dropped), each gate decision by result, each request GitHub answered", async () => {
  const metrics = new Metrics();
  const probot = testProbot(capturedLogger().log, github.apiBase);
  await loadTestApp(probot, { metrics });

  await probot.receive({ id: "d-1", name: "deployment_protection_rule", payload: protectionRuleRequested({ sha: SHA.offMain, runId: 1, apiBase: github.apiBase }) as never });
  await probot.receive({ id: "d-2", name: "deployment_protection_rule", payload: protectionRuleRequested({ sha: SHA.onMain, runId: 2, apiBase: github.apiBase }) as never });
  // GitHub failing every read: the gate cannot verify the commit and refuses; marking the refusal
  // fails too, so the delivery fails and comes again.
  const heal = github.fail((method) => method === "GET", { status: 500, body: { message: "Server Error" } });
  await expect(probot.receive({ id: "d-3", name: "deployment", payload: deploymentCreated({ sha: SHA.offMain, deploymentId: 77 }) as never })).rejects.toThrow();
  heal();
  // Malformed: no repository, no issue. Dropped before a handler or a request.
  await probot.receive({ id: "d-4", name: "issues", payload: { action: "labeled", installation: { id: INSTALLATION_ID } } as never });

  expect(await samples(metrics, "mainline_deliveries_total")).toEqual([
    'mainline_deliveries_total{event="deployment_protection_rule.requested",outcome="ok"} 2',
    'mainline_deliveries_total{event="deployment.created",outcome="failed"} 1',
    'mainline_deliveries_total{event="issues.labeled",outcome="dropped"} 1',
  ]);
  expect(await samples(metrics, "mainline_gate_decisions_total")).toEqual([
    'mainline_gate_decisions_total{result="off-main"} 1',
    'mainline_gate_decisions_total{result="on-main"} 1',
    'mainline_gate_decisions_total{result="unverifiable"} 1',
  ]);
  // What the server answered the installation (not the app's own token requests), 304s apart.
  const answered = github.log.filter((r) => !r.path.startsWith("/app/") && r.status !== 0);
  expect(answered.length).toBeGreaterThan(0);
  expect(await sample(metrics, 'mainline_github_requests_total{kind="counted"}')).toBe(answered.filter((r) => r.status !== 304).length);
  expect(await sample(metrics, 'mainline_github_requests_total{kind="not_modified"}')).toBe(answered.filter((r) => r.status === 304).length);
});

describe("an installation's client, as the app builds it (Probot's plugins on, reads sent directly first)", () => {
  const client = (metrics: Metrics) => {
    const probot = new Probot({ appId: 123, privateKey: PRIVATE_KEY, baseUrl: github.apiBase, log: capturedLogger().log });
    return installationClients(probot, 5_000, true, metrics)(INSTALLATION_ID);
  };
  const issues = { owner: OWNER, repo: REPO };

  test("counts each answer, a 304 as not_modified, and keeps the installation's rate-limit remaining; the app's own token request is not counted", async () => {
    github.rateLimitRemaining = 5000;
    const metrics = new Metrics();
    const octokit = await client(metrics);

    const first = await octokit.request("GET /repos/{owner}/{repo}/issues", issues);
    const again = await octokit.request("GET /repos/{owner}/{repo}/issues", issues);

    expect([first.status, again.status]).toEqual([200, 200]);
    expect(github.log.map((r) => `${r.status} ${r.method} ${r.path}`)).toEqual([
      `201 POST /app/installations/${INSTALLATION_ID}/access_tokens`,
      `200 GET /repos/${OWNER}/${REPO}/issues`,
      `304 GET /repos/${OWNER}/${REPO}/issues`,
    ]);
    expect(await samples(metrics, "mainline_github_requests_total")).toEqual([
      'mainline_github_requests_total{kind="counted"} 1',
      'mainline_github_requests_total{kind="not_modified"} 1',
    ]);
    expect(await samples(metrics, "mainline_rate_limit_remaining")).toEqual([`mainline_rate_limit_remaining{installation="${INSTALLATION_ID}"} 4999`]);
  });

  test("each attempt counts: a read that failed and was sent again is two answers", async () => {
    const metrics = new Metrics();
    const octokit = await client(metrics);
    let failures = 0;
    github.injectFault((method, path) => (method === "GET" && path.endsWith("/issues") && failures++ === 0 ? { status: 502, body: { message: "Bad Gateway" } } : undefined));

    expect((await octokit.request("GET /repos/{owner}/{repo}/issues", issues)).status).toBe(200);

    expect(github.calls((r) => r.method === "GET")).toHaveLength(2);
    expect(await sample(metrics, 'mainline_github_requests_total{kind="counted"}')).toBe(2);
    // No header from this GitHub (as from a GHES with rate limits off): no gauge rather than a made-up value.
    expect(await samples(metrics, "mainline_rate_limit_remaining")).toEqual([]);
  });
});

test("the decision log counts the gate's decisions by outcome, and no other surface's", async () => {
  const metrics = new Metrics();
  const decisions = decisionLog({ id: "d-1", name: "deployment", log: capturedLogger().log, payload: { action: "created" } } as never, metrics);
  decisions.decided("gate", "exception", { sha: SHA.offMain }, "allowed under incident #1");
  decisions.decided("check", "failure", {}, "not on main");
  decisions.decided("command", "done", {}, "done");
  expect(await samples(metrics, "mainline_gate_decisions_total")).toEqual(['mainline_gate_decisions_total{result="exception"} 1']);
});

test("the sweep counts each redelivery it asked for (ok), each GitHub refused (failed), and each event it gave up on, once (abandoned)", async () => {
  const INTERVAL = 10 * 60_000;
  const metrics = new Metrics();
  const probot = testProbot(capturedLogger().log, github.apiBase);
  const abandoned = new Set<string>();
  const sweep = () =>
    sweepDeliveriesOnce(probot, { intervalMs: INTERVAL, lookbackMs: 24 * 3_600_000, lock: { acquire: async () => true, release: async () => {} }, now: () => new Date(now), abandoned, metrics });
  const failed = (guid: string): NewHookDelivery => ({ guid, event: "deployment_protection_rule", action: "requested", status_code: 502, delivered_at: new Date(now - 3_600_000).toISOString() });

  // Every redelivery fails again: asked three times, then given up (reported, and counted, once).
  github.deliveries.seed(failed("refused"));
  github.deliveries.receiver = () => 400;
  for (let i = 0; i < 6; i++, now += INTERVAL) await sweep();
  expect(await samples(metrics, "mainline_redeliveries_total")).toEqual([
    'mainline_redeliveries_total{outcome="ok"} 3',
    'mainline_redeliveries_total{outcome="failed"} 0',
    'mainline_redeliveries_total{outcome="abandoned"} 1',
  ]);

  const [unlucky] = github.deliveries.seed(failed("unlucky"));
  github.fail((method, path) => method === "POST" && path.includes(`/${unlucky!.id}/`), { status: 422, body: { message: "Validation Failed" } });
  await sweep();
  expect(await sample(metrics, 'mainline_redeliveries_total{outcome="failed"}')).toBe(1);
  expect(await sample(metrics, 'mainline_redeliveries_total{outcome="abandoned"}')).toBe(1);
});
