import { findCascade, type ExceptionDeploy } from "../../src/policy/cascade.js";

const A = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
const B = "b2c3d4e5f60718293a4b5c6d7e8f901234567890";
const C = "c3d4e5f60718293a4b5c6d7e8f9012345678901a";

const HOUR = 3_600_000;
const T0 = Date.parse("2026-11-20T10:00:00.000Z");
const WINDOW_HOURS = 24;

const deploy = (incident: number, sha: string, offsetMs: number, env = "production"): ExceptionDeploy => ({
  incident,
  sha,
  env,
  at: new Date(T0 + offsetMs).toISOString(),
});

describe("findCascade: no cascade", () => {
  test.each<[string, ExceptionDeploy[]]>([
    ["no deploys", []],
    ["one deploy", [deploy(12, A, 0)]],
    ["the same commit redeployed", [deploy(12, A, 0), deploy(12, A, HOUR)]],
    ["the same commit to two environments", [deploy(12, A, 0, "staging"), deploy(12, A, HOUR)]],
    ["two commits one ms more than the window apart", [deploy(12, A, 0), deploy(13, B, WINDOW_HOURS * HOUR + 1)]],
    ["a redeploy in the window, the other commit outside it", [deploy(12, A, 0), deploy(12, A, HOUR), deploy(13, B, 26 * HOUR)]],
  ])("%s", (_case, deploys) => {
    expect(findCascade(deploys, WINDOW_HOURS)).toBeUndefined();
  });
});

describe("findCascade: a second hotfix within the window", () => {
  test.each<[string, ExceptionDeploy[], number[], ExceptionDeploy[]]>([
    // case, deploys, incidents, deploys in the cascade
    ["two commits an hour apart in one incident", [deploy(12, A, 0), deploy(12, B, HOUR)], [12], [deploy(12, A, 0), deploy(12, B, HOUR)]],
    [
      "two commits exactly the window apart",
      [deploy(12, A, 0), deploy(13, B, WINDOW_HOURS * HOUR)],
      [12, 13],
      [deploy(12, A, 0), deploy(13, B, WINDOW_HOURS * HOUR)],
    ],
    ["across two incidents", [deploy(12, A, 0), deploy(13, B, 2 * HOUR)], [12, 13], [deploy(12, A, 0), deploy(13, B, 2 * HOUR)]],
    [
      "three deploys, only the last two within the window",
      [deploy(12, A, 0), deploy(13, B, 30 * HOUR), deploy(14, C, 31 * HOUR)],
      [13, 14],
      [deploy(13, B, 30 * HOUR), deploy(14, C, 31 * HOUR)],
    ],
    [
      "a redeploy of the first commit joins the cascade it is part of",
      [deploy(12, A, 0), deploy(12, A, HOUR), deploy(13, B, 2 * HOUR)],
      [12, 13],
      [deploy(12, A, 0), deploy(12, A, HOUR), deploy(13, B, 2 * HOUR)],
    ],
    [
      "given out of order: deploys in time order, incidents in number order",
      [deploy(10, C, 3 * HOUR), deploy(9, B, HOUR), deploy(12, A, 0)],
      [9, 10, 12],
      [deploy(12, A, 0), deploy(9, B, HOUR), deploy(10, C, 3 * HOUR)],
    ],
  ])("%s", (_case, deploys, incidents, inCascade) => {
    expect(findCascade(deploys, WINDOW_HOURS)).toEqual({ incidents, deploys: inCascade });
  });

  test.each([
    [0.5, 30 * 60_000, true],
    [0.5, 30 * 60_000 + 1, false],
    [48, 47 * HOUR, true],
    [48, 49 * HOUR, false],
  ])("windowHours %s, deploys %i ms apart → cascade: %s", (windowHours, apart, expected) => {
    expect(findCascade([deploy(12, A, 0), deploy(13, B, apart)], windowHours) !== undefined).toBe(expected);
  });
});
