import { deliveryFailed, planRedeliveries, type DeliveryRow, type WorkInProgress } from "../../src/policy/redelivery.js";

const NOW = new Date("2026-11-20T12:00:00Z");
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const LOOKBACK = 24 * HOUR;
const INTERVAL = 10 * MINUTE;

let nextId = 1;
/** An attempt `ago` ms before NOW; status from the code as GitHub words it. */
function attempt(guid: string, ago: number, statusCode: number | null, over: Partial<DeliveryRow> = {}): DeliveryRow {
  const status = statusCode && statusCode >= 200 && statusCode < 300 ? "OK" : statusCode ? `Invalid HTTP Response: ${statusCode}` : "failed to connect to host";
  return { id: nextId++, guid, delivered_at: new Date(NOW.getTime() - ago).toISOString(), redelivery: false, status, status_code: statusCode, event: "deployment_protection_rule", action: "requested", ...over };
}
const redelivery = (guid: string, ago: number, statusCode: number | null) => attempt(guid, ago, statusCode, { redelivery: true });

const plan = (deliveries: DeliveryRow[]) => planRedeliveries({ deliveries, now: NOW, lookbackMs: LOOKBACK, intervalMs: INTERVAL });

describe("deliveryFailed: GitHub's status, and the HTTP answer", () => {
  test.each<[string, boolean, string, number | null]>([
    ["200 OK", false, "OK", 200],
    ["204 OK", false, "OK", 204],
    ["302 OK", false, "OK", 302],
    ["400 (bad signature)", true, "Invalid HTTP Response: 400", 400],
    ["500", true, "Invalid HTTP Response: 500", 500],
    ["503", true, "Invalid HTTP Response: 503", 503],
    ["no answer, code 0", true, "failed to connect to host", 0],
    ["no answer, code null", true, "timed out", null],
    ["status says OK but no code", true, "OK", 0],
    ["a 200 GitHub still calls failed", true, "timed out", 200],
  ])("%s → failed: %s", (_case, failed, status, statusCode) => {
    expect(deliveryFailed(attempt("g", 0, statusCode, { status }))).toBe(failed);
  });
});

