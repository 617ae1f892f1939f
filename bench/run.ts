/**
 * mainline's benchmark against a bare-Probot floor. Measurement only: nothing here changes the app.
 *
 *   npm run bench
 *
 * builds the app (dist/) and this directory with the test helpers it uses (dist-bench/), then
 * for each scenario starts a fresh loopback GitHub test server (test/helpers/github-server.ts,
 * seeded with the scenario's repositories), starts the app as users do — `npm start` with
 * GHE_HOST/GHE_PROTOCOL=http pointing at that server, LOG_LEVEL=warn — sends it a fixed number
 * of signed webhooks, and stops both. Gate scenarios also run against the floor
 * (bench/floor-app.ts: one compare and one protection-rule answer per gate, started with
 * `probot run` too), so mainline's figures can be read as a ratio to it. In the diagnostic pass
 * the off-main gates also run against a second floor (bench/floor-reads-app.ts: the floor plus
 * the reads mainline's gate makes there: config, then compare and exception runs together),
 * which splits mainline's ratio into the price of those reads and the price of the rest. There
 * the single-repository gates run in rounds, the apps taking turns (bench/rounds.ts): medians.
 *
 * Scenarios: a gate for a commit on main (the same sha again: warm), a gate for a commit off
 * main (refused), a gate for a commit off main under an exception (approved; bench/gate-scenarios.ts
 * seeds the incident's records and this app's `mainline/exception` check run), a gate for a new
 * commit on main under a promotion rule that soaked in staging 60 minutes (SPEC section 10; the
 * gate then also reads its deployments and their statuses), a maintainer's
 * `/hotfix allow` + `/mainline help` comment in an incident, a push to main with 1, 10 and 100
 * open merge-back items, gates over 10 repositories owned by 1 installation or by 10, and the
 * incident story of test/server/incident-story.test.ts, one delivery at a time, with a row per call
 * budget of issue 15 (bench/story-calls.ts). Then
 * SPEC section 9 (bench/replica-scenarios.ts): those 10-installation gates on 1 and on 3
 * replicas sharing one real redis-server (test/helpers/redis-server.ts), deliveries spread
 * round-robin over them; and the incident comment on one replica without and with REDIS_URL,
 * what its repository's lock in Redis adds (diagnostic pass only).
 *
 * Per scenario: deliveries/s; p50 and p99 of the time from sending a delivery to the server
 * applying the decision's last write; the ratio to the floor; the app process's peak RSS
 * (VmHWM); API calls per delivery (counted, and conditional 304s); for gates, calls per decision
 * (a few deliveries sent one at a time after the warm-up: the requests between each one's send and
 * its answer); writes per delivery and the spacing between one installation's writes.
 *
 * Two passes. "As shipped" is what users run. Probot's Octokit spaces the writes of webhook
 * handlers 1 s apart (@octokit/plugin-throttling), which caps every gate scenario; the second pass
 * preloads the tests' test/helpers/without-write-spacing.mjs into the app's process (NODE_OPTIONS=--import) to remove
 * that spacing, a diagnostic of what the app itself costs. The lines of node_modules that
 * decide the spacing are located at run time and printed with the figures, with the time
 * Probot's Octokit adds to every request (its throttling and retry plugins on and off).
 *
 * BENCH_ONLY=gate-on-main,gate-off-main,gate-exception,gate-promotion (scenario keys,
 * comma-separated) runs only those scenarios; such a partial run writes its files to the system's
 * temporary directory, not over bench/results/latest.*, which always hold a full run.
 *
 * Output: a Markdown report on stdout, bench/results/latest.md and bench/results/latest.json;
 * progress on stderr. Exits 1 when a decision came out wrong or was lost, or the app made a
 * request GitHub would refuse. Loopback only; takes a few minutes, mostly the as-shipped spacing.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { GitHubTestServer } from "../test/helpers/github-server.js";
import { PUBLIC_KEY } from "../test/helpers/keys.js";
import { startRedisServer, type RedisServer } from "../test/helpers/redis-server.js";
import { credentialsFor, startApp, type RunningApp } from "../test/helpers/start-app.js";
import { measureClientCost } from "./client-overhead.js";
import { drive, roundRobin, type Outcome } from "./drive.js";
import { gateOffMain, gateOnMain, gateOnMainCold, gatePromotion, gateWithException, oneInstallation, tenInstallations } from "./gate-scenarios.js";
import { incidentCommand } from "./incident-scenario.js";
import { measureLockCost } from "./lock-cost.js";
import { findProbotProcess, peakRssMiB } from "./process-memory.js";
import { pushScenarios } from "./push-scenario.js";
import { replicaGates, repositoryLock } from "./replica-scenarios.js";
import { GATE_ROWS, renderMarkdown, runsOn, type Results, type Row } from "./report.js";
import { RequestClock } from "./request-clock.js";
import { combineRounds, inTurn, ROUNDS } from "./rounds.js";
import { DECISION_PROBE, type App, type Scenario, type Setup } from "./scenario.js";
import { startFloor } from "./start-floor.js";
import { incidentStory } from "./story-calls.js";
import { budgetedSteps, decisionCalls, summarize } from "./summarize.js";
import { throttleEvidence } from "./throttle-source.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
// The same preload the tests use for suites that are not about write spacing: one piece, loaded as it is.
const PRELOAD = pathToFileURL(`${ROOT}test/helpers/without-write-spacing.mjs`).href;

const ALL: Scenario[] = [gateOnMain, gateOnMainCold, gateOffMain, gateWithException, gatePromotion, oneInstallation, tenInstallations, incidentCommand, ...pushScenarios, incidentStory, replicaGates, repositoryLock];
const only = process.env.BENCH_ONLY?.split(",").filter(Boolean);
const SCENARIOS = only ? ALL.filter((s) => only.includes(s.key)) : ALL;

type Pass = { key: string; title: string; env: Record<string, string> };
const PASSES: Pass[] = [
  { key: "shipped", title: "As shipped", env: {} },
  {
    key: "unspaced",
    title: "Diagnostic: Probot's write spacing removed (bench preload, not what users run)",
    // With REDIS_URL mainline also spaces writes across replicas: off too, its rate-limit holds kept.
    env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import=${PRELOAD}`.trim(), MAINLINE_WRITE_SPACING_MS: "0" },
  },
];

/** One measured run: an app on a setup (one replica without Redis, unless the scenario says otherwise). */
type Contender = Setup & { app: App };

