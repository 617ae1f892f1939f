import { Probot, ProbotOctokit } from "probot";
import type { Logger } from "pino";
import { createApp, type AppOptions } from "../../src/index.js";
import { PRIVATE_KEY } from "./keys.js";
import { capturedLogger } from "./log-capture.js";

/** What in-process tests sign records with (the started app uses its WEBHOOK_SECRET). */
export const TEST_RECORD_KEY = "test-webhook-secret";

/** The moment handler tests happen at, so time-dependent requests (`since=`) are exact. */
export const NOW = new Date("2026-11-20T12:00:00Z");

/**
 * A Probot with the test key, retries and throttling off (tests are deterministic and fast; a
 * fault test makes a call fail outright), speaking to `baseUrl` (default: api.github.com, for nock).
 */
export function testProbot(log: Logger, baseUrl?: string): Probot {
  return new Probot({
    appId: 123,
    privateKey: PRIVATE_KEY,
    log,
    ...(baseUrl ? { baseUrl } : {}),
    // A function, not an object: Probot merges its own throttle options over object defaults.
    Octokit: ProbotOctokit.defaults((options: object) => ({ ...options, retry: { enabled: false }, throttle: { enabled: false } })),
  });
}

/** A Probot with its client's plugins on, as users run it, except that retries wait 1 ms instead of seconds. */
export function shippedProbot(log: Logger, baseUrl: string): Probot {
  return new Probot({
    appId: 123,
    privateKey: PRIVATE_KEY,
    log,
    baseUrl,
    Octokit: ProbotOctokit.defaults((options: { retry?: object }) => ({ ...options, retry: { ...options.retry, retryAfterBaseValue: 1 } })),
  });
}

/**
 * How tests load the app: a fixed clock, a known bot, no timers. Reads go through the client
 * like every request: a read sent directly first is retried through the client's plugins when
 * it fails, and with those plugins off that retry would be the only one.
 */
export function loadTestApp(probot: Probot, options: AppOptions = {}): Promise<void> {
  const app = createApp({ now: () => NOW, botLogin: "mainline[bot]", reminderIntervalMinutes: 0, redeliverMissed: false, recordKey: TEST_RECORD_KEY, directReads: false, ...options });
  return probot.load(app, {
    cwd: process.cwd(),
    addHandler: () => undefined,
  });
}

/** The app loaded into a Probot with retries and throttling off and a fixed clock, as tests need it deterministic. */
export async function testApp(now: () => Date = () => NOW) {
  const { log, lines } = capturedLogger();
  const probot = testProbot(log);
  await loadTestApp(probot, { now });
  return { probot, logs: lines };
}
