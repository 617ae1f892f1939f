import { exceptionExpiry } from "../../src/policy/exception-expiry.js";

describe("exceptionExpiry: an exception granted now expires `override.ttlHours` later", () => {
  test.each<[string, string, number, string]>([
    // case, now, ttlHours, expires
    ["the default four hours", "2026-11-20T10:00:00.000Z", 4, "2026-11-20T14:00:00.000Z"],
    ["milliseconds are kept", "2026-11-20T10:00:00.123Z", 4, "2026-11-20T14:00:00.123Z"],
    ["half an hour", "2026-11-20T10:00:00.000Z", 0.5, "2026-11-20T10:30:00.000Z"],
    ["one second", "2026-11-20T10:00:00.000Z", 1 / 3600, "2026-11-20T10:00:01.000Z"],
    ["less than a millisecond adds nothing", "2026-11-20T10:00:00.000Z", 1e-9, "2026-11-20T10:00:00.000Z"],
    ["across midnight and a year's end", "2026-12-31T22:00:00.000Z", 4, "2027-01-01T02:00:00.000Z"],
    ["a week", "2026-11-20T10:00:00.000Z", 168, "2026-11-27T10:00:00.000Z"],
  ])("%s", (_case, now, ttlHours, expires) => {
    expect(exceptionExpiry(new Date(now), ttlHours)).toBe(expires);
  });
});
