import type { Probot } from "probot";
import type { SharedRedis } from "./coordination/redis.js";
import { DEFAULT_HEARTBEAT_TIMEOUT_SECONDS, redisDeliveriesInProgress, type DeliveriesInProgress } from "./coordination/deliveries-in-progress.js";
import { NO_SWEEP_LOCK, redisSweepLock, type SweepLock } from "./coordination/sweep-lock.js";
import { listDeliveriesSince, redeliver } from "./github/deliveries.js";
import { MAX_LOOKBACK_HOURS, planRedeliveries, type Abandoned, type DeliveryRow, type RedeliveryPlan } from "./policy/redelivery.js";
import type { Metrics } from "./metrics.js";

/**
 * GitHub never retries a failed webhook delivery: an event sent while the app was down (a
 * deployment protection rule, above all, which then waits up to 30 days for an answer) is lost
 * unless someone asks GitHub to deliver it again. This sweep asks, at start-up and then every
 * interval, for every recent event that never reached the app; with REDIS_URL, also for every
 * event whose work did not finish after GitHub had its 202 (the replicas' journal of deliveries in
 * progress, coordination/deliveries-in-progress.ts), which GitHub counts as delivered.
 */

export type SweepOptions = {
  intervalMs: number;
  lookbackMs: number;
  lock: SweepLock;
  now?: () => Date;
  /** Events already reported as given up; the sweep keeps it current, so each is reported once per process. */
  abandoned?: Set<string>;
  /** Counts each redelivery asked, refused, and each event given up (once, as it is reported). */
  metrics?: Pick<Metrics, "redelivered">;
  /** With REDIS_URL: the replicas' journal of deliveries in progress, and how long a replica may go without a heartbeat. */
  inProgress?: { journal: Pick<DeliveriesInProgress, "read" | "settle">; heartbeatTimeoutMs: number };
};

export type SweepResult =
  | { ran: false }
  | {
      ran: true;
      listed: number;
      pages: number;
      failed: number;
      redelivered: number;
      skipped: number;
      errors: number;
      /** With the journal: its entries whose work did not finish (no heartbeat, failed after a 202, a redelivery that never started). */
      unfinished?: number;
    };

/**
 * One sweep: list the deliveries of the look-back window, redeliver what the policy picks, log
 * each redelivery and a summary. A sweep that finished keeps the lock until it expires (just
 * under an interval), so no replica sweeps again before GitHub has recorded the redeliveries
 * this one asked for; a sweep that failed releases it for the next replica to try.
 */
export async function sweepDeliveriesOnce(probot: Probot, options: SweepOptions): Promise<SweepResult> {
  if (!(await options.lock.acquire())) {
    probot.log.debug("missed-webhook sweep skipped: another replica swept within the interval");
    return { ran: false };
  }
  try {
    const now = options.now?.() ?? new Date();
    const octokit = await probot.auth();
    // The journal first: GitHub's list, read after it, then holds the attempts its entries speak of.
    const journal = await options.inProgress?.journal.read();
    if (options.inProgress && !journal) probot.log.warn("missed-webhook sweep: Redis did not answer, so deliveries whose work did not finish after GitHub's 202 wait for the next sweep");
    const { deliveries, pages } = await listDeliveriesSince(octokit, new Date(now.getTime() - options.lookbackMs));
    const inProgress = journal && options.inProgress ? { ...journal, heartbeatTimeoutMs: options.inProgress.heartbeatTimeoutMs } : undefined;
    const plan = planRedeliveries({ deliveries, now, lookbackMs: options.lookbackMs, intervalMs: options.intervalMs, ...(inProgress ? { inProgress } : {}) });
    const settled = await settleJournal(probot, plan, options.inProgress?.journal);
    let redelivered = 0;
    let asked = 0;
    for (const { row, why, work } of plan.redeliver) {
      // Each unfinished event once: only those this sweep marked `asked` (a run that started or beat meanwhile is left alone).
      if (work && !settled.has(work.guid)) continue;
      asked++;
      try {
        await redeliver(octokit, row.id);
        redelivered++;
        options.metrics?.redelivered("ok");
        probot.log.info({ ...deliveryFields(row), why }, `asked GitHub to redeliver ${eventName(row)} ${row.guid}: ${why}`);
      } catch (error) {
        options.metrics?.redelivered("failed");
        probot.log.error({ err: error, ...deliveryFields(row), why }, `GitHub refused to redeliver ${eventName(row)} ${row.guid}`);
      }
    }
    reportAbandoned(probot, plan.abandoned, options.abandoned, options.metrics);
    const errors = asked - redelivered;
    const skipped = plan.waiting + plan.abandoned.length + (plan.redeliver.length - asked);
    const result = { ran: true as const, listed: plan.listed, pages, failed: plan.failed, redelivered, skipped, errors, ...(inProgress ? { unfinished: plan.unfinished } : {}) };
    const { ran: _ran, ...counts } = result;
    const unfinished = inProgress ? `, unfinished ${plan.unfinished}` : "";
    probot.log.info(counts, `missed-webhook sweep: listed ${plan.listed}, failed ${plan.failed}${unfinished}, redelivered ${redelivered}, skipped ${skipped}`);
    return result;
  } catch (error) {
    await options.lock.release();
    throw error;
  }
}

