import type { IncomingMessage, ServerResponse } from "node:http";
import type { Probot } from "probot";
import { inFrontOfWebhooks, type Middleware } from "./webhook-door.js";

/** GitHub caps webhook payloads at 25 MB: a sender who cannot sign gets no more memory than that. */
export const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;

type Refusal = { status: number; reason: string };

/**
 * Puts a signature check in front of Probot's webhook middleware. Probot's server runs that
 * middleware before any handler an app adds, and on a bad signature it logs the refusal three
 * times at error level with the whole payload; so the check wraps the middleware itself, which
 * Probot's server asks for once the app is loaded. A refused webhook is one warn line (delivery,
 * event, size, reason) and reaches neither Probot's logging nor any handler.
 */
export function refuseUnsignedWebhooks(probot: Probot): void {
  inFrontOfWebhooks(probot, (webhooks) => gate(probot, webhooks));
}

function gate(probot: Probot, webhooks: Middleware): Middleware {
  return async (req: IncomingMessage, res: ServerResponse, next?: Parameters<Middleware>[2]) => {
    const { text, size } = await readBody(req);
    const refusal = text === undefined ? { status: 413, reason: `body over ${MAX_PAYLOAD_BYTES} bytes` } : await checkSignature(probot, text, req.headers["x-hub-signature-256"]);
    if (refusal) {
      // One line in every log format: the facts are in the message, not in fields that pretty-printing spreads over lines.
      const delivery = quoted(req.headers["x-github-delivery"]);
      const event = quoted(req.headers["x-github-event"]);
      probot.log.warn(`webhook refused: ${refusal.reason} (delivery ${delivery}, event ${event}, ${size} bytes)`);
      res.writeHead(refusal.status, { "content-type": "application/json" }).end(JSON.stringify({ error: refusal.reason }));
      return true;
    }
    // The stream is spent; @octokit/webhooks' middleware takes a string `body` as the payload
    // instead, and so verifies and parses the very text checked here.
    (req as IncomingMessage & { body?: string }).body = text;
    return webhooks(req, res, next);
  };
}

async function checkSignature(probot: Probot, text: string, signature: string | string[] | undefined): Promise<Refusal | undefined> {
  if (typeof signature !== "string" || signature === "") return { status: 400, reason: "no X-Hub-Signature-256 header" };
  // Probot's own check with its secret (WEBHOOK_SECRET); it throws rather than answer for an empty body.
  const signed = await probot.webhooks.verify(text, signature).catch(() => false);
  return signed ? undefined : { status: 400, reason: "X-Hub-Signature-256 does not sign the body with WEBHOOK_SECRET" };
}

/** The body decoded as @octokit/webhooks decodes it, and its size in bytes; no text past the cap. */
async function readBody(req: IncomingMessage): Promise<{ text: string | undefined; size: number }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Past the cap the rest is only counted, so the sender still gets an answer.
    if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
  }
  if (size > MAX_PAYLOAD_BYTES) return { text: undefined, size };
  return { text: new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks)), size };
}

/** A header as a quoted, bounded string: whoever sent it chose it. */
function quoted(value: string | string[] | undefined): string {
  return value === undefined ? "none" : JSON.stringify(String(value).slice(0, 100));
}
