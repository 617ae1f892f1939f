import type { ClientCost } from "./client-overhead.js";
import type { LockCost } from "./lock-cost.js";
import type { Evidence } from "./throttle-source.js";
import { replicaGates, repositoryLock } from "./replica-scenarios.js";
import { DECISION_PROBE, MOST_REPLICAS, type App, type Setup } from "./scenario.js";
import type { Figures, StepCalls } from "./summarize.js";

/** One app's figures in one scenario and pass, and the setup it ran on (replicas, Redis). */
export type Row = Figures & Setup & {
  pass: string;
  scenario: string;
  title: string;
  app: App;
  concurrency: number;
  peakRssMiB: number;
  /** Requests the test server found invalid against GitHub's OpenAPI description (first few). */
  apiProblems: string[];
  /** mainline's (and the reads floor's) figures over the floor's, in the same pass (gate scenarios only). */
  vsFloor?: { throughput: number; p50: number };
  /** mainline's figures over the reads floor's, where it ran. */
  vsReadsFloor?: { throughput: number; p50: number };
  /** Gate scenarios: requests per decision, from deliveries sent one at a time (DECISION_PROBE). */
  decisionCalls?: { counted: number; conditional: number; deliveries: number; p50Ms: number };
  /** Deliveries held to a call budget of issue 15 (the incident story), in the order sent. */
  steps?: StepCalls[];
  /** Each round's own figures, when the row combines several (bench/rounds.ts). */
  rounds?: Array<{ p50Ms: number; deliveriesPerSecond: number }>;
};

export type Results = {
  date: string;
  command: string;
  commit: string;
  node: string;
  cpus: number;
  passes: Array<{ key: string; title: string }>;
  rows: Row[];
  throttle: Evidence[];
  clientCost: ClientCost[];
  /** A free repository lock taken and released by itself (with the repository-lock scenario). */
  lockCost?: LockCost;
};

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const perSecond = (value: number) => fixed(value, value < 10 ? 2 : 1);
const ms = (value: number) => fixed(value, value < 10 ? 1 : 0);

/** The app and how it ran: "mainline", "mainline + Redis", "mainline × 3 + Redis". */
export function runsOn(r: Pick<Row, "app" | "replicas" | "redis">): string {
  return `${r.app}${r.replicas > 1 ? ` × ${r.replicas}` : ""}${r.redis ? " + Redis" : ""}`;
}

export function renderMarkdown(results: Results): string {
  const lines = [
    "# mainline benchmark",
    "",
    `\`${results.command}\` — ${results.date}, commit ${results.commit}, Node ${results.node}, ${results.cpus} CPUs, GitHub = loopback test server.`,
    "",
  ];
  lines.push(...gateSummary(results), "", ...replicaTables(results), ...budgetTables(results));
  for (const pass of results.passes) {
    lines.push(`## ${pass.title}`, "", ...table(results.rows.filter((r) => r.pass === pass.key)), "");
  }
  lines.push(...throttling(results), "", ...routes(results), "", ...notes(results));
  return lines.join("\n");
}

/** The single-repository gate rows side by side with the floor, per pass: what issue 11's targets are judged on. */
export const GATE_ROWS = ["gate-on-main", "gate-on-main-cold", "gate-off-main", "gate-exception", "gate-promotion"];
const P50_TARGET = 1.3;
const WARM_CALLS_TARGET = 2;

