import type { Metrics } from "../metrics.js";
import type { Octokit } from "./client.js";

/**
 * Counts every answer GitHub gives `octokit`, a client of `installation`, and keeps the
 * installation's rate-limit remaining from its headers. Counted where the request is sent (its
 * `fetch`), so each attempt counts, a retry and a read sent directly included, and a 304 is
 * seen before the conditional reads turn it back into the 200 it stands for. A request that got
 * no answer (cut, timed out) is not counted: whether GitHub counted it cannot be known. Nor is
 * one the client makes as the app (its JWT: fetching an installation token), which counts
 * against the app's own limit and would show the app's remaining as the installation's.
 */
export function countRequests<O extends Octokit>(octokit: O, installation: number, metrics: Pick<Metrics, "requested" | "rateLimitRemaining">): O {
  octokit.hook.before("request", (options) => {
    const send = options.request?.fetch ?? globalThis.fetch;
    const counted: typeof fetch = async (input, init) => {
      const response = await send(input, init);
      if (asTheApp(init)) return response;
      metrics.requested(response.status === 304 ? "not_modified" : "counted");
      const remaining = rateLimitRemaining(response.headers);
      if (remaining !== undefined) metrics.rateLimitRemaining(installation, remaining);
      return response;
    };
    options.request = { ...options.request, fetch: counted };
  });
  return octokit;
}

/** Sent with the app's JWT (`bearer`), not with an installation token (`token`). */
function asTheApp(init: RequestInit | undefined): boolean {
  return /^bearer\s/i.test(new Headers(init?.headers).get("authorization") ?? "");
}

/** `x-ratelimit-remaining` as a number; undefined when GitHub did not say (GHES with rate limits off sends none). */
function rateLimitRemaining(headers: Headers): number | undefined {
  return headerNumber(headers, "x-ratelimit-remaining");
}

/** A header GitHub sends as a number (`retry-after`, `x-ratelimit-*`); undefined when absent, blank or not a number. */
export function headerNumber(headers: Headers, name: string): number | undefined {
  const text = headers.get(name)?.trim();
  if (!text) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}