/**
 * Marks in the journal the unfinished events this sweep redelivers (`asked`: the redelivery's own
 * run then owes their work, and no sweep asks again within an interval), and forgets those it
 * gives up on or need no redelivery of their own. Each only if unchanged since the journal was
 * read. The guids marked `asked`; none when Redis did not answer (they wait for the next sweep).
 */
async function settleJournal(probot: Probot, plan: RedeliveryPlan, journal: Pick<DeliveriesInProgress, "settle"> | undefined): Promise<Set<string>> {
  const asked = plan.redeliver.flatMap(({ work }) => (work ? [{ work, to: "asked" as const }] : []));
  const forgotten = [...plan.forget, ...plan.abandoned].flatMap(({ work }) => (work ? [{ work, to: "forgotten" as const }] : []));
  if (!journal || asked.length + forgotten.length === 0) return new Set();
  const changed = await journal.settle([...asked, ...forgotten]);
  if (!changed) {
    probot.log.warn({ unfinished: asked.length }, "missed-webhook sweep: Redis did not answer, so deliveries whose work did not finish are redelivered by the next sweep");
    return new Set();
  }
  for (const { work, why } of plan.forget) if (changed.has(work.guid)) probot.log.debug({ guid: work.guid, state: work.state, why }, `delivery ${work.guid} dropped from the deliveries in progress: ${why}`);
  return new Set(asked.filter(({ work }) => changed.has(work.guid)).map(({ work }) => work.guid));
}

/** An event given up on is an error a person must see, but once: the sweep finds it again every interval. */
function reportAbandoned(probot: Probot, abandoned: readonly Abandoned[], reported = new Set<string>(), metrics?: Pick<Metrics, "redelivered">): void {
  for (const { row, redeliveries, why, work } of abandoned) {
    if (reported.has(row.guid)) continue;
    metrics?.redelivered("abandoned");
    const what = work ? "did not finish" : "never reached the app";
    probot.log.error(
      { ...deliveryFields(row), redeliveries, why },
      `${eventName(row)} ${row.guid} ${what}: ${why}. The sweep stops trying; once the cause is fixed, redeliver it from the app's settings (Advanced → Recent Deliveries).`,
    );
  }
  const current = new Set(abandoned.map(({ row }) => row.guid));
  for (const guid of reported) if (!current.has(guid)) reported.delete(guid);
  for (const guid of current) reported.add(guid);
}

function deliveryFields(row: DeliveryRow) {
  return { guid: row.guid, event: row.event, action: row.action, deliveryId: row.id, statusCode: row.status_code, status: row.status };
}

function eventName(row: DeliveryRow): string {
  return row.action ? `${row.event}.${row.action}` : row.event;
}

export type DeliverySweepOptions = {
  /** MAINLINE_REDELIVERY_INTERVAL_MINUTES: time between sweeps; 0 turns the sweep off. */
  intervalMs: number;
  /** MAINLINE_REDELIVERY_LOOKBACK_HOURS: how far back deliveries are looked at, at most 72 h. */
  lookbackMs: number;
  /** MAINLINE_REDELIVERY: "on" sweeps on this replica even without a shared lock; "off" never sweeps. */
  redelivery?: string;
  /** The replica's Redis (REDIS_URL): the replicas share a lock there, so one sweep runs at a time. */
  redis?: SharedRedis;
  now?: () => Date;
  /** The first sweep waits this long, so the redeliveries it asks for find this process listening. */
  firstSweepDelayMs?: number;
  /** Where the sweep's redeliveries are counted. */
  metrics?: Pick<Metrics, "redelivered">;
  /** With `redis`: how long a replica may go without a heartbeat before its work is taken for lost (MAINLINE_HEARTBEAT_TIMEOUT_SECONDS). */
  heartbeatTimeoutMs?: number;
};

