import type { Redis } from "ioredis";
import type { Octokit } from "../github/client.js";
import { headerNumber } from "../github/request-metrics.js";
import { isAppAuthentication, isGateAnswer, isWrite } from "../github/write-kinds.js";
import { lockHeldNow } from "./repository-lock.js";
import { answerWithin } from "./redis.js";
import { durationFromEnv, type EnvDuration } from "../env-duration.js";
import { redisKeys } from "../public-names.js";

/**
 * Write pacing shared by the replicas (REDIS_URL): GitHub asks for at least a second between
 * write requests of one installation, and Probot's write group keeps that only per process, so
 * n replicas could write n times as often. Each write first reserves its installation's next
 * slot in Redis, atomically, on Redis's own clock (TIME inside the script: replica clocks may
 * be skewed); a rate-limit answer holds the installation's writes on every replica until
 * GitHub's time, each write for at most `maxWaitMs`.
 *
 * Key (one per installation, gone on its own once its time has passed):
 * - `mainline:pace:<installation>`: string, the Redis time (epoch ms) before which the
 *   installation's next write may not go, with a PX expiry at that time.
 *
 * A courtesy to GitHub, never a condition: Redis down, slow (no answer within `askMs`) or
 * failing lets the write go at once (each replica's own Probot pacing still applies); no write
 * waits more than `maxWaitMs` (5 s), one whose work holds a repository's lock at most 1 s, and the
 * gate's own answers (a protection rule's, a refused deployment's status) do not wait at all, so
 * replies provoked in bulk can delay neither a deploy nor the repository's other work for long.
 *
 * Why not Bottleneck clustering (what Probot's throttling uses with REDIS_URL), tried against
 * redis-server 7.0 with this app's connection (no offline queue, 1.5 s command timeout): after a
 * Redis restart every existing limiter failed each job with `ERR SETTINGS_KEY_NOT_FOUND` for as
 * long as we watched, because Bottleneck 2.19.5 (last release 2019) compares the reply without
 * Redis 7's `ERR ` prefix and never re-creates its settings (SGrondin/bottleneck#205, #219, open);
 * a limiter first used while Redis was down failed for ever with "Stream isn't writeable"; and a
 * paused Redis held each job for the full command timeout (1.5 s), not a bounded 250 ms.
 */
export type WritePacing = {
  /** Waits this installation's shared turn for one write (POST/PATCH/PUT/DELETE), at most `maxWaitMs` when given (capped by the pacing's own); never throws. */
  turn(installation: number, maxWaitMs?: number): Promise<void>;
  /**
   * Tells the other replicas this installation was told to hold its writes until `untilMs` (epoch
   * ms on this replica's clock: a secondary limit's retry-after, a primary limit's reset). Turned
   * into a duration here and set against Redis's clock. Never throws.
   */
  holdUntil(installation: number, untilMs: number): Promise<void>;
};

export type WritePacingOptions = {
  /** The least time between two writes of one installation, across replicas (GitHub: one second). */
  minSpacingMs?: number;
  /** The most a write waits for its turn: a longer shared wait is cut to this. */
  maxWaitMs?: number;
  /** How long Redis has to answer before the write goes without it. */
  askMs?: number;
  /** Told how long each turn held its write, in seconds (metrics). */
  waited?: (seconds: number) => void;
};

const MIN_SPACING_MS = 1_000;
const MAX_WAIT_MS = 5_000;
const ASK_MS = 250;
/** The most a write waits for its turn while its work holds a repository's lock. */
const UNDER_LOCK_MAX_WAIT_MS = 1_000;
/** A primary limit's window is an hour: no hold lasts longer. */
const MAX_HOLD_MS = 3_600_000;
/** A secondary limit without `retry-after`: GitHub says to wait at least a minute (as Probot's throttling does). */
const SECONDARY_FALLBACK_MS = 60_000;

/**
 * MAINLINE_WRITE_SPACING_MS: the least time between one installation's writes across replicas
 * (0–5000, default 1000). 0 keeps only the shared rate-limit holds: for a GitHub Enterprise Server
 * with rate limits off, and for the bench's diagnostic pass, which removes Probot's spacing too.
 */
export function writeSpacingFromEnv(env: NodeJS.ProcessEnv): EnvDuration {
  return durationFromEnv(env, "MAINLINE_WRITE_SPACING_MS", { unit: "ms", min: 0, max: MAX_WAIT_MS, fallback: MIN_SPACING_MS });
}

export function paceKey(installation: number): string {
  return redisKeys.pace(installation);
}

// Reserve: at = max(now, next); next = at + spacing. A slot further off than the longest wait is
// not reserved (the write goes at the longest wait, out of line), so writes cut short by
// `maxWaitMs` (a hold, a burst) never push the line further and further out.
const RESERVE = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local at = math.max(now, tonumber(redis.call('GET', KEYS[1]) or 0) or 0)
local wait = at - now
if wait <= tonumber(ARGV[2]) then
  local after = at + tonumber(ARGV[1])
  redis.call('SET', KEYS[1], string.format('%d', after), 'PX', string.format('%d', after - now))
end
return wait
`;

// Hold: next = max(next, now + hold).
const HOLD = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local held = now + tonumber(ARGV[1])
if held > (tonumber(redis.call('GET', KEYS[1]) or 0) or 0) then
  redis.call('SET', KEYS[1], string.format('%d', held), 'PX', ARGV[1])
end
return 1
`;

