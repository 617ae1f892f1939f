import type { IncomingMessage, ServerResponse } from "node:http";
import type { Readiness } from "./readiness.js";

/**
 * `GET /healthz`: liveness. 200 while the process serves (it listens only once its credentials
 * were checked), with the last known readiness and GitHub, and Redis as of at most 2 s ago, in
 * the body; it never asks GitHub, so a liveness probe costs next to nothing.
 *
 * `GET /readyz` (also `GET /healthz?ready`): readiness. 200 when deliveries should come here,
 * 503 while draining after SIGTERM or while GitHub does not answer the app's JWT; Redis down
 * (with REDIS_URL) is `degraded`, still 200; the body's `reason` says why. Same body. The
 * answers behind it are cached (GitHub 30 s / 5 s, Redis 2 s), so probing it often costs nothing.
 *
 * Without a Readiness (the app loaded by another runner) both answer a bare `{"status":"ok"}`.
 */
export function healthEndpoints(readiness?: Readiness) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== "GET" || !req.url) return false;
    const url = new URL(req.url, "http://localhost");
    const ready = url.pathname === "/readyz" || (url.pathname === "/healthz" && url.searchParams.has("ready"));
    if (!ready && url.pathname !== "/healthz") return false;
    const report = readiness ? await readiness.report({ refresh: ready }) : { status: "ok", ready: true };
    const status = ready && !report.ready ? 503 : 200;
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(report));
    return true;
  };
}

/** The endpoints without readiness: what an app loaded by `probot run ./dist/index.js` serves. */
export const healthz = healthEndpoints();