function gateSummary(results: Results): string[] {
  const calls = (r: Row | undefined) => (r?.decisionCalls ? `${fixed(r.decisionCalls.counted, 2)} · ${fixed(r.decisionCalls.conditional, 2)}` : "–");
  const lines = results.passes.flatMap(({ key, title }) => {
    const find = (scenario: string, app: Row["app"]) => results.rows.find((r) => r.pass === key && r.scenario === scenario && r.app === app);
    const sets = GATE_ROWS.flatMap((scenario) => {
      const mainline = find(scenario, "mainline");
      const floor = find(scenario, "floor");
      return mainline && floor ? [{ mainline, floor, reads: find(scenario, "floor-reads") }] : [];
    });
    if (sets.length === 0) return [];
    const withReads = sets.some((s) => s.reads);
    const withRounds = sets.some((s) => s.mainline.rounds);
    return [
      `### ${title}`,
      "",
      `| gate | floor p50 ms · /s | mainline p50 ms · /s | mainline vs floor: p50 · /s |${withRounds ? " each round, mainline vs floor: p50 |" : ""}${withReads ? " floor + the gate's reads: p50 ms · /s (vs floor: p50) | mainline vs floor + reads: p50 · /s |" : ""} one at a time, p50 ms: floor${withReads ? " · floor + reads" : ""} · mainline | calls per decision, counted · 304: floor → mainline |`,
      `| --- | ---: | ---: | ---: |${withRounds ? " ---: |" : ""}${withReads ? " ---: | ---: |" : ""} ---: | ---: |`,
      ...sets.map(({ mainline: m, floor: f, reads: r }) => {
        const p50 = m.vsFloor?.p50 ?? NaN;
        const mark = Number.isFinite(p50) && p50 > P50_TARGET ? ` (over ${P50_TARGET}×)` : "";
        const readsCells = !withReads
          ? ""
          : r
            ? ` ${ms(r.p50Ms)} · ${perSecond(r.deliveriesPerSecond)} (${fixed(r.vsFloor?.p50 ?? NaN, 2)}×) | ${fixed(m.vsReadsFloor?.p50 ?? NaN, 2)}× · ${fixed(m.vsReadsFloor?.throughput ?? NaN, 2)}× |`
            : " | |";
        const roundCells = !withRounds ? "" : ` ${(m.rounds ?? []).map((round, i) => `${fixed(round.p50Ms / (f.rounds?.[i]?.p50Ms ?? NaN), 2)}×`).join(" · ")} |`;
        const alone = [f, ...(withReads ? [r] : []), m].map((x) => (x?.decisionCalls ? ms(x.decisionCalls.p50Ms) : "–")).join(" · ");
        return `| ${m.title} | ${ms(f.p50Ms)} · ${perSecond(f.deliveriesPerSecond)} | ${ms(m.p50Ms)} · ${perSecond(m.deliveriesPerSecond)} | ${fixed(p50, 2)}×${mark} · ${fixed(m.vsFloor?.throughput ?? NaN, 2)}× |${roundCells}${readsCells} ${alone} | ${calls(f)} → ${calls(m)} |`;
      }),
      "",
    ];
  });
  if (lines.length === 0) return [];
  return [
    "## Gate decisions against the floor",
    "",
    `Targets (issue 11): mainline's p50 within ${P50_TARGET}× the floor's in the same run, judged where Probot's write spacing does not set the pace (the diagnostic pass; as shipped, one write per second per installation paces both apps alike); warm decisions at most ${WARM_CALLS_TARGET} counted calls (304s apart). Floor: a bare Probot app making one compare and one answer. Floor + the gate's reads (diagnostic pass, gates on a commit not known to be on main): the same app also making the reads mainline's gate makes there: the config, then together the compare and this app's exception check runs (and, when there is one, its incident's issue), then the answer; it shows what those reads alone cost a bare Probot app.`,
    "",
    ...lines,
  ];
}

