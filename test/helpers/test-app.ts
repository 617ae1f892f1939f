import { Probot, ProbotOctokit } from "probot";
import { createApp } from "../../src/index.js";
import { PRIVATE_KEY } from "./keys.js";
import { capturedLogger } from "./log-capture.js";

/** The moment handler tests happen at, so time-dependent requests (`since=`) are exact. */
export const NOW = new Date("2026-11-20T12:00:00Z");

/** The app loaded into a Probot with retries and throttling off and a fixed clock, as tests need it deterministic. */
export async function testApp(now: () => Date = () => NOW) {
  const { log, lines } = capturedLogger();
  const probot = new Probot({
    appId: 123,
    privateKey: PRIVATE_KEY,
    log,
    // A function, not an object: Probot merges its own throttle options over object defaults.
    Octokit: ProbotOctokit.defaults((options: object) => ({ ...options, retry: { enabled: false }, throttle: { enabled: false } })),
  });
  await probot.load(createApp({ now, botLogin: "mainline[bot]", reminderIntervalMinutes: 0, redeliverMissed: false }), { cwd: process.cwd(), addHandler: () => undefined });
  return { probot, logs: lines };
}
