import type { IncomingMessage, ServerResponse } from "node:http";
import type { Probot } from "probot";

export type Middleware = Awaited<ReturnType<Probot["getNodeMiddleware"]>>;

/**
 * Puts `wrap` in front of Probot's webhook middleware, for exactly the requests that middleware
 * takes as webhooks (a POST to the webhook path, matched as @octokit/webhooks matches it); any
 * other request goes straight on. Probot's server asks for the middleware once the app is loaded,
 * before any handler an app adds: what is put in front last stands in front of the others.
 */
export function inFrontOfWebhooks(probot: Probot, wrap: (webhooks: Middleware) => Middleware): void {
  const middlewareOf = probot.getNodeMiddleware.bind(probot);
  probot.getNodeMiddleware = async (options) => {
    const webhooks = await middlewareOf(options);
    const path = options?.path ?? probot.webhookPath;
    const wrapped = wrap(webhooks);
    return (req: IncomingMessage, res: ServerResponse, next?: Parameters<Middleware>[2]) =>
      req.method === "POST" && isPath(req.url, path) ? wrapped(req, res, next) : webhooks(req, res, next);
  };
}

/** Whether a request URL names the webhook path: trailing slashes of the whole URL dropped, then its path compared, as @octokit/webhooks does. */
function isPath(url: string | undefined, path: string): boolean {
  try {
    return new URL(trimSlashes(url ?? ""), "http://localhost").pathname === trimSlashes(path);
  } catch {
    return false; // @octokit/webhooks answers an unparsable URL itself
  }
}

function trimSlashes(path: string): string {
  return path.replace(/\/+$/, "") || "/";
}