/**
 * The sweep's settings from the environment. A value that is not a usable number keeps the
 * default; the look-back is capped at 72 h, as GitHub keeps no older deliveries.
 */
export function deliverySweepOptionsFromEnv(env: NodeJS.ProcessEnv): DeliverySweepOptions {
  const minutes = numberOr(env.MAINLINE_REDELIVERY_INTERVAL_MINUTES, 10, (n) => n >= 0);
  const hours = Math.min(MAX_LOOKBACK_HOURS, numberOr(env.MAINLINE_REDELIVERY_LOOKBACK_HOURS, 24, (n) => n > 0));
  return { intervalMs: minutes * 60_000, lookbackMs: hours * 3_600_000, redelivery: env.MAINLINE_REDELIVERY };
}

function numberOr(text: string | undefined, fallback: number, usable: (value: number) => boolean): number {
  const value = Number(text?.trim() || Number.NaN);
  return Number.isFinite(value) && usable(value) ? value : fallback;
}

/**
 * Whether this replica runs the sweep at all: not with MAINLINE_REDELIVERY=off, nor with an
 * interval of 0. (With REDIS_URL, it then takes turns with the other replicas that do.)
 */
export function sweepsHere(options: Pick<DeliverySweepOptions, "intervalMs" | "redelivery">): boolean {
  return options.intervalMs > 0 && options.redelivery?.trim().toLowerCase() !== "off";
}

/**
 * Sweeps at start-up and then every interval, on this replica if it may (see chooseLock).
 * Returns a function that stops it.
 */
export function startDeliverySweep(probot: Probot, options: DeliverySweepOptions): () => void {
  if (!sweepsHere(options)) return () => {};
  let stopped = false;
  let running = false;
  const timers: NodeJS.Timeout[] = [];
  const abandoned = new Set<string>();
  const { intervalMs, lookbackMs, now, metrics } = options;
  void chooseLock(probot, options)
    .catch((error: unknown) => void probot.log.error({ err: error }, "missed-webhook sweep could not start"))
    .then((chosen) => {
      if (!chosen || stopped) return;
      const sweep = () => {
        if (running) return;
        running = true;
        sweepDeliveriesOnce(probot, { intervalMs, lookbackMs, lock: chosen.lock, now, abandoned, metrics, ...(chosen.inProgress ? { inProgress: chosen.inProgress } : {}) })
          .catch((error: unknown) => probot.log.error({ err: error }, "missed-webhook sweep failed"))
          .finally(() => (running = false));
      };
      timers.push(setTimeout(sweep, options.firstSweepDelayMs ?? 5_000), setInterval(sweep, intervalMs));
      for (const timer of timers) timer.unref();
      probot.log.info(
        { intervalMinutes: intervalMs / 60_000, lookbackHours: lookbackMs / 3_600_000, lock: chosen.kind },
        "missed-webhook sweep on: failed deliveries are redelivered",
      );
    });
  return () => {
    stopped = true;
    for (const timer of timers) clearTimeout(timer);
  };
}

type ChosenLock = { lock: SweepLock; kind: "redis" | "none"; inProgress?: SweepOptions["inProgress"] };

/**
 * Several replicas must not sweep at once, or one event is redelivered by each. With REDIS_URL
 * they share a lock. Without it this process is taken to be the only one (the embedded default:
 * a single replica that refuses deliveries while it restarts must get them back), unless
 * MAINLINE_REDELIVERY=off says another replica sweeps. "off" turns the sweep off whatever else is set.
 */
async function chooseLock(probot: Probot, options: DeliverySweepOptions): Promise<ChosenLock | undefined> {
  const mode = options.redelivery?.trim().toLowerCase();
  if (!options.redis) {
    if (mode !== "on") probot.log.info("missed-webhook sweep on: without REDIS_URL this replica takes itself to be the only one (on every other replica set MAINLINE_REDELIVERY=off, or give them all REDIS_URL to share a lock)");
    return { lock: NO_SWEEP_LOCK, kind: "none" };
  }
  const { appId } = (await (await probot.auth()).auth({ type: "app" })) as { appId: number };
  // Just under an interval: this replica's own next tick finds the lock free again.
  const holdMs = Math.floor(options.intervalMs * 0.9);
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_SECONDS * 1000;
  const journal = redisDeliveriesInProgress(options.redis.client, appId, { heartbeatTimeoutMs });
  return { lock: redisSweepLock(options.redis.client, `delivery-sweep:${appId}`, holdMs), kind: "redis", inProgress: { journal, heartbeatTimeoutMs } };
}
