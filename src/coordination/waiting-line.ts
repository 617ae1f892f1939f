import type { Redis } from "ioredis";
import { redisKeys } from "../public-names.js";

/**
 * First come, first served for one repository's lock across replicas. Redlock alone is not fair:
 * a replica that releases the lock and asks again at once (its next delivery about the
 * repository) wins against replicas that poll, so a busy replica could keep a revoke queued on
 * another one waiting until it fails. Each waiter takes a ticket in the repository's line and
 * asks Redlock only when its ticket is at the head.
 *
 * Keys (one Redis, not a cluster; all expire on their own):
 * - `mainline:repository:<id>:line`: sorted set, ticket → its number in order of arrival;
 * - `mainline:repository:<id>:seen`: sorted set, ticket → when its waiter last asked (Redis time, ms);
 * - `mainline:repository:<id>:tickets`: the counter that numbers them.
 * A waiter that stops asking for `staleMs` (its replica died, or gave up) leaves the line, so a
 * dead replica's ticket holds the line for two seconds, not for ever.
 */
export type WaitingLine = {
  /** Joins the line (once) and says whether `ticket` is now first. Throws when Redis does not answer. */
  first(repository: number, ticket: string): Promise<boolean>;
  /** Leaves the line (the lock was taken, or the wait given up). */
  leave(repository: number, ticket: string): Promise<void>;
};

const STALE_MS = 2_000;
const KEEP_MS = 120_000;

// Redis's TIME, not the replicas' clocks: waiters on different hosts are judged by one clock.
const FIRST = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[2]))) do
  redis.call('ZREM', KEYS[1], gone)
  redis.call('ZREM', KEYS[2], gone)
end
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[3]), ARGV[1])
end
redis.call('ZADD', KEYS[2], now, ARGV[1])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
return redis.call('ZRANGE', KEYS[1], 0, 0)[1] == ARGV[1] and 1 or 0
`;

const LEAVE = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`;

type LineCommands = {
  mainlineLineFirst(line: string, seen: string, tickets: string, ticket: string, staleMs: number, keepMs: number): Promise<number>;
  mainlineLineLeave(line: string, seen: string, ticket: string): Promise<number>;
};

export function redisWaitingLine(client: Redis, { staleMs = STALE_MS } = {}): WaitingLine {
  const commands = client as Redis & Partial<LineCommands>;
  // defineCommand sends EVALSHA and falls back to EVAL, so a restarted Redis (scripts forgotten) works at once.
  if (!commands.mainlineLineFirst) client.defineCommand("mainlineLineFirst", { numberOfKeys: 3, lua: FIRST });
  if (!commands.mainlineLineLeave) client.defineCommand("mainlineLineLeave", { numberOfKeys: 2, lua: LEAVE });
  const line = commands as Redis & LineCommands;
  const keys = (repository: number) => {
    const base = redisKeys.repository(repository);
    return { line: `${base}:line`, seen: `${base}:seen`, tickets: `${base}:tickets` };
  };
  return {
    async first(repository, ticket) {
      const key = keys(repository);
      return (await line.mainlineLineFirst(key.line, key.seen, key.tickets, ticket, staleMs, KEEP_MS)) === 1;
    },
    async leave(repository, ticket) {
      const key = keys(repository);
      await line.mainlineLineLeave(key.line, key.seen, ticket);
    },
  };
}
