import type { IncomingMessage, ServerResponse } from "node:http";

/** `GET /healthz`: answers once the app is loaded, which is when Probot starts routing to it. */
export function healthz(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== "GET" || req.url?.split("?")[0] !== "/healthz") return false;
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok" }));
  return true;
}
