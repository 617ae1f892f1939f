import { deliveryFailed, planRedeliveries, type DeliveryRow } from "../../src/policy/redelivery.js";

const NOW = new Date("2026-11-20T12:00:00Z");
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const LOOKBACK = 24 * HOUR;
const INTERVAL = 10 * MINUTE;

let nextId = 1;
/** An attempt `ago` ms before NOW; status from the code as GitHub words it. */
function attempt(guid: string, ago: number, statusCode: number | null, over: Partial<DeliveryRow> = {}): DeliveryRow {
  const status = statusCode === 200 ? "OK" : statusCode ? `Invalid HTTP Response: ${statusCode}` : "failed to connect to host";
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
