import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Reply } from "./model.js";

/** A reply's body as sent on the wire. */
export function bodyText(body: unknown): string {
  return body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
}

/**
 * GitHub's conditional GETs: every 200 carries a weak ETag, and a request whose `If-None-Match`
 * names it is answered 304 with no body (which GitHub does not count against the rate limit).
 * Like GitHub's, the ETag depends on the credentials too: another token gets the full answer.
 */
export function conditionalReply(reply: Reply, headers: IncomingMessage["headers"]): Reply {
  const hash = createHash("sha1").update(`${headers.authorization ?? ""}\n${bodyText(reply.body)}`).digest("hex");
  const etag = `W/"${hash}"`;
  const named = (headers["if-none-match"] ?? "").split(",").map((tag) => tag.trim().replace(/^W\//, ""));
  if (named.includes(`"${hash}"`)) return { status: 304, headers: { etag } };
  return { ...reply, headers: { ...reply.headers, etag } };
}