/** SPEC section 9: gates spread over replicas, and what a repository's lock in Redis adds to bookkeeping (bench/replica-scenarios.ts). */
function replicaTables(results: Results): string[] {
  const find = (pass: string, scenario: string, setup: Setup) => results.rows.find((r) => r.pass === pass && r.scenario === scenario && r.replicas === setup.replicas && r.redis === setup.redis);
  // Round i of one setup beside round i of the other (they took turns).
  type Round = NonNullable<Row["rounds"]>[number];
  const eachRound = (a: Row, b: Row, show: (a: Round, b: Round) => string) => (a.rounds ?? []).map((round, i) => (b.rounds?.[i] ? show(round, b.rounds[i]) : "–")).join(" · ");
  const gates = results.passes.flatMap(({ key, title }) => {
    const one = find(key, replicaGates.key, { replicas: 1, redis: true });
    const most = find(key, replicaGates.key, { replicas: MOST_REPLICAS, redis: true });
    if (!one || !most) return [];
    const rounds = eachRound(most, one, (m, o) => `${fixed(m.deliveriesPerSecond / o.deliveriesPerSecond, 2)}×`);
    return [`| ${title} | ${perSecond(one.deliveriesPerSecond)} · ${ms(one.p50Ms)} | ${perSecond(most.deliveriesPerSecond)} · ${ms(most.p50Ms)} | ${fixed(most.deliveriesPerSecond / one.deliveriesPerSecond, 2)}× · ${fixed(most.p50Ms / one.p50Ms, 2)}× | ${rounds} |`];
  });
  const locks = results.passes.flatMap(({ key, title }) => {
    const without = find(key, repositoryLock.key, { replicas: 1, redis: false });
    const withLock = find(key, repositoryLock.key, { replicas: 1, redis: true });
    if (!without || !withLock) return [];
    const rounds = eachRound(withLock, without, (w, o) => ms(w.p50Ms - o.p50Ms));
    const cost = results.lockCost;
    const alone = cost ? [cost.takeP50Ms, cost.releaseP50Ms, cost.checkP50Ms, cost.turnP50Ms].map((ms) => fixed(ms, 2)).join(" · ") : "–";
    return [`| ${title} | ${ms(without.p50Ms)} | ${ms(withLock.p50Ms)} | ${ms(withLock.p50Ms - without.p50Ms)} | ${rounds} | ${alone} |`];
  });
  if (gates.length === 0 && locks.length === 0) return [];
  return [
    "## Replicas (SPEC section 9)",
    "",
    ...(gates.length === 0
      ? []
      : [
          `### ${replicaGates.title}`,
          "",
          `| pass | 1 replica: /s · p50 ms | ${MOST_REPLICAS} replicas: /s · p50 ms | ${MOST_REPLICAS} replicas / 1 replica: /s · p50 | each round, ${MOST_REPLICAS} / 1: /s |`,
          "| --- | ---: | ---: | ---: | ---: |",
          ...gates,
          "",
        ]),
    ...(locks.length === 0
      ? []
      : [
          "### A repository's lock in Redis: the incident comment on 1 replica",
          "",
          "| pass | without REDIS_URL: p50 ms | with REDIS_URL (lock taken and released): p50 ms | difference ms | each round: difference ms | a free lock alone: take · release · a write's lock check · a write's pacing turn, p50 ms |",
          "| --- | ---: | ---: | ---: | ---: | ---: |",
          ...locks,
          "",
        ]),
    `What the rows mean: see Notes (Replicas; A repository's lock).${gates.length > 0 ? ` This machine has ${results.cpus} CPUs: the ${MOST_REPLICAS} replicas share them.` : ""}`,
    "",
  ];
}

