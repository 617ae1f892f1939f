import { dueReminder, isOverdue } from "../../src/policy/reminders.js";

const OPENED = "2026-11-01T12:00:00Z";
const DUE_HOURS = 24;
/** The moment the item became overdue: opened + 24 h. */
const OVERDUE_FROM = Date.parse("2026-11-02T12:00:00Z");
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const overdueBy = (ms: number) => new Date(OVERDUE_FROM + ms);

describe("isOverdue", () => {
  test.each([
    ["just opened", new Date(OPENED), false],
    ["a minute before due", overdueBy(-MINUTE), false],
    ["a millisecond before due", overdueBy(-1), false],
    ["exactly due", overdueBy(0), true],
    ["a day past due", overdueBy(DAY), true],
  ])("%s → %s", (_case, now, expected) => {
    expect(isOverdue({ openedAt: OPENED, dueHours: DUE_HOURS, now })).toBe(expected);
  });

  test.each([
    [0, "2026-11-01T12:00:00Z", true],
    [1, "2026-11-01T12:59:59Z", false],
    [1, "2026-11-01T13:00:00Z", true],
    [48, "2026-11-03T11:59:59Z", false],
  ])("dueHours %i, at %s → %s", (dueHours, now, expected) => {
    expect(isOverdue({ openedAt: OPENED, dueHours, now: new Date(now) })).toBe(expected);
  });

  test("an unreadable opening time is never overdue", () => {
    expect(isOverdue({ openedAt: "not a date", dueHours: DUE_HOURS, now: overdueBy(100 * DAY) })).toBe(false);
  });
});

describe("dueReminder: one reminder per doubling interval of days overdue", () => {
  test.each<[string, number, readonly number[], number | undefined]>([
    // time overdue,          ms overdue,            already sent, due
    ["not yet overdue", -MINUTE, [], undefined],
    ["just overdue", 0, [], undefined],
    ["23h59m overdue", DAY - MINUTE, [], undefined],
    ["exactly 1 day", DAY, [], 0],
    ["1 day, first reminder sent", DAY, [0], undefined],
    ["1 day 23h59m, first sent", 2 * DAY - MINUTE, [0], undefined],
    ["exactly 2 days, first sent", 2 * DAY, [0], 1],
    ["2 days, both sent", 2 * DAY, [0, 1], undefined],
    ["3 days, first two sent", 3 * DAY, [0, 1], undefined],
    ["3 days 23h59m, first two sent", 4 * DAY - MINUTE, [0, 1], undefined],
    ["exactly 4 days, first two sent", 4 * DAY, [0, 1], 2],
    ["7 days, three sent", 7 * DAY, [0, 1, 2], undefined],
    ["exactly 8 days", 8 * DAY, [0, 1, 2], 3],
    ["100 days (64 ≤ 100 < 128)", 100 * DAY, [0, 1, 2, 3, 4, 5], 6],
    ["100 days, all sent", 100 * DAY, [0, 1, 2, 3, 4, 5, 6], undefined],
    ["128 days", 128 * DAY, [0, 1, 2, 3, 4, 5, 6], 7],
  ])("%s → %s", (_case, ms, alreadySent, expected) => {
    expect(dueReminder({ openedAt: OPENED, dueHours: DUE_HOURS, now: overdueBy(ms), alreadySent })).toBe(expected);
  });

  test.each<[string, number, readonly number[], number | undefined]>([
    ["down from before day 1 until day 3: one reminder, for day 2", 3 * DAY, [], 1],
    ["down from day 1 until day 5: one reminder, for day 4", 5 * DAY, [0], 2],
    ["down for 100 days: one reminder, for day 64", 100 * DAY, [], 6],
    ["back at day 3 after reminding for day 2 only", 3 * DAY, [1], undefined],
    ["a later interval already sent rules out an earlier one", 2 * DAY, [2], undefined],
  ])("the app was down across intervals, %s", (_case, ms, alreadySent, expected) => {
    expect(dueReminder({ openedAt: OPENED, dueHours: DUE_HOURS, now: overdueBy(ms), alreadySent })).toBe(expected);
  });

  test("the interval counts from when the item became overdue, not from when it opened", () => {
    const now = new Date("2026-11-04T12:00:00Z"); // 3 days after opening
    expect(dueReminder({ openedAt: OPENED, dueHours: 72, now, alreadySent: [] })).toBeUndefined();
    expect(dueReminder({ openedAt: OPENED, dueHours: 48, now, alreadySent: [] })).toBe(0);
    expect(dueReminder({ openedAt: OPENED, dueHours: 0, now, alreadySent: [] })).toBe(1);
  });

  test("an unreadable opening time never reminds", () => {
    expect(dueReminder({ openedAt: "not a date", dueHours: DUE_HOURS, now: overdueBy(100 * DAY), alreadySent: [] })).toBeUndefined();
  });
});
