import type { Redis } from "ioredis";
import type { RepeatedErrors } from "../repeated-errors.js";

export type RedisCheck = { reachable: boolean; checkedAt: string; error?: string };

/**
 * The one Redis connection of a replica (REDIS_URL): the repository locks, the sweeps' locks and
 * the health probe share it. No offline queue and no retries per command, so while Redis is
 * down a lock fails at once (the delivery gets a 5xx and is redelivered later) instead of
 * waiting in a queue; the connection itself keeps trying, calmly, to come back.
 */
export type SharedRedis = {
  client: Redis;
  /** Is Redis there now: a PING with a 1 s limit. */
  ping(): Promise<RedisCheck>;
  close(): Promise<void>;
};

/** ioredis is loaded only when REDIS_URL is set, so a single replica's start-up never pays for it. */
const IOREDIS = "ioredis";

/**
 * Connects and waits up to `readyMs` for the connection; a Redis that is down at start does not
 * stop the replica (the gate needs no Redis), it only reports unreachable until it is back.
 * Connection errors go to `errors`, which the reconnect also tells when Redis is back.
 */
export async function connectRedis(url: string, errors: RepeatedErrors, { readyMs = 2_000, pingMs = 1_000 } = {}): Promise<SharedRedis> {
  const { Redis } = (await import(IOREDIS)) as typeof import("ioredis");
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    // A Redis that stops answering on an open connection (paused, partitioned) fails each command
    // within this, as a closed one does at once: a lock then fails fast, never past GitHub's 10 s.
    commandTimeout: 1_500,
    keepAlive: 10_000,
    retryStrategy: (times: number) => Math.min(times * 200, 5_000),
  });
  client.on("error", (error: Error) => errors.report(error));
  client.on("ready", () => errors.recovered());
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, readyMs);
    client.once("ready", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const checkedAt = () => new Date().toISOString();
  return {
    client,
    async ping() {
      if (client.status !== "ready") return { reachable: false, checkedAt: checkedAt(), error: errors.lastMessage || `connection ${client.status}` };
      try {
        await Promise.race([client.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error(`no PONG within ${pingMs} ms`)), pingMs).unref())]);
        return { reachable: true, checkedAt: checkedAt() };
      } catch (error) {
        return { reachable: false, checkedAt: checkedAt(), error: error instanceof Error ? error.message : String(error) };
      }
    },
    async close() {
      client.disconnect();
    },
  };
}

/**
 * The command's answer, or undefined when it failed or did not come within `ms` (a late answer is
 * dropped). While `client` is not connected nothing is sent: with an offline queue it would wait there.
 */
export function answerWithin<T>(client: Pick<Redis, "status">, command: () => Promise<T>, ms: number): Promise<T | undefined> {
  if (client.status !== "ready") return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    const done = (value: T | undefined) => {
      clearTimeout(timer);
      resolve(value);
    };
    try {
      command().then(done, () => done(undefined));
    } catch {
      done(undefined);
    }
  });
}