type PaceCommands = {
  mainlinePaceReserve(key: string, spacingMs: number, maxWaitMs: number): Promise<number>;
  mainlinePaceHold(key: string, holdMs: number): Promise<number>;
};

/** Write pacing over the replica's one Redis connection (coordination/redis.ts). */
export function redisWritePacing(client: Redis, options: WritePacingOptions = {}): WritePacing {
  const spacingMs = Math.max(1, Math.round(options.minSpacingMs ?? MIN_SPACING_MS));
  const maxWaitMs = Math.max(0, options.maxWaitMs ?? MAX_WAIT_MS);
  const askMs = options.askMs ?? ASK_MS;
  const commands = client as Redis & Partial<PaceCommands>;
  // defineCommand sends EVALSHA and falls back to EVAL, so a restarted Redis (scripts forgotten) works at once.
  if (!commands.mainlinePaceReserve) client.defineCommand("mainlinePaceReserve", { numberOfKeys: 1, lua: RESERVE });
  if (!commands.mainlinePaceHold) client.defineCommand("mainlinePaceHold", { numberOfKeys: 1, lua: HOLD });
  const pace = commands as Redis & PaceCommands;
  const ask = <T>(command: () => Promise<T>) => answerWithin(client, command, askMs);
  return {
    async turn(installation, most = maxWaitMs) {
      const started = performance.now();
      const longest = Math.min(Math.max(0, most), maxWaitMs);
      const wait = await ask(() => pace.mainlinePaceReserve(paceKey(installation), spacingMs, longest));
      if (typeof wait === "number" && wait > 0) await sleep(Math.min(wait, longest));
      options.waited?.((performance.now() - started) / 1000);
    },
    async holdUntil(installation, untilMs) {
      const holdMs = Math.min(Math.ceil(untilMs - Date.now()), MAX_HOLD_MS);
      if (!(holdMs > 0)) return;
      await ask(() => pace.mainlinePaceHold(paceKey(installation), holdMs));
    },
  };
}

/**
 * Paces `octokit`'s writes, a client of `installation`: each POST, PATCH, PUT or DELETE first
 * waits its shared turn (reads, and the app's own installation-token requests, go as they are),
 * and a write answered with a rate limit holds the installation's writes on every replica.
 * The answer is looked at where it arrives (the request's `fetch`), each attempt, so a limit is
 * told at once even when Probot's throttling then waits to send the write again.
 *
 * Hooks added later run first: add this after the client is made, so a write waits here before
 * it takes a place in Probot's own write queue (which would otherwise be held while it waits).
 */
export function paceWrites<O extends Octokit>(octokit: O, installation: number, pacing: WritePacing): O {
  octokit.hook.wrap("request", async (request, options) => {
    if (!isPacedWrite(options.method, options.url)) return request(options);
    // Work holding its repository's lock keeps every replica's work on that repository waiting: it waits less.
    await pacing.turn(installation, lockHeldNow() ? UNDER_LOCK_MAX_WAIT_MS : undefined);
    const send = options.request?.fetch ?? globalThis.fetch;
    const watched: typeof fetch = async (input, init) => {
      const response = await send(input, init);
      if (response.status === 403 || response.status === 429) {
        const until = rateLimitHold(response.status, response.headers, await messageOf(response), Date.now());
        if (until !== undefined) await pacing.holdUntil(installation, until);
      }
      return response;
    };
    // The hooks inside this one were handed these options already: the `fetch` goes into them.
    options.request = { ...options.request, fetch: watched };
    return request(options);
  });
  return octokit;
}

/**
 * Until when (epoch ms) a write answered `status` with `headers` and `message` tells its
 * installation to hold its writes, or undefined when the answer is no rate limit. As GitHub
 * documents it: `retry-after` first; else a primary limit (`x-ratelimit-remaining: 0`) until
 * its reset, and a second; else a secondary limit named in the message, a minute.
 */
export function rateLimitHold(status: number, headers: Headers, message: string, nowMs: number): number | undefined {
  if (status !== 403 && status !== 429) return undefined;
  const retryAfter = headerNumber(headers, "retry-after");
  if (retryAfter !== undefined && retryAfter >= 0) return nowMs + retryAfter * 1000;
  const reset = headerNumber(headers, "x-ratelimit-reset");
  if (headers.get("x-ratelimit-remaining")?.trim() === "0" && reset !== undefined) return reset * 1000 + 1000;
  if (/\bsecondary rate\b/i.test(message)) return nowMs + SECONDARY_FALLBACK_MS;
  return undefined;
}

/**
 * A write to pace: not an installation token or other authentication (Probot's throttling keeps
 * those apart too), and not the gate's own answer, which a deploy waits on: a stream of replies
 * any reader can provoke must not delay what decides a deploy.
 */
function isPacedWrite(method: string, url: string): boolean {
  return isWrite(method, url) && !isAppAuthentication(method, url) && !isGateAnswer(method, url);
}

/** GitHub's message, only where it is needed (a 403 or 429 that named no time): read from a copy, the caller's body untouched. */
async function messageOf(response: Response): Promise<string> {
  if (response.headers.has("retry-after") || response.headers.get("x-ratelimit-remaining")?.trim() === "0") return "";
  return response
    .clone()
    .text()
    .catch(() => "");
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
