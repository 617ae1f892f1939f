import { LockLost, lockHeldNow } from "../coordination/repository-lock.js";
import type { Octokit } from "./client.js";
import { isAppAuthentication, isWrite, restoresState } from "./write-kinds.js";

/**
 * Each write made under a repository's lock across replicas (coordination/repository-lock.ts)
 * goes out only while that lock is still this work's: Redis is asked as each attempt goes on the
 * wire, after every queue it waited in (Probot's write spacing, the replicas' write pacing), so a
 * lock lost meanwhile (Redis restarted without it, a pause past its expiry, another replica
 * holding it now) fails the write, and with it the delivery, which is redelivered and finds what
 * was already written. GitHub takes no fencing token: a lock lost during the round trip of the
 * check itself cannot be caught.
 *
 * A lost lock is not retried (each retry would fail the same way), and the caller gets the
 * LockLost itself, not a 500 that stands for it. Reads, installation tokens (shared by all work
 * of the installation, a gate's included), writes that only put back what the work undid (an
 * issue's lock), and work outside a held lock (gate decisions, one replica without Redis) are
 * not touched.
 */
export function fenceWrites<O extends Octokit>(octokit: O): O {
  octokit.hook.before("request", (options) => {
    const holding = lockHeldNow();
    if (!holding || !isWrite(options.method, options.url) || isAppAuthentication(options.method, options.url) || restoresState(options.method, options.url)) return;
    const request = { ...options.request };
    const send = request.fetch ?? globalThis.fetch;
    request.fetch = (async (input, init) => {
      try {
        await holding.confirm();
      } catch (error) {
        request.retries = 0;
        throw error;
      }
      return send(input, init);
    }) satisfies typeof fetch;
    options.request = request;
  });
  octokit.hook.error("request", (error) => {
    const cause = (error as { cause?: unknown }).cause;
    throw cause instanceof LockLost ? cause : error;
  });
  return octokit;
}
