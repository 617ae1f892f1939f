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

/**
 * One event in the replicas' journal of deliveries in progress (coordination/deliveries-in-progress.ts),
 * as a sweep read it. GitHub counts a delivery answered 202 as delivered, whatever became of the
 * work still running behind that answer: the journal is how a sweep learns of work that did not
 * finish after it.
 */
export type WorkInProgress = {
  guid: string;
  /**
   * `running`: a replica is working on it, `at` is its last heartbeat; `unfinished`: its work
   * ended without finishing, at `at`; `asked`: a sweep asked GitHub to deliver it again at `at`,
   * and no replica has started on it since.
   */
  state: "running" | "unfinished" | "asked";
  /** Epoch ms on Redis's clock. */
  at: number;
  /** The replica that works on it, or did (`running`, `unfinished`). */
  replica?: string;
  /** `unfinished`: GitHub had a 202 from that replica (`accepted`), or recorded the attempt as failed (`refused`). */
  github?: "accepted" | "refused";
  /** The entry as it was read: the sweep changes it only if nothing changed it since. */
  version: string;
};

export type InProgressInput = {
  work: readonly WorkInProgress[];
  /** Redis's clock when the journal was read (epoch ms): the heartbeats are on it. */
  now: number;
  /** How long a replica may go without a heartbeat before its work is taken for lost. */
  heartbeatTimeoutMs: number;
};

/** `work`: the event was in the journal of deliveries in progress, and its work did not finish. */
export type Redelivery = { row: DeliveryRow; why: string; work?: WorkInProgress };
export type Abandoned = { row: DeliveryRow; redeliveries: number; why: string; work?: WorkInProgress };
/** An entry of the journal dropped without a redelivery of its own. */
export type Forgotten = { work: WorkInProgress; why: string };

export type RedeliveryPlan = {
  /** Rows delivered within the window. */
  listed: number;
  /** Events (guids) of which no attempt within the window succeeded. */
  failed: number;
  /** The newest attempt of each event to redeliver now (failed, or unfinished after GitHub's 202), oldest event first. */
  redeliver: Redelivery[];
  /** Failed events redelivered less than one sweep interval ago: left to the next sweep. */
  waiting: number;
  /** Events already redelivered MAX_REDELIVERIES times. */
  abandoned: Abandoned[];
  /** Entries of the journal due now: no heartbeat, work ended unfinished, or a redelivery asked an interval ago that never started. */
  unfinished: number;
  /** Due entries to drop from the journal without asking for a redelivery of their own. */
  forget: Forgotten[];
};

export type RedeliveryInput = {
  deliveries: readonly DeliveryRow[];
  now: Date;
  lookbackMs: number;
  intervalMs: number;
  /** The journal of deliveries in progress, with REDIS_URL. */
  inProgress?: InProgressInput;
};

/** As GitHub's docs define it: a failed delivery has a `status` other than "OK"; no answer or an HTTP error counts too. */
export function deliveryFailed(row: DeliveryRow): boolean {
  return row.status !== "OK" || !row.status_code || row.status_code >= 400;
}

/**
 * Which webhooks to ask GitHub to deliver again, once per event. An event no attempt of which
 * succeeded is missed: its newest attempt is redelivered, but a redelivery that failed less than
 * one interval ago is left for the next sweep (GitHub may still be delivering it), and after
 * MAX_REDELIVERIES the event is given up on: a receiver that refuses it that often needs a person.
 *
 * An event GitHub counts as delivered is redelivered only when the journal of deliveries in
 * progress says its work did not finish (`inProgress`): its replica went `heartbeatTimeoutMs`
 * without a heartbeat, its work failed after GitHub had its 202, or a redelivery asked an interval
 * ago never started. The journal's due entries that need no redelivery of their own (the event is
 * missed, so redelivered as such; GitHub lists no attempt of it, and the entry is at least an
 * interval old, so GitHub's list had time to show the attempt it speaks of) are to be forgotten.
 */
export function planRedeliveries({ deliveries, now, lookbackMs, intervalMs, inProgress }: RedeliveryInput): RedeliveryPlan {
  const since = now.getTime() - lookbackMs;
  const recent = deliveries.filter((row) => Date.parse(row.delivered_at) >= since);
  const due = dueWork(inProgress, intervalMs);
  const plan: RedeliveryPlan = { listed: recent.length, failed: 0, redeliver: [], waiting: 0, abandoned: [], unfinished: due.size, forget: [] };
  const byGuid = groupByGuid(recent);
  for (const work of due.values()) {
    // Not before an interval: GitHub's list may not show an attempt of a few seconds ago yet (the next sweep looks again).
    if (!byGuid.has(work.guid) && inProgress!.now - work.at >= intervalMs) plan.forget.push({ work, why: `GitHub lists no delivery of it in the last ${lookbackMs / 3_600_000} h` });
  }
  const events = [...byGuid.values()].sort((a, b) => firstAttemptAt(a) - firstAttemptAt(b));
  for (const attempts of events) {
    const newest = attempts[0]!;
    const work = due.get(newest.guid);
    const redeliveries = attempts.filter((row) => row.redelivery).length;
    if (!attempts.every(deliveryFailed)) {
      if (!work) continue;
      const unfinished = unfinishedWhy(work, inProgress!.now);
      if (redeliveries >= MAX_REDELIVERIES) {
        plan.abandoned.push({ row: newest, redeliveries, why: `${unfinished}, after ${redeliveries} redeliveries`, work });
      } else {
        plan.redeliver.push({ row: newest, why: `${unfinished} (GitHub's last attempt: ${outcome(newest)}); redelivery ${redeliveries + 1} of ${MAX_REDELIVERIES}`, work });
      }
      continue;
    }
    plan.failed++;
    if (work) plan.forget.push({ work, why: "no attempt of it was delivered: it is redelivered as a missed webhook" });
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

/**
 * The journal's entries whose work is lost unless redelivered: a run with no heartbeat for the
 * timeout, work that ended unfinished, a redelivery asked at least an interval ago that never
 * started. A running entry with a recent heartbeat is left alone, however long its work takes.
 */
function dueWork(inProgress: InProgressInput | undefined, intervalMs: number): Map<string, WorkInProgress> {
  const due = new Map<string, WorkInProgress>();
  for (const work of inProgress?.work ?? []) {
    const age = inProgress!.now - work.at;
    const lost = work.state === "unfinished" || (work.state === "running" && age >= inProgress!.heartbeatTimeoutMs) || (work.state === "asked" && age >= intervalMs);
    if (lost) due.set(work.guid, work);
  }
  return due;
}

function unfinishedWhy(work: WorkInProgress, now: number): string {
  const replica = work.replica ?? "a replica";
  const ago = (ms: number) => (ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`);
  if (work.state === "running") return `its work was still running on ${replica}, not heard from for ${ago(now - work.at)}`;
  if (work.state === "asked") return `a redelivery asked for ${ago(now - work.at)} ago has not started`;
  if (work.github === "accepted") return `its work failed on ${replica} after GitHub had its 202`;
  return `its work, left unfinished by an earlier attempt, failed again on ${replica}`;
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