async function measure(pass: Pass, scenario: Scenario, { app, replicas, redis: withRedis }: Contender): Promise<Row> {
  const github = new GitHubTestServer(PUBLIC_KEY);
  await github.start();
  const clock = new RequestClock(github);
  const seeded = scenario.seed(github, app);
  const apps: RunningApp[] = [];
  let redis: RedisServer | undefined;
  try {
    redis = withRedis ? await startRedisServer() : undefined;
    const env = { ...credentialsFor(github.host), LOG_LEVEL: "warn", ...pass.env, ...(redis ? { REDIS_URL: redis.url } : {}) };
    while (apps.length < replicas) apps.push(app === "mainline" ? await startApp(env) : await startFloor(env, app));
    const pids = apps.map((running) => findProbotProcess(Number(new URL(running.url).port)));
    await clock.settle();
    // Each replica warms up on deliveries of its own (its tokens, its caches); from then on they are spread round-robin.
    const warm: Outcome[] = [];
    for (const [r, running] of apps.entries()) warm.push(...(await drive(running, clock, { count: seeded.warmUp, concurrency: 1, maxSeconds: 120, settled: scenario.settled, next: (i) => seeded.next(r * seeded.warmUp + i) })));
    const warmed = replicas * seeded.warmUp;
    const front = roundRobin(apps);
    await clock.settle();
    // Gates: a few decisions one at a time, each after the previous one's webhook was answered, so
    // that every request between a delivery and its answer is that decision's.
    const probe = scenario.gate ? await drive(front, clock, { count: DECISION_PROBE, concurrency: 1, maxSeconds: 120, next: (i) => seeded.next(warmed + i) }) : [];
    const decision = scenario.gate ? decisionCalls(probe, clock.seen) : undefined;
    await clock.settle();
    const first = warmed + probe.length;
    const from = clock.seen.length;
    const outcomes = await drive(front, clock, { ...scenario, next: (i) => seeded.next(first + i) });
    const figures = summarize(outcomes, clock.seen.slice(from), seeded.installationOf);
    const steps = budgetedSteps(outcomes, clock.seen.slice(from));
    const warmProblems = [...warm.map((o) => ["warm-up", o] as const), ...probe.map((o) => ["decision probe", o] as const)].flatMap(([when, o]) => (o.problem ? [`${when}: ${o.problem}`] : []));
    return {
      pass: pass.key,
      scenario: scenario.key,
      title: scenario.title,
      app,
      replicas,
      redis: withRedis,
      concurrency: scenario.concurrency,
      ...figures,
      ...(decision ? { decisionCalls: decision } : {}),
      ...(steps.length > 0 ? { steps } : {}),
      problems: [...warmProblems, ...figures.problems],
      peakRssMiB: Math.max(...pids.map(peakRssMiB)),
      apiProblems: github.problems.slice(0, 5),
    };
  } finally {
    const outputs = apps.map((running) => running.output());
    await Promise.all(apps.map((running) => running.stop()));
    await redis?.stop();
    await github.stop();
    for (const output of outputs) if (/"level":(50|60)|ERROR|FATAL/.test(output)) process.stderr.write(`  ${app} logged errors:\n${output.slice(-2000)}\n`);
  }
}

