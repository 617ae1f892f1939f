import type { IncomingMessage, ServerResponse } from "node:http";
import type { Metrics } from "./metrics.js";

/**
 * `GET /metrics`: the app's series in Prometheus' text format (see Metrics). Like `/healthz` it
 * asks no one and needs no credentials: serve it only where the scraper can reach it.
 */
export function metricsEndpoint(metrics: Metrics) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== "GET" || !req.url || new URL(req.url, "http://localhost").pathname !== "/metrics") return false;
    let text: string;
    try {
      text = await metrics.scrape();
    } catch (error) {
      // A scrape that fails is a gap in the graphs, never a reason for the process to stop.
      res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end(`metrics could not be collected: ${String(error)}\n`);
      return true;
    }
    res.writeHead(200, { "content-type": metrics.contentType, "cache-control": "no-store" }).end(text);
    return true;
  };
}
