import { performance } from "node:perf_hooks";
import type { GitHubTestServer, LoggedRequest } from "../test/helpers/github-server.js";

export type SeenRequest = LoggedRequest & { at: number };

/**
 * When the test server saw each request. Its log has no times, so the bench wraps the log's
 * `push`: the server pushes an entry once the route has run (a write is then applied) and
 * before any reply latency, which is the moment "GitHub has the answer".
 */
export class RequestClock {
  readonly seen: SeenRequest[] = [];
  readonly #listeners = new Set<(request: SeenRequest) => void>();

  constructor(server: GitHubTestServer) {
    const log = server.log;
    const push = log.push.bind(log);
    log.push = (...entries: LoggedRequest[]) => {
      for (const entry of entries) {
        const request = { ...entry, at: performance.now() };
        this.seen.push(request);
        for (const listener of this.#listeners) listener(request);
      }
      return push(...entries);
    };
  }

  /** Calls `listener` for every request from now on, until the returned function is called. */
  watch(listener: (request: SeenRequest) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Resolves once no request has arrived for `quietMs` (start-up sweeps, trailing reads). */
  async settle(quietMs = 200, limitMs = 10_000): Promise<void> {
    const deadline = performance.now() + limitMs;
    while (performance.now() < deadline) {
      const last = this.seen.at(-1)?.at ?? 0;
      const idle = performance.now() - last;
      if (idle >= quietMs) return;
      await new Promise((r) => setTimeout(r, quietMs - idle));
    }
  }
}