describe("planRedeliveries: which event to deliver again, and why", () => {
  test.each<[string, DeliveryRow[], string[]]>([
    ["nothing listed", [], []],
    ["delivered", [attempt("a", HOUR, 200)], []],
    ["failed once", [attempt("a", HOUR, 502)], ['a: not delivered (HTTP 502, "Invalid HTTP Response: 502"); redelivery 1 of 3']],
    ["no answer at all", [attempt("a", HOUR, 0)], ['a: not delivered (no HTTP answer, "failed to connect to host"); redelivery 1 of 3']],
    ["failed, then redelivered successfully", [attempt("a", HOUR, 502), redelivery("a", 50 * MINUTE, 200)], []],
    ["failed twice, then redelivered successfully", [attempt("a", HOUR, 502), redelivery("a", 50 * MINUTE, 502), redelivery("a", 30 * MINUTE, 200)], []],
    ["a success, then a failed manual redelivery", [attempt("a", HOUR, 200), redelivery("a", 50 * MINUTE, 500)], []],
    ["a redelivery failed an interval ago", [attempt("a", HOUR, 502), redelivery("a", INTERVAL, 503)], ['a: redelivery 1 failed too (HTTP 503, "Invalid HTTP Response: 503"); redelivery 2 of 3']],
    ["a redelivery failed just under an interval ago", [attempt("a", HOUR, 502), redelivery("a", INTERVAL - 1, 503)], []],
    ["two redeliveries failed", [attempt("a", HOUR, 502), redelivery("a", 40 * MINUTE, 503), redelivery("a", 20 * MINUTE, 0)], ['a: redelivery 2 failed too (no HTTP answer, "failed to connect to host"); redelivery 3 of 3']],
    ["three redeliveries failed", [attempt("a", HOUR, 502), redelivery("a", 40 * MINUTE, 503), redelivery("a", 30 * MINUTE, 503), redelivery("a", 20 * MINUTE, 503)], []],
    ["failed, just inside the window", [attempt("a", LOOKBACK, 502)], ['a: not delivered (HTTP 502, "Invalid HTTP Response: 502"); redelivery 1 of 3']],
    ["failed, just outside the window", [attempt("a", LOOKBACK + 1, 502)], []],
    ["its success outside the window, a failed redelivery inside", [attempt("a", LOOKBACK + HOUR, 200), redelivery("a", HOUR, 500)], ['a: redelivery 1 failed too (HTTP 500, "Invalid HTTP Response: 500"); redelivery 2 of 3']],
    ["an unreadable time", [attempt("a", 0, 502, { delivered_at: "yesterday" })], []],
    ["two failed events: the older first", [attempt("new", MINUTE, 500), attempt("old", HOUR, 502)], [
      'old: not delivered (HTTP 502, "Invalid HTTP Response: 502"); redelivery 1 of 3',
      'new: not delivered (HTTP 500, "Invalid HTTP Response: 500"); redelivery 1 of 3',
    ]],
  ])("%s", (_case, deliveries, expected) => {
    expect(plan(deliveries).redeliver.map(({ row, why }) => `${row.guid}: ${why}`)).toEqual(expected);
  });

  test("the newest failed attempt is the one redelivered, the same time broken by the later id", () => {
    const rows = [attempt("a", HOUR, 502), redelivery("a", 20 * MINUTE, 503), redelivery("a", 20 * MINUTE, 504)];
    expect(plan(rows).redeliver.map(({ row }) => row.id)).toEqual([rows[2]!.id]);
  });

  test("an event given up on is named, with what its last attempt answered", () => {
    const rows = [attempt("a", HOUR, 502), redelivery("a", 40 * MINUTE, 503), redelivery("a", 30 * MINUTE, 503), redelivery("a", 20 * MINUTE, 0)];
    expect(plan(rows).abandoned.map(({ row, redeliveries, why }) => [row.id, redeliveries, why])).toEqual([
      [rows[3]!.id, 3, '3 redeliveries failed, the last with no HTTP answer, "failed to connect to host"'],
    ]);
  });

  test("counts: rows listed in the window, events failed, waiting and given up", () => {
    const rows = [
      attempt("ok", HOUR, 200),
      attempt("ok-later", HOUR, 502),
      redelivery("ok-later", 50 * MINUTE, 200),
      attempt("failed", HOUR, 502),
      attempt("waiting", HOUR, 502),
      redelivery("waiting", MINUTE, 502),
      attempt("given-up", HOUR, 502),
      redelivery("given-up", 40 * MINUTE, 502),
      redelivery("given-up", 30 * MINUTE, 502),
      redelivery("given-up", 20 * MINUTE, 502),
      attempt("too-old", LOOKBACK + HOUR, 502),
    ];
    const { listed, failed, redeliver, waiting, abandoned } = plan(rows);
    expect({ listed, failed, redeliver: redeliver.map(({ row }) => row.guid), waiting, abandoned: abandoned.map(({ row }) => row.guid) }).toEqual({
      listed: 10,
      failed: 3,
      redeliver: ["failed"],
      waiting: 1,
      abandoned: ["given-up"],
    });
  });
});