/** Issue 15's call budgets, a row per budgeted step of the incident story (bench/story-calls.ts), per pass. */
function budgetTables(results: Results): string[] {
  const tables = results.passes.flatMap(({ key, title }) => {
    const steps = results.rows.find((r) => r.pass === key && r.steps)?.steps;
    if (!steps) return [];
    const over = steps.filter((s) => s.calls.length > s.limit);
    return [
      `### ${title}`,
      "",
      "| step | counted calls | 304 | writes | budget | within budget | latency ms |",
      "| --- | ---: | ---: | ---: | ---: | --- | ---: |",
      ...steps.map((s) => `| ${s.step} | ${s.counted} | ${s.conditional} | ${s.writes} | ${s.limit} ${s.of} | ${s.calls.length > s.limit ? `**over** (${s.calls.length})` : "within"} | ${ms(s.latencyMs)} |`),
      "",
      ...over.map((s) => `- Over: ${s.step}, ${s.calls.length} ${s.of}: ${s.calls.map((call) => `\`${call}\``).join(", ")}.`),
      ...(over.length > 0 ? [""] : []),
    ];
  });
  if (tables.length === 0) return [];
  return [
    "## Call budgets (issue 15): the incident story",
    "",
    "Counted as issue 15 and test/server/incident-story.test.ts count: every request of the delivery (from its send to its end, one delivery at a time) except 304 answers (shown apart), the installation token (`POST …/access_tokens`) and `GET /app`; writes are the counted requests other than GETs, and the push's budget is on its reads (counted GETs). Latency: from the send to the webhook's answer (for a delivery past Probot's 9 s, to /metrics counting it ended), with the loopback read of /metrics that comes just before each send to tell when it ended. The story is told once per pass (it changes the repository), after its first label (`payments`) as warm-up.",
    "",
    ...tables,
  ];
}

function table(rows: Row[]): string[] {
  return [
    "| scenario | app | delivered | in flight | deliveries/s | p50 ms | p99 ms | vs floor: /s · p50 | peak RSS MiB | calls per decision: counted · 304 | API calls/delivery: counted · 304 | writes/delivery | write spacing p50 ms |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map((r) =>
      [
        r.title,
        runsOn(r),
        r.completed === r.sent ? `${r.completed}` : `${r.completed}/${r.sent}`,
        r.concurrency,
        perSecond(r.deliveriesPerSecond),
        ms(r.p50Ms),
        ms(r.p99Ms),
        r.vsFloor ? `${fixed(r.vsFloor.throughput, 2)}× · ${fixed(r.vsFloor.p50, 2)}×${r.vsReadsFloor ? ` (vs floor + reads: ${fixed(r.vsReadsFloor.throughput, 2)}× · ${fixed(r.vsReadsFloor.p50, 2)}×)` : ""}` : "",
        fixed(r.peakRssMiB, 0),
        r.decisionCalls ? `${fixed(r.decisionCalls.counted, 2)} · ${fixed(r.decisionCalls.conditional, 2)}` : "",
        `${fixed(r.calls.counted, 2)} · ${fixed(r.calls.conditional, 2)}`,
        fixed(r.calls.writes, 2),
        r.writeSpacingMs === null ? "" : ms(r.writeSpacingMs),
      ].join(" | "),
    ).map((cells) => `| ${cells} |`),
  ];
}

function throttling(results: Results): string[] {
  const pick = (pass: string, scenario: string) => results.rows.find((r) => r.pass === pass && r.scenario === scenario && r.app === "mainline");
  const effect = results.passes.flatMap(({ key, title }) => {
    const one = pick(key, "installations-1");
    const ten = pick(key, "installations-10");
    if (!one || !ten) return [];
    return [
      `- ${title}: 1 installation ${perSecond(one.deliveriesPerSecond)}/s (p50 ${ms(one.p50Ms)} ms), 10 installations ${perSecond(ten.deliveriesPerSecond)}/s (p50 ${ms(ten.p50Ms)} ms): ×${fixed(ten.deliveriesPerSecond / one.deliveriesPerSecond, 1)}.`,
    ];
  });
  const evidence = (topic: Evidence["topic"]) => results.throttle.filter((e) => e.topic === topic).map((e) => `- \`${e.where}\`: ${e.says}.`);
  return [
    "## Probot's client throttling (read from node_modules)",
    "",
    "### Write spacing",
    "",
    ...evidence("spacing"),
    "",
    ...conclusion(shared(results)),
    ...effect,
    "",
    "### Cost of every request",
    "",
    ...evidence("per-request"),
    "",
    "Measured in the bench process, one GET after another to the loopback server:",
    "",
    "| client | ms per request |",
    "| --- | ---: |",
    ...results.clientCost.map((c) => `| ${c.client} | ${fixed(c.msPerRequest, 1)} |`),
    "",
    "Removing the spacing (second pass) leaves this cost: a handler that reads one thing after another pays it on every call, before GitHub's own latency. mainline sends each read straight out first (src/github/direct-reads.ts: the client's authentication, at most 10 reads of an installation at once) and hands it to the plugins only when GitHub's answer is one they act on (none, 5xx, 429, a rate-limited 403); its writes go through them as before. The floor + reads app uses Probot's client as shipped, so it shows what the same reads cost without that.",
  ];
}

/** Whether ten installations went no faster than one in the as-shipped pass (one limiter for all); unknown when either was not run. */
function shared(results: Results): boolean | undefined {
  const shipped = results.passes[0]?.key;
  const rate = (scenario: string) => results.rows.find((r) => r.pass === shipped && r.scenario === scenario && r.app === "mainline")?.deliveriesPerSecond;
  const one = rate("installations-1");
  const ten = rate("installations-10");
  return one === undefined || ten === undefined ? undefined : ten < 1.5 * one;
}

function conclusion(shared: boolean | undefined): string[] {
  if (shared === undefined) return ["(Run the installations-1 and installations-10 scenarios to see how the spacing is shared.)", ""];
  const measured = "Measured: the same 10 repositories under the same load, owned by one installation or by ten:";
  return [
    shared
      ? `So, as shipped, the write limiter is one per process (each replica its own) for all installations together: webhook handlers get at most one write per second (one notifying write per 3 s) however many installations send events, and every gate answer is a write. ${measured}`
      : `So, as installed, each installation's writes are spaced by their own limiter: one write per second (one notifying write per 3 s) per installation. ${measured}`,
    "",
  ];
}

function routes(results: Results): string[] {
  const shipped = results.passes[0]?.key;
  const rows = results.rows.filter((r) => r.pass === shipped && r.app === "mainline");
  return [
    "## API calls per delivery, by route (mainline, as shipped)",
    "",
    ...rows.flatMap((r) => [`- **${r.title}**${r.replicas > 1 || r.redis ? ` (${runsOn(r)})` : ""}: ${r.routes.map((x) => `\`${x.route}\` ${fixed(x.perDelivery, 2)}`).join(", ")}`]),
  ];
}

function notes(results: Results): string[] {
  const where = (r: Row) => `${r.pass} ${r.scenario} ${r.app}`;
  const slow = results.rows.filter((r) => r.slowAnswers > 0).map((r) => `${where(r)} ${r.slowAnswers}/${r.sent}`);
  const problems = results.rows.flatMap((r) => [...r.problems, ...r.apiProblems].map((p) => `${where(r)}: ${p}`));
  return [
    "## Notes",
    "",
    "- Latency: from sending a signed delivery to the test server applying the decision's last write (the gate's protection-rule answer, the command's reply, the push's ledger edit; for the incident story, the webhook's answer). Deliveries/s: completed deliveries over the time from the first send to the last such write. Closed loop: at most \"in flight\" deliveries outstanding; each scenario stops sending at its count or its time cap, whichever comes first, after warm-up deliveries that are not counted.",
    "- Apps: mainline; floor (bench/floor-app.ts, one compare and one answer); floor-reads (bench/floor-reads-app.ts, diagnostic pass only: the floor plus the reads mainline's gate makes on a commit not known to be on main — the config, then the compare together with the exception check runs and, when there is one, its incident's issue; it decides as the floor does).",
    `- Calls per decision (gate rows): ${DECISION_PROBE} deliveries sent one at a time after the warm-up, each once the previous one's webhook was answered (its bookkeeping over): every request the server saw from a delivery's send to its answer, per delivery, counted · 304. The floor's are its compare and its answer. \"One at a time\" is the p50 latency of those same ${DECISION_PROBE} deliveries: a decision with nothing else in flight (as shipped, an answer still waits for the second since the installation's previous write).`,
    "- Gate under an exception: mainline approves, the floor (which knows no exceptions) refuses the same deliveries after the same compare. mainline's bookkeeping after each approval (the deploy record, the merge-back issue, the run marked used, the ledger) runs after the answer and after the gate decisions then in flight (src/delivery/one-at-a-time.ts: at most 5 s from when it was queued), one delivery at a time per repository; so that ten decisions are in flight as in the other rows, a measured delivery frees its slot at the answer, and the webhooks' answers are awaited (and checked) before the run ends. Its API calls/delivery column counts what that bookkeeping did meanwhile; calls per decision do not.",
    "- Gate under promotion (SPEC section 10; `promotion: { production: { after: staging, soakMinutes: 30 } }`): a new commit on main each time, each deployed to staging by GitHub Actions' bot, which reported `success` on it 60 minutes before the run. Beside the cold row's reads, mainline reads S's deployments to staging and to production (one page each, together), then each one's statuses (together): the staging deployment's `success`, and the production deployment the protection rule is about, which has none (so no rollback exemption). The floor, which knows no promotion, approves the same deliveries on the compare alone; there is no floor + reads for this row (that floor does not read deployments).",
    "- Rounds (diagnostic pass, single-repository gate rows and the replica rows): each app (or setup) runs each scenario several times, taking turns (floor, mainline, then mainline, floor, …); a row's p50 and deliveries/s are the medians over its rounds (peak RSS the highest), the ratio to the floor is the ratio of those medians, and \"each round\" shows every round's own ratio. On two shared cores one run's p50 drifts by a fifth from the next, the floor's as much as mainline's. Other figures are those of the round with the median p50. `BENCH_ROUNDS=n` changes the count (default 3).",
    "- API calls/delivery counts every request the server saw during the measured deliveries (token requests included). 304: GETs answered 304 Not Modified to the ETag of the last answer (If-None-Match), which GitHub does not count against the rate limit; counted is every other request. The loopback server gives every 200 GET a weak ETag and answers 304 as GitHub does; a 404 (an absent config file) has none, so it is never conditional. The gate repositories have their own `.github/mainline.yml`. The floors send no If-None-Match.",
    "- Peak RSS: VmHWM of the app's node process, started fresh for each scenario (and round).",
    "- Write spacing: median time between two consecutive writes of one installation, as the server saw them.",
    `- Replicas (SPEC section 9; \`${replicaGates.key}\`): the gates over 10 repositories of 10 installations, seeded as in the 10-installations row, on 1 and on ${MOST_REPLICAS} replicas of mainline, each started as users start it (\`npm start\`), all with REDIS_URL of one redis-server the bench starts for the run (a free loopback port; stopped by its pid). Each replica first warms up on deliveries of its own (one per repository: its tokens and caches); then the bench sends the deliveries round-robin over the replicas, as a load balancer would, 10 in flight in all. The ratio is ${MOST_REPLICAS} replicas' figure over 1 replica's in the same run (diagnostic pass: medians over rounds, the setups taking turns; "each round" shows every round's own). The 1-replica row has REDIS_URL too, so the ratio isolates the number of replicas; what REDIS_URL itself changes (calls per decision among others) shows against the 10-installations row. Gate decisions take no lock, so the replicas share nothing while deciding. On this machine the ${MOST_REPLICAS} replicas share the same ${results.cpus} cores (with the bench and the loopback server): in the diagnostic pass the ratio shows what spreading over replicas costs (more processes on the same cores, a cache and tokens each, round-robin), not a capacity gain; on machines of their own each replica would bring its own cores. As shipped, the ratio shows the write spacing instead: each replica paces its own writes (~${MOST_REPLICAS}×) or they share one pace (~1×). Peak RSS of such a row is its highest replica's.`,
    `- A repository's lock (\`${repositoryLock.key}\`, diagnostic pass only): the incident comment (\`/hotfix allow\` + \`/mainline help\`, seeded as in the incident row; ${repositoryLock.count} measured, one at a time) on one replica without REDIS_URL, then with REDIS_URL and its own redis-server: each delivery's work then holds its repository's lock in Redis (src/coordination/repository-lock.ts: taken before the work and released after it, so after the reply, where the latency ends). Nobody else holds it: the difference is the cost of taking a free lock (a round trip to Redis on loopback), not of waiting for one. p50 of each (medians over rounds), their difference, and each round's difference, which shows how much of it is noise. "A free lock alone": the same lock (its class, over an ioredis connection to a redis-server of its own) taken and released ${results.lockCost?.holds ?? "–"} times around no work in the bench process, p50 of each step: what the difference is made of, without the noise of two app processes; and, per write made under it, the check that the lock is still held (src/github/fenced-writes.ts) and a turn in the replicas' shared write pacing without spacing (src/coordination/write-pacing.ts, one round trip). As shipped, the comment's writes are spaced 1–3 s apart and milliseconds would not show.`,
    "- The loopback server (with its OpenAPI check of every request) runs in the bench process, on the same cores as the app.",
    `- Webhooks answered 202 "still processing" (Probot answers so after 9 s; GitHub gives up at 10 s): ${slow.length > 0 ? slow.join("; ") : "none"}.`,
    `- Wrong or lost decisions and invalid API requests: ${problems.length > 0 ? problems.join("; ") : "none"}.`,
  ];
}
