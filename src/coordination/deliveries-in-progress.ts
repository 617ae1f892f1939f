import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Redis } from "ioredis";
import { durationFromEnv, type EnvDuration } from "../env-duration.js";
import { MAX_LOOKBACK_HOURS, type WorkInProgress } from "../policy/redelivery.js";
import { redisKeys } from "../public-names.js";
import { journalCommands } from "./deliveries-in-progress-scripts.js";
import { answerWithin } from "./redis.js";

/**
 * The replicas' journal of deliveries in progress (REDIS_URL). Probot answers a webhook 202 once
 * its handlers have run 9 s, and GitHub then records it as delivered: work still running behind
 * that answer (a lock wait, paced writes) is lost if its replica dies, or if it fails, and neither
 * GitHub nor the missed-webhook sweep would send it again. So each verified delivery is noted here
 * while its work runs, with a heartbeat, and the sweep (delivery-sweep.ts, whichever replica runs
 * it) asks GitHub to redeliver the event of a note whose heartbeat stopped or whose work failed
 * after the 202 (policy/redelivery.ts decides, with GitHub's list of deliveries).
 *
 * Keys, per app (two apps sharing one Redis keep two journals, as they take two sweep locks), one
 * entry per event (its guid, `X-GitHub-Delivery`, which a redelivery keeps), on Redis's clock:
 * - `mainline:deliveries:in-progress:<app id>`: sorted set, guid → epoch ms: the last heartbeat of
 *   the run working on it, or when it entered its state.
 * - `mainline:deliveries:in-progress:<app id>:state`: hash, guid → its state:
 *   - `running <run> <owed>`: replica run `<run>` (`<replica>/<n>`) is working on it; `owed` is 1
 *     when an earlier attempt left its work unfinished (the entry existed when this run began);
 *   - `unfinished accepted|refused <run>`: the run ended without doing its work, after GitHub had
 *     its 202 (`accepted`), or with GitHub recording a failure (`refused`: kept only when owed,
 *     since then an earlier attempt of the same event counts as delivered at GitHub);
 *   - `asked`: a sweep asked GitHub to deliver it again, and no run has started on it since.
 * A run that fails only ever changes its own entry (`<run>` in the state). A run that finishes
 * clears the entry whoever wrote it (the event's work is done), except another run's `running`
 * entry whose heartbeat is fresh: a redelivery working elsewhere meanwhile is left to end itself.
 * Entries older than `keepMs` (72 h, as long as GitHub keeps deliveries) are trimmed as new ones
 * come, and both keys expire `keepMs` after the last write.
 *
 * A courtesy to the sweep, never a condition of a delivery: nothing here is awaited before a
 * delivery's work, each call is given up after `askMs` (250 ms), Redis errors are swallowed, and
 * while Redis is not connected nothing is sent at all. A run's end that did not reach Redis (not
 * connected, or no answer) is kept, at most MAX_PENDING of them, and sent again as soon as the
 * connection is ready and with each heartbeat, up to MAX_TRIES answers-less attempts: otherwise a
 * delivery that finished while the connection was reconnecting would be redelivered. One timer
 * per replica sends the heartbeat of all its runs, and those ends, at once, only while there are any.
 */
export type DeliveriesInProgress = {
  /** Notes that this replica starts working on event `guid` (sent without waiting). */
  started(guid: string): DeliveryRun;
  /** The journal as it is now, on Redis's clock; undefined when Redis did not answer. */
  read(): Promise<{ now: number; work: WorkInProgress[] } | undefined>;
  /**
   * Marks each entry `asked` (a sweep is asking GitHub to redeliver it) or forgets it, each only
   * if it is still as it was read. The guids changed; undefined when Redis did not answer.
   */
  settle(changes: ReadonlyArray<{ work: WorkInProgress; to: "asked" | "forgotten" }>): Promise<Set<string> | undefined>;
  /** Stops the heartbeat (shutdown). */
  stop(): void;
};

