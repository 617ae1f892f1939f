import { request as sendDirect } from "@octokit/request";
import pLimit, { type LimitFunction } from "p-limit";
import type { Octokit } from "./client.js";

type Options = Parameters<typeof sendDirect.endpoint.parse>[0];
type AuthHook = (send: typeof sendDirect, options: Options) => ReturnType<Octokit["request"]>;

/**
 * Requests of one installation in flight at once on this replica, reads sent directly included:
 * the bound Probot's throttling plugin puts on all of them (its global group), which direct
 * reads would otherwise escape. Each replica has its own.
 */
const READS_AT_ONCE = 10;

/** The retry plugin's default: attempts after the first. */
const PLUGIN_RETRIES = 3;

/** Answers the retry plugin never retries (its `doNotRetry`); 304 is an answer too. */
const FINAL = new Set([304, 400, 401, 403, 404, 410, 422, 451]);

/**
 * Probot's client passes every request through the throttling plugin's two Bottleneck queues
 * and a Bottleneck the retry plugin makes per request; their timer hops cost about 15 ms a
 * request even when nothing waits (bench/client-overhead.ts), more than a read of GitHub itself,
 * and a gate decision pays it once per read it makes one after another. A read needs those
 * queues only when GitHub's answer is one the retry plugin acts on. So a GET goes first straight
 * through the client's own authentication (its token cache, its headers, its request options),
 * at most READS_AT_ONCE at a time per installation; when GitHub gives no answer or one the retry
 * plugin would retry (a 5xx among others), the same request goes through the whole client with
 * one retry fewer, so a read is still tried as often as before. A rate-limited answer (429, or a
 * 403 saying so) is final: sending again at once would only add to the limit, and Probot's
 * handlers do not retry a secondary limit either. Writes and searches (which have their own
 * limiter) always go through the whole client.
 */
export function readsDirectFirst<O extends Octokit>(octokit: O, slots: LimitFunction): O {
  const authHook = (octokit.auth as { hook?: AuthHook }).hook;
  if (!authHook) return octokit;
  const send = sendDirectly(octokit);
  octokit.hook.wrap("request", (throughPlugins, options) => {
    if (options.method !== "GET" || options.url.startsWith("/search/")) return throughPlugins(options);
    // The slot is held through the retry too: a read counts once against the bound however it ends.
    return slots(async () => {
      try {
        // Without the client's own hook in its options, or @octokit/request would hand the request back to it.
        return await authHook(send, { ...options, request: { ...options.request, hook: undefined } });
      } catch (error) {
        const retries = (options.request?.retries as number | undefined) ?? PLUGIN_RETRIES;
        if (isRateLimited(error)) octokit.log.warn(`GitHub rate limit on ${options.method} ${options.url}: not sent again`);
        if (retries <= 0 || isRateLimited(error) || !wantsRetry(error)) throw error;
        // The hooks inside this one were handed these options already: the change goes into them.
        options.request = { ...options.request, retries: retries - 1 };
        return throughPlugins(options);
      }
    });
  });
  return octokit;
}

/**
 * What the auth hook sends a read with: straight out, logged as Probot logs every request. What
 * the hook asks for itself (an installation token, through `defaults`) goes through the whole
 * client, with its retries and its log line, as it did before.
 */
function sendDirectly(octokit: Octokit): typeof sendDirect {
  const logged = async (options: Options) => {
    const { method, url } = sendDirect.endpoint.parse(options);
    try {
      const response = await sendDirect(options as Options & { url: string });
      octokit.log.debug(`GitHub request: ${method} ${url} - ${response.status}`);
      return response;
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if (status !== undefined) octokit.log.debug(`GitHub request: ${method} ${url} - ${String(status)}`);
      throw error;
    }
  };
  return Object.assign(logged, { endpoint: sendDirect.endpoint, defaults: octokit.request.defaults }) as unknown as typeof sendDirect;
}

/** No answer at all, or one the retry plugin would send again. */
function wantsRetry(error: unknown): boolean {
  const { status } = error as { status?: unknown };
  return typeof status !== "number" || status === 0 || (status >= 400 && !FINAL.has(status));
}

function isRateLimited(error: unknown): boolean {
  const { status, message, response } = error as { status?: number; message?: string; response?: { headers?: Record<string, string | undefined> } };
  const headers = response?.headers ?? {};
  if (status === 429) return true;
  return status === 403 && (headers["retry-after"] !== undefined || headers["x-ratelimit-remaining"] === "0" || /\bsecondary rate\b/i.test(message ?? ""));
}

/** The bound on one installation's requests that go out directly; the rest wait their turn in order. */
export function readSlots(): LimitFunction {
  return pLimit(READS_AT_ONCE);
}