function withFloorRatios(rows: Row[]): Row[] {
  const ratio = (row: Row, to: Row) => ({ throughput: row.deliveriesPerSecond / to.deliveriesPerSecond, p50: row.p50Ms / to.p50Ms });
  return rows.map((row) => {
    const same = (app: Row["app"]) => rows.find((r) => r.app === app && r.pass === row.pass && r.scenario === row.scenario);
    const floor = same("floor");
    const readsFloor = same("floor-reads");
    if (row.app === "floor" || !floor) return row;
    return { ...row, vsFloor: ratio(row, floor), ...(row.app === "mainline" && readsFloor ? { vsReadsFloor: ratio(row, readsFloor) } : {}) };
  });
}

function commit(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src"], { cwd: ROOT, encoding: "utf8" }).trim() !== "";
    return dirty ? `${head} (src/ modified)` : head;
  } catch {
    return "unknown";
  }
}

/**
 * Gates run against the floor in every pass; the reads floor is a diagnostic, so it runs in the
 * unspaced pass only. A scenario with setups runs mainline on each of them instead.
 */
function contendersFor(pass: Pass, scenario: Scenario): Contender[] {
  if (scenario.setups) return scenario.setups.map((setup) => ({ app: "mainline", ...setup }));
  const apps: App[] = scenario.gate ? ["floor", ...(scenario.readsFloor && pass.key === "unspaced" ? (["floor-reads"] as const) : []), "mainline"] : ["mainline"];
  return apps.map((app) => ({ app, replicas: 1, redis: false }));
}

/** The diagnostic pass judges issue 11's targets on the single-repository gates, and compares setups: those run in rounds. */
function roundsFor(pass: Pass, scenario: Scenario): number {
  return pass.key === "unspaced" && (GATE_ROWS.includes(scenario.key) || scenario.setups !== undefined) ? ROUNDS : 1;
}

// What was built (npm run bench builds first): read before the runs, which take minutes.
const built = commit();
const rows: Row[] = [];
for (const pass of PASSES) {
  for (const scenario of SCENARIOS.filter((s) => !s.diagnosticOnly || pass.key === "unspaced")) {
    const contenders = contendersFor(pass, scenario);
    const measured = new Map<Contender, Row[]>();
    const rounds = roundsFor(pass, scenario);
    for (let round = 0; round < rounds; round++) {
      for (const contender of inTurn(contenders, round)) {
        const row = await measure(pass, scenario, contender);
        measured.set(contender, [...(measured.get(contender) ?? []), row]);
        process.stderr.write(
          `${pass.key} · ${scenario.key} · ${runsOn(row)}${rounds > 1 ? ` (round ${round + 1}/${rounds})` : ""}: ${row.completed}/${row.sent} delivered, ${row.deliveriesPerSecond.toFixed(2)}/s, p50 ${row.p50Ms.toFixed(0)} ms, p99 ${row.p99Ms.toFixed(0)} ms, ${row.calls.counted.toFixed(2)} calls/delivery${row.problems.length > 0 ? `, problems: ${row.problems.join("; ")}` : ""}\n`,
        );
      }
    }
    for (const contender of contenders) rows.push(combineRounds(measured.get(contender) ?? []));
  }
}

const results: Results = {
  date: new Date().toISOString(),
  command: only ? `BENCH_ONLY=${only.join(",")} npm run bench` : "npm run bench",
  commit: built,
  node: process.version,
  cpus: cpus().length,
  passes: PASSES.map(({ key, title }) => ({ key, title })),
  rows: withFloorRatios(rows),
  throttle: throttleEvidence(ROOT),
  clientCost: await measureClientCost(),
  ...(SCENARIOS.includes(repositoryLock) ? { lockCost: await measureLockCost() } : {}),
};
const markdown = renderMarkdown(results);
const out = only ? `${tmpdir()}/mainline-bench-only` : `${ROOT}bench/results/latest`;
mkdirSync(only ? tmpdir() : `${ROOT}bench/results`, { recursive: true });
writeFileSync(`${out}.json`, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(`${out}.md`, `${markdown}\n`);
process.stderr.write(`results: ${out}.md, ${out}.json\n`);
process.stdout.write(`${markdown}\n`);
if (results.rows.some((r) => r.problems.length > 0 || r.apiProblems.length > 0)) process.exitCode = 1;
