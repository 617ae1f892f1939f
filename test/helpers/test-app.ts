import { Probot, ProbotOctokit } from "probot";
import app from "../../src/index.js";
import { PRIVATE_KEY } from "./keys.js";
import { capturedLogger } from "./log-capture.js";

/** The app loaded into a Probot with retries and throttling off, as tests need it deterministic. */
export async function testApp() {
  const { log, lines } = capturedLogger();
  const probot = new Probot({
    appId: 123,
    privateKey: PRIVATE_KEY,
    log,
    // A function, not an object: Probot merges its own throttle options over object defaults.
    Octokit: ProbotOctokit.defaults((options: object) => ({ ...options, retry: { enabled: false }, throttle: { enabled: false } })),
  });
  await probot.load(app, { cwd: process.cwd(), addHandler: () => undefined });
  return { probot, logs: lines };
}
