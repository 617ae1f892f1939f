import { isGraphQLQuery } from "../src/github/write-kinds.js";
import type { Budget, Outcome } from "./drive.js";
import type { SeenRequest } from "./request-clock.js";

export type Figures = {
  sent: number;
  completed: number;
  /** Wrong decisions, refused or lost deliveries (first few). */
  problems: string[];
  /** Webhooks Probot answered 202 "still processing" (its handler ran past 9 s). */
  slowAnswers: number;
  deliveriesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** API calls per delivery: counted against the rate limit, and conditional (answered 304, free). */
  calls: { counted: number; conditional: number; writes: number };
  /** Median time between two consecutive writes of one installation. */
  writeSpacingMs: number | null;
  routes: Array<{ route: string; perDelivery: number }>;
};

/** The figures of one measured run: its outcomes and every request the server saw meanwhile. */
export function summarize(outcomes: Outcome[], requests: SeenRequest[], installationOf: (repository: string) => number): Figures {
  const done = outcomes.filter((o): o is Outcome & { endAt: number } => o.endAt !== undefined && !o.problem);
  const latencies = done.map((o) => o.endAt - o.sentAt).sort((a, b) => a - b);
  const span = done.length > 0 ? Math.max(...done.map((o) => o.endAt)) - Math.min(...outcomes.map((o) => o.sentAt)) : 0;
  const sent = outcomes.length;
  const conditional = requests.filter((r) => r.status === 304).length;
  const writes = requests.filter(isWrite);
  return {
    sent,
    completed: done.length,
    problems: outcomes.flatMap((o) => (o.problem ? [o.problem] : [])).slice(0, 5),
    slowAnswers: outcomes.filter((o) => o.status === 202).length,
    deliveriesPerSecond: span > 0 ? (done.length / span) * 1000 : 0,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    calls: { counted: (requests.length - conditional) / sent, conditional: conditional / sent, writes: writes.length / sent },
    writeSpacingMs: medianSpacing(writes, installationOf),
    routes: countRoutes(requests, sent),
  };
}

/**
 * Requests per decision, counted and conditional (304), from deliveries sent one at a time: every
 * request the server saw from a delivery's send to its last write (the answer) is that decision's.
 * With their latency (p50): a decision with nothing else in flight.
 */
export function decisionCalls(outcomes: Outcome[], requests: SeenRequest[]): { counted: number; conditional: number; deliveries: number; p50Ms: number } {
  const done = outcomes.filter((o): o is Outcome & { endAt: number } => o.endAt !== undefined && !o.problem);
  const inside = done.flatMap((o) => requests.filter((r) => r.at >= o.sentAt && r.at <= o.endAt));
  const conditional = inside.filter((r) => r.status === 304).length;
  const per = (n: number) => (done.length === 0 ? NaN : n / done.length);
  const latencies = done.map((o) => o.endAt - o.sentAt).sort((a, b) => a - b);
  return { counted: per(inside.length - conditional), conditional: per(conditional), deliveries: done.length, p50Ms: percentile(latencies, 0.5) };
}

/** A budgeted delivery's calls against its budget, counted as issue 15 counts them (`isCounted`). */
export type StepCalls = Budget & {
  counted: number;
  /** Answered 304: GitHub does not count them, so they are reported apart. */
  conditional: number;
  writes: number;
  /** The calls the budget is on (all counted ones, or their GETs), in the order the server saw them. */
  calls: string[];
  latencyMs: number;
};

/**
 * One row per budgeted delivery that ended, from deliveries sent one at a time, each to its end:
 * every request the server saw from a delivery's send to its end is that delivery's.
 */
export function budgetedSteps(outcomes: Outcome[], requests: SeenRequest[]): StepCalls[] {
  return outcomes.flatMap(({ budget, sentAt, endAt }) => {
    if (!budget || endAt === undefined) return [];
    const inside = requests.filter((r) => r.at >= sentAt && r.at <= endAt);
    const counted = inside.filter(isCounted);
    const held = budget.of === "reads" ? counted.filter((r) => !isWrite(r)) : counted;
    return [
      {
        ...budget,
        counted: counted.length,
        conditional: inside.filter((r) => r.status === 304).length,
        writes: counted.filter(isWrite).length,
        calls: held.map((r) => `${r.method} ${r.path}`),
        latencyMs: endAt - sentAt,
      },
    ];
  });
}

/**
 * Issue 15's rule, as test/server/incident-story.test.ts applies it: every request counts but a
 * 304 (a conditional read of something unchanged), the installation's token and the app's own
 * identity (once an hour, once a process).
 */
function isCounted(r: SeenRequest): boolean {
  return r.status !== 304 && !r.path.endsWith("/access_tokens") && r.path !== "/app";
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/** Writes: not GET/HEAD, not a GraphQL query (the app sends no mutation), and not the token request (its own limiter). */
function isWrite(request: SeenRequest): boolean {
  if (isGraphQLQuery(request.method, request.path)) return false;
  return request.method !== "GET" && request.method !== "HEAD" && !/^\/app\/installations\/[^/]+\/access_tokens$/.test(request.path);
}

function medianSpacing(writes: SeenRequest[], installationOf: (repository: string) => number): number | null {
  const last = new Map<number, number>();
  const gaps: number[] = [];
  for (const write of [...writes].sort((a, b) => a.at - b.at)) {
    const repository = /^\/repos\/([^/]+\/[^/]+)\//.exec(write.path)?.[1];
    if (!repository) continue;
    const installation = installationOf(repository);
    const previous = last.get(installation);
    if (previous !== undefined) gaps.push(write.at - previous);
    last.set(installation, write.at);
  }
  gaps.sort((a, b) => a - b);
  return gaps.length === 0 ? null : percentile(gaps, 0.5);
}

/** Requests grouped by route (repository, numbers and SHAs elided; the org's `.github` repo kept). */
function countRoutes(requests: SeenRequest[], sent: number): Figures["routes"] {
  const counts = new Map<string, number>();
  for (const request of requests) {
    const path = request.path
      .split("?")[0]!
      .replace(/^\/repos\/[^/]+\/(?!\.github\/)[^/]+/, "/repos/{owner}/{repo}")
      .replace(/^\/repos\/[^/]+\/\.github\//, "/repos/{owner}/.github/")
      .replace(/[0-9a-f]{40}/g, "{sha}")
      .replace(/\/\d+(?=\/|$)/g, "/{n}")
      .replace(/\/[0-9a-f]{7,39}(?=\/|$)/g, "/{short sha}");
    const route = `${request.method} ${path}`;
    counts.set(route, (counts.get(route) ?? 0) + 1);
  }
  return [...counts]
    .map(([route, count]) => ({ route, perDelivery: count / sent }))
    .sort((a, b) => b.perDelivery - a.perDelivery || a.route.localeCompare(b.route));
}
