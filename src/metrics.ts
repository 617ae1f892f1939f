import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** How a delivery that reached a handler ended: `dropped` is a malformed payload ignored by delivery/well-formed.ts. */
export type DeliveryOutcome = "ok" | "failed" | "dropped";

/** `not_modified`: a conditional read answered 304, which GitHub does not count against the rate limit. */
export type RequestKind = "counted" | "not_modified";

/** What came of one event the missed-delivery sweep picked: redelivery asked (`ok`), refused by GitHub, or given up. */
export type RedeliveryOutcome = "ok" | "failed" | "abandoned";

/**
 * Waits for a repository's lock, in seconds: from a free lock (a few ms to Redis) to a wait
 * behind another replica's work, or one that held it until its expiry (seconds).
 */
const LOCK_WAIT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The series `GET /metrics` shows (SPEC §9), on a registry of their own: a process may run
 * several apps (the tests do), and each counts only its own deliveries. Each method is bound,
 * so it may be handed on as a callback (`waited: metrics.lockWaited`).
 */
export class Metrics {
  readonly registry = new Registry();

  readonly #deliveries = new Counter({
    name: "mainline_deliveries_total",
    help: "Webhook deliveries that reached a handler, by event (event.action) and outcome (ok, failed, dropped)",
    labelNames: ["event", "outcome"] as const,
    registers: [this.registry],
  });

  readonly #gateDecisions = new Counter({
    name: "mainline_gate_decisions_total",
    help: "Deploy gate decisions by result (the decision log's outcome: on-main, exception, off-main, unverifiable, not-gated, no-commit, error…)",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });

  readonly #requests = new Counter({
    name: "mainline_github_requests_total",
    help: "GitHub API requests answered, made for installations: counted against the rate limit, or not_modified (304, free)",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });

  readonly #rateLimitRemaining = new Gauge({
    name: "mainline_rate_limit_remaining",
    help: "The installation's requests left in GitHub's rate-limit window, as its last answer said (x-ratelimit-remaining)",
    labelNames: ["installation"] as const,
    registers: [this.registry],
  });

  readonly #lockWaits = new Histogram({
    name: "mainline_lock_wait_seconds",
    help: "How long work waited for its repository's lock",
    buckets: LOCK_WAIT_BUCKETS,
    registers: [this.registry],
  });

  readonly #pacingWaits = new Histogram({
    name: "mainline_write_pacing_wait_seconds",
    help: "How long a write waited for its installation's turn shared by the replicas (REDIS_URL)",
    buckets: LOCK_WAIT_BUCKETS,
    registers: [this.registry],
  });

  readonly #redeliveries = new Counter({
    name: "mainline_redeliveries_total",
    help: "Events the missed-delivery sweep picked, by outcome: redelivery asked (ok), refused by GitHub (failed), given up (abandoned)",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  constructor() {
    // Known from the start at 0, so that a rate over the first increase is not lost.
    for (const kind of ["counted", "not_modified"] as const) this.#requests.inc({ kind }, 0);
    for (const outcome of ["ok", "failed", "abandoned"] as const) this.#redeliveries.inc({ outcome }, 0);
  }

  readonly delivered = (event: string, outcome: DeliveryOutcome): void => this.#deliveries.inc({ event, outcome });

  readonly gateDecided = (result: string): void => this.#gateDecisions.inc({ result });

  readonly requested = (kind: RequestKind): void => this.#requests.inc({ kind });

  readonly rateLimitRemaining = (installation: number, remaining: number): void => {
    if (Number.isFinite(remaining)) this.#rateLimitRemaining.set({ installation: String(installation) }, remaining);
  };

  /** A wait that is no duration (a clock that went back) is left out rather than counted as a fast one. */
  readonly lockWaited = (seconds: number): void => {
    if (Number.isFinite(seconds) && seconds >= 0) this.#lockWaits.observe(seconds);
  };

  readonly writePaced = (seconds: number): void => {
    if (Number.isFinite(seconds) && seconds >= 0) this.#pacingWaits.observe(seconds);
  };

  readonly redelivered = (outcome: RedeliveryOutcome): void => this.#redeliveries.inc({ outcome });

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text `GET /metrics` answers: this app's series, then the process's own (CPU, memory, event loop, GC). */
  async scrape(): Promise<string> {
    return `${await this.registry.metrics()}\n${await processRegistry().metrics()}`;
  }
}

let processMetrics: Registry | undefined;

/**
 * The process's own series, prefixed `mainline_`, in one registry per process: they describe the
 * process, not an app, and prom-client's event-loop monitor and GC observer are never stopped,
 * so one is made for the process and only on the first scrape (an app never scraped, like every
 * test app, starts none).
 */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics, prefix: "mainline_" });
  }
  return processMetrics;
}
