/**
 * One row of GitHub's "List deliveries for an app webhook" (`hook-delivery-item`): one attempt
 * to deliver one event. Every attempt at the same event shares its `guid`; a redelivery is a new
 * row with `redelivery: true`.
 */
export type DeliveryRow = {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  status: string;
  /** 0 (or null) when the receiver gave no HTTP answer at all. */
  status_code: number | null;
  event: string;
  action: string | null;
};

/** GitHub keeps deliveries for 3 days; none older can be listed or redelivered. */
export const MAX_LOOKBACK_HOURS = 72;

/** Redeliveries of one event, within the look-back window, after which the sweep stops asking. */
export const MAX_REDELIVERIES = 3;

export type Redelivery = { row: DeliveryRow; why: string };
export type Abandoned = { row: DeliveryRow; redeliveries: number; why: string };

export type RedeliveryPlan = {
  /** Rows delivered within the window. */
  listed: number;
  /** Events (guids) of which no attempt within the window succeeded. */
  failed: number;
  /** The newest failed attempt of each event to redeliver now, oldest event first. */
  redeliver: Redelivery[];
  /** Failed events redelivered less than one sweep interval ago: left to the next sweep. */
  waiting: number;
  /** Failed events already redelivered MAX_REDELIVERIES times. */
  abandoned: Abandoned[];
};

export type RedeliveryInput = {
  deliveries: readonly DeliveryRow[];
  now: Date;
  lookbackMs: number;
  intervalMs: number;
};

/** As GitHub's docs define it: a failed delivery has a `status` other than "OK"; no answer or an HTTP error counts too. */
export function deliveryFailed(row: DeliveryRow): boolean {
  return row.status !== "OK" || !row.status_code || row.status_code >= 400;
}

/**
 * Which missed webhooks to ask GitHub to deliver again. An event counts as delivered when any
 * attempt at it succeeded; otherwise its newest attempt is redelivered, once per event. A
 * redelivery that failed less than one interval ago is left for the next sweep, so a sweep never
 * asks twice for what GitHub may still be delivering, and after MAX_REDELIVERIES the event is
 * given up on: a receiver that refuses it that often needs a person.
 */
export function planRedeliveries({ deliveries, now, lookbackMs, intervalMs }: RedeliveryInput): RedeliveryPlan {
  const since = now.getTime() - lookbackMs;
  const recent = deliveries.filter((row) => Date.parse(row.delivered_at) >= since);
  const plan: RedeliveryPlan = { listed: recent.length, failed: 0, redeliver: [], waiting: 0, abandoned: [] };
  const events = [...groupByGuid(recent).values()].sort((a, b) => firstAttemptAt(a) - firstAttemptAt(b));
  for (const attempts of events) {
    if (!attempts.every(deliveryFailed)) continue;
    plan.failed++;
    const newest = attempts[0]!;
    const redeliveries = attempts.filter((row) => row.redelivery).length;
    if (redeliveries >= MAX_REDELIVERIES) {
      plan.abandoned.push({ row: newest, redeliveries, why: `${redeliveries} redeliveries failed, the last with ${outcome(newest)}` });
    } else if (newest.redelivery && now.getTime() - Date.parse(newest.delivered_at) < intervalMs) {
      plan.waiting++;
    } else {
      const failedSoFar = newest.redelivery ? `redelivery ${redeliveries} failed too` : "not delivered";
      plan.redeliver.push({ row: newest, why: `${failedSoFar} (${outcome(newest)}); redelivery ${redeliveries + 1} of ${MAX_REDELIVERIES}` });
    }
  }
  return plan;
}

/** Attempts per event, newest first (ids break ties: GitHub numbers deliveries in order). */
function groupByGuid(rows: readonly DeliveryRow[]): Map<string, DeliveryRow[]> {
  const byGuid = new Map<string, DeliveryRow[]>();
  for (const row of rows) {
    const attempts = byGuid.get(row.guid);
    if (attempts) attempts.push(row);
    else byGuid.set(row.guid, [row]);
  }
  for (const attempts of byGuid.values()) attempts.sort((a, b) => Date.parse(b.delivered_at) - Date.parse(a.delivered_at) || b.id - a.id);
  return byGuid;
}

function firstAttemptAt(attempts: readonly DeliveryRow[]): number {
  return Date.parse(attempts.at(-1)!.delivered_at);
}

function outcome(row: DeliveryRow): string {
  return row.status_code ? `HTTP ${row.status_code}, "${row.status}"` : `no HTTP answer, "${row.status}"`;
}