describe("planRedeliveries with the journal of deliveries in progress: work GitHub counts as delivered that did not finish", () => {
  // Redis's clock, ahead of the test's by a minute: the journal's times are compared with it alone.
  const REDIS_NOW = NOW.getTime() + MINUTE;
  const TIMEOUT = 30_000;
  const work = (guid: string, state: WorkInProgress["state"], ago: number, over: Partial<WorkInProgress> = {}): WorkInProgress => ({
    guid,
    state,
    at: REDIS_NOW - ago,
    ...(state === "asked" ? {} : { replica: "pod-b:1:ab12" }),
    ...(state === "unfinished" ? { github: "accepted" as const } : {}),
    version: `${guid}@${ago}`,
    ...over,
  });
  const withJournal = (deliveries: DeliveryRow[], entries: WorkInProgress[]) =>
    planRedeliveries({ deliveries, now: NOW, lookbackMs: LOOKBACK, intervalMs: INTERVAL, inProgress: { work: entries, now: REDIS_NOW, heartbeatTimeoutMs: TIMEOUT } });
  const accepted = (guid: string, ago = 10 * MINUTE) => attempt(guid, ago, 202);

  test.each<[string, DeliveryRow[], WorkInProgress[], { redeliver: string[]; forget: string[]; unfinished: number }]>([
    ["nothing in the journal", [accepted("a")], [], { redeliver: [], forget: [], unfinished: 0 }],
    ["running, its last heartbeat just now", [accepted("a")], [work("a", "running", 1_000)], { redeliver: [], forget: [], unfinished: 0 }],
    ["running, its last heartbeat just under the timeout ago", [accepted("a")], [work("a", "running", TIMEOUT - 1)], { redeliver: [], forget: [], unfinished: 0 }],
    [
      "running, no heartbeat for the timeout: its replica died after the 202",
      [accepted("a")],
      [work("a", "running", TIMEOUT)],
      { redeliver: ['a: its work was still running on pod-b:1:ab12, not heard from for 30 s (GitHub\'s last attempt: HTTP 202, "OK"); redelivery 1 of 3'], forget: [], unfinished: 1 },
    ],
    [
      "running for hours with heartbeats: left alone",
      [accepted("a", 3 * HOUR)],
      [work("a", "running", 2_000)],
      { redeliver: [], forget: [], unfinished: 0 },
    ],
    [
      "its work failed after the 202",
      [accepted("a")],
      [work("a", "unfinished", 0)],
      { redeliver: ['a: its work failed on pod-b:1:ab12 after GitHub had its 202 (GitHub\'s last attempt: HTTP 202, "OK"); redelivery 1 of 3'], forget: [], unfinished: 1 },
    ],
    [
      "the redelivery of unfinished work failed before its 202 (a 5xx: GitHub lists the event as delivered once already)",
      [accepted("a", HOUR), redelivery("a", 10 * MINUTE, 503)],
      [work("a", "unfinished", 0, { github: "refused" })],
      {
        redeliver: ['a: its work, left unfinished by an earlier attempt, failed again on pod-b:1:ab12 (GitHub\'s last attempt: HTTP 503, "Invalid HTTP Response: 503"); redelivery 2 of 3'],
        forget: [],
        unfinished: 1,
      },
    ],
    ["asked less than an interval ago: the redelivery may still come", [accepted("a", HOUR), redelivery("a", MINUTE, 503)], [work("a", "asked", INTERVAL - 1)], { redeliver: [], forget: [], unfinished: 0 }],
    [
      "asked an interval ago, and no run started since",
      [accepted("a", HOUR), redelivery("a", 20 * MINUTE, 0)],
      [work("a", "asked", INTERVAL)],
      { redeliver: ['a: a redelivery asked for 10 min ago has not started (GitHub\'s last attempt: no HTTP answer, "failed to connect to host"); redelivery 2 of 3'], forget: [], unfinished: 1 },
    ],
    [
      "every attempt failed: redelivered once, as a missed webhook, and dropped from the journal",
      [attempt("a", HOUR, 502)],
      [work("a", "running", TIMEOUT)],
      { redeliver: ['a: not delivered (HTTP 502, "Invalid HTTP Response: 502"); redelivery 1 of 3'], forget: ["a: no attempt of it was delivered: it is redelivered as a missed webhook"], unfinished: 1 },
    ],
    ["not listed by GitHub (older than the look-back, or never sent by GitHub), an interval old", [], [work("a", "unfinished", INTERVAL)], { redeliver: [], forget: ["a: GitHub lists no delivery of it in the last 24 h"], unfinished: 1 }],
    ["listed only before the look-back, an interval old", [accepted("a", LOOKBACK + 1)], [work("a", "unfinished", INTERVAL)], { redeliver: [], forget: ["a: GitHub lists no delivery of it in the last 24 h"], unfinished: 1 }],
    ["not listed, failed after its 202 just now: GitHub's list may not show that attempt yet, kept for the next sweep", [], [work("a", "unfinished", 0)], { redeliver: [], forget: [], unfinished: 1 }],
    ["not listed, failed just under an interval ago: kept", [], [work("a", "unfinished", INTERVAL - 1, { github: "refused" })], { redeliver: [], forget: [], unfinished: 1 }],
    ["not listed, no heartbeat for the timeout but for less than an interval: kept", [], [work("a", "running", TIMEOUT)], { redeliver: [], forget: [], unfinished: 1 }],
    ["not listed, no heartbeat for an interval: dropped", [], [work("a", "running", INTERVAL)], { redeliver: [], forget: ["a: GitHub lists no delivery of it in the last 24 h"], unfinished: 1 }],
    ["not listed, asked an interval ago: dropped", [], [work("a", "asked", INTERVAL)], { redeliver: [], forget: ["a: GitHub lists no delivery of it in the last 24 h"], unfinished: 1 }],
    ["a state not due and not listed: left alone", [], [work("a", "running", 0)], { redeliver: [], forget: [], unfinished: 0 }],
    [
      "a missed event and an unfinished one: the older event first",
      [accepted("late", MINUTE), attempt("early", HOUR, 500)],
      [work("late", "unfinished", 0)],
      {
        redeliver: ['early: not delivered (HTTP 500, "Invalid HTTP Response: 500"); redelivery 1 of 3', 'late: its work failed on pod-b:1:ab12 after GitHub had its 202 (GitHub\'s last attempt: HTTP 202, "OK"); redelivery 1 of 3'],
        forget: [],
        unfinished: 1,
      },
    ],
  ])("%s", (_case, deliveries, entries, expected) => {
    const planned = withJournal(deliveries, entries);
    expect({
      redeliver: planned.redeliver.map(({ row, why }) => `${row.guid}: ${why}`),
      forget: planned.forget.map(({ work, why }) => `${work.guid}: ${why}`),
      unfinished: planned.unfinished,
    }).toEqual(expected);
  });

  test("the newest attempt of an unfinished event is redelivered, with its journal entry, so the sweep can mark that entry", () => {
    const rows = [accepted("a", HOUR), redelivery("a", 30 * MINUTE, 500)];
    const entry = work("a", "unfinished", 0, { github: "refused" });
    const [only] = withJournal(rows, [entry]).redeliver;
    expect({ id: only!.row.id, work: only!.work }).toEqual({ id: rows[1]!.id, work: entry });
  });

  test("after MAX_REDELIVERIES redeliveries that did not finish it either, the event is given up on, named with why", () => {
    const rows = [accepted("a", HOUR), redelivery("a", 40 * MINUTE, 202), redelivery("a", 30 * MINUTE, 202), redelivery("a", 20 * MINUTE, 500)];
    const planned = withJournal(rows, [work("a", "unfinished", 0, { github: "refused" })]);
    expect(planned.redeliver).toEqual([]);
    expect(planned.abandoned.map(({ row, redeliveries, why, work }) => [row.id, redeliveries, why, work?.guid])).toEqual([
      [rows[3]!.id, 3, "its work, left unfinished by an earlier attempt, failed again on pod-b:1:ab12, after 3 redeliveries", "a"],
    ]);
  });

  test("without the journal an event GitHub counts as delivered is never redelivered, whatever its work became", () => {
    expect(plan([accepted("a")]).redeliver).toEqual([]);
    expect(plan([accepted("a")])).toMatchObject({ unfinished: 0, forget: [] });
  });
});