/** One run of a delivery on this replica. Its promises never reject and settle within the journal's `askMs`. */
export type DeliveryRun = {
  /** Its work is done: the entry is forgotten. */
  finished(): Promise<void>;
  /**
   * Its work failed, or was abandoned at shutdown; `accepted`: GitHub already had a 202 for it.
   * Whether Redis now holds it as unfinished (for the sweep to redeliver).
   */
  failed(accepted: boolean): Promise<boolean>;
};

export type InProgressOptions = {
  /** How long a replica may go without a heartbeat before its work is taken for lost; heartbeats go every sixth of it. */
  heartbeatTimeoutMs?: number;
  /** How long Redis has to answer a call made for a delivery before it is given up. */
  askMs?: number;
  /** How long an entry is kept at most. */
  keepMs?: number;
  /** This replica's name in the journal (default: host name, process id and a random suffix). */
  replica?: string;
};

/** The journal's two keys for app `appId`. */
export function inProgressKeys(appId: number | string): { journal: string; states: string } {
  const journal = redisKeys.deliveriesInProgress(appId);
  return { journal, states: `${journal}:state` };
}

/** Runs' ends kept until Redis has them, at most; the oldest goes first. */
export const MAX_PENDING = 1_000;
/** Attempts at sending a kept end that Redis, connected, did not answer, before it is dropped. */
export const MAX_TRIES = 10;

export const DEFAULT_HEARTBEAT_TIMEOUT_SECONDS = 30;
const ASK_MS = 250;
/** Calls made for a sweep, not a delivery: the connection's own command limit (1.5 s) applies, this is a backstop. */
const SWEEP_ASK_MS = 2_000;
const KEEP_MS = MAX_LOOKBACK_HOURS * 3_600_000;

/**
 * MAINLINE_HEARTBEAT_TIMEOUT_SECONDS: how long a replica may go without a heartbeat before the
 * sweep takes the work it was doing for lost (5–600, default 30). Shorter brings such work back
 * sooner; a replica whose event loop stalls longer than this has its work redelivered while it
 * may still finish it (harmless: every handler is idempotent).
 */
export function heartbeatTimeoutFromEnv(env: NodeJS.ProcessEnv): EnvDuration {
  return durationFromEnv(env, "MAINLINE_HEARTBEAT_TIMEOUT_SECONDS", { unit: "s", min: 5, max: 600, fallback: DEFAULT_HEARTBEAT_TIMEOUT_SECONDS });
}

