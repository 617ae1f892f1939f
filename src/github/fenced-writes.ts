import { lockHeldNow } from "../coordination/repository-lock.js";
import type { Octokit } from "./client.js";

/**
 * Each write made under a repository's lock across replicas (coordination/repository-lock.ts)
 * goes out only while that lock is still this work's: Redis is asked once before the request
 * joins the client's queues, and the lock's known expiry is checked again as each attempt goes
 * on the wire (after Probot's write spacing, which can hold it for seconds). A lock lost in
 * between (Redis restarted without it, a pause past its expiry) fails the write, and with it the
 * delivery, which is redelivered and finds what was already written; without the check, two
 * replicas could both find nothing and both write. A lost lock is not retried: each retry would
 * fail the same way. Reads, and work outside a held lock (gate decisions, one replica without
 * Redis), are not touched.
 */
export function fenceWrites<O extends Octokit>(octokit: O): O {
  octokit.hook.before("request", async (options) => {
    const holding = lockHeldNow();
    if (!holding || options.method === "GET" || options.method === "HEAD") return;
    await holding.confirm();
    const request = { ...options.request };
    const send = request.fetch ?? globalThis.fetch;
    request.fetch = ((input, init) => {
      try {
        holding.check();
      } catch (error) {
        request.retries = 0;
        return Promise.reject(error);
      }
      return send(input, init);
    }) satisfies typeof fetch;
    options.request = request;
  });
  return octokit;
}
