import type { Octokit } from "./client.js";

/**
 * GitHub ends an API request itself after 10 seconds, so an answer that has not come by then
 * will not come: without a limit, a stalled connection would hold the webhook's handler (and
 * the gate waiting on it) forever. Each attempt gets its own limit, so the client's retries of a
 * timed-out request still run.
 */
export const REQUEST_TIMEOUT_MS = 15_000;

export function limitRequestTime<O extends Octokit>(octokit: O, timeoutMs: number): O {
  octokit.hook.before("request", (options) => {
    const send = options.request?.fetch ?? globalThis.fetch;
    const timed: typeof fetch = (input, init) => {
      const limit = AbortSignal.timeout(timeoutMs);
      return send(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, limit]) : limit });
    };
    options.request = { ...options.request, fetch: timed };
  });
  return octokit;
}