/** The journal of app `appId` over the replica's one Redis connection (coordination/redis.ts). */
export function redisDeliveriesInProgress(client: Redis, appId: number | string, options: InProgressOptions = {}): DeliveriesInProgress {
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_SECONDS * 1000;
  const heartbeatMs = Math.max(1_000, Math.floor(heartbeatTimeoutMs / 6));
  const askMs = options.askMs ?? ASK_MS;
  const keepMs = options.keepMs ?? KEEP_MS;
  const replica = options.replica ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const { journal: JOURNAL, states: STATES } = inProgressKeys(appId);
  const redis = journalCommands(client);
  const ask = <T>(command: () => Promise<T>, ms = askMs) => answerWithin(client, command, ms);

  /** This replica's runs in flight: run → guid. */
  const runs = new Map<string, string>();
  /** Runs' ends Redis has not had yet (not connected, or no answer): run → the call, resent until answered. */
  const pending = new Map<string, Ending>();
  let counter = 0;
  let timer: NodeJS.Timeout | undefined;
  let beating = false;
  let flushing = false;
  let stopped = false;
  const ticking = () => {
    if (timer || stopped) return;
    timer = setInterval(beat, heartbeatMs);
    timer.unref();
  };
  const send = (ending: Ending) =>
    ending.accepted === undefined
      ? ask(() => redis.mainlineWorkFinish(JOURNAL, STATES, ending.guid, ending.run, heartbeatTimeoutMs))
      : ask(() => redis.mainlineWorkFail(JOURNAL, STATES, keepMs, ending.guid, ending.run, ending.accepted ? "1" : "0"));
  /** A run's end, sent now; kept to be sent again when Redis did not have it. */
  const end = async (ending: Ending): Promise<number | undefined> => {
    const answer = await send(ending);
    if (answer === undefined) {
      pending.set(ending.run, ending);
      if (pending.size > MAX_PENDING) pending.delete(pending.keys().next().value!);
      ticking();
    }
    return answer;
  };
  const flush = () => {
    if (flushing || pending.size === 0 || client.status !== "ready") return;
    flushing = true;
    const batch = [...pending.values()];
    void Promise.all(
      batch.map(async (ending) => {
        const answer = await send(ending);
        if (pending.get(ending.run) !== ending) return;
        if (answer !== undefined || ++ending.tries >= MAX_TRIES) pending.delete(ending.run);
      }),
    ).finally(() => (flushing = false));
  };
  // Back from a reconnection: the ends kept meanwhile go at once, before any sweep reads the journal.
  client.on("ready", flush);
  const beat = () => {
    if (runs.size === 0 && pending.size === 0) {
      clearInterval(timer);
      timer = undefined;
      return;
    }
    flush();
    if (runs.size === 0 || beating) return;
    beating = true;
    const pairs = [...runs].flatMap(([run, guid]) => [guid, run]);
    void ask(() => redis.mainlineWorkHeartbeat(JOURNAL, STATES, keepMs, ...pairs)).finally(() => (beating = false));
  };

  return {
    started(guid) {
      const run = `${replica}/${++counter}`;
      runs.set(run, guid);
      void ask(() => redis.mainlineWorkStart(JOURNAL, STATES, keepMs, guid, run));
      ticking();
      let ended = false;
      const ending = () => {
        const first = !ended;
        ended = true;
        runs.delete(run);
        return first;
      };
      return {
        async finished() {
          if (ending()) await end({ guid, run, tries: 0 });
        },
        async failed(accepted) {
          if (!ending()) return false;
          return (await end({ guid, run, accepted, tries: 0 })) === 1;
        },
      };
    },
    async read() {
      const flat = await ask(() => redis.mainlineWorkRead(JOURNAL, STATES), SWEEP_ASK_MS);
      if (!flat) return undefined;
      const work: WorkInProgress[] = [];
      for (let i = 1; i + 2 < flat.length; i += 3) {
        const entry = workOf(flat[i]!, flat[i + 1]!, flat[i + 2]!);
        if (entry) work.push(entry);
      }
      return { now: Number(flat[0]), work };
    },
    async settle(changes) {
      if (changes.length === 0) return new Set();
      const quads = changes.flatMap(({ work, to }) => [work.guid, ...versionParts(work.version), to]);
      const changed = await ask(() => redis.mainlineWorkSettle(JOURNAL, STATES, keepMs, ...quads), SWEEP_ASK_MS);
      return changed ? new Set(changed) : undefined;
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      timer = undefined;
    },
  };
}

/** A run's end: finished (`accepted` undefined) or failed; `tries`: sent while connected, without an answer. */
type Ending = { guid: string; run: string; accepted?: boolean; tries: number };

/** An entry as the policy reads it; undefined for a state this version does not know. */
function workOf(guid: string, score: string, state: string): WorkInProgress | undefined {
  const at = Number(score);
  const version = `${score}\n${state}`;
  const [kind, first, second] = state.split(" ");
  if (kind === "asked") return { guid, state: "asked", at, version };
  if (kind === "running" && first) return { guid, state: "running", at, replica: replicaOf(first), version };
  if (kind === "unfinished" && (first === "accepted" || first === "refused") && second) return { guid, state: "unfinished", at, replica: replicaOf(second), github: first, version };
  return undefined;
}

function versionParts(version: string): [string, string] {
  const cut = version.indexOf("\n");
  return [version.slice(0, cut), version.slice(cut + 1)];
}

/** A run is `<replica>/<n>`. */
function replicaOf(run: string): string {
  const cut = run.lastIndexOf("/");
  return cut > 0 ? run.slice(0, cut) : run;
}
