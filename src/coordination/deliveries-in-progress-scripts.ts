import type { Redis } from "ioredis";

/**
 * The journal's steps (deliveries-in-progress.ts), each one atomic in Redis, on Redis's clock
 * (TIME: replica clocks may be skewed). KEYS[1] is the journal (sorted set: guid → last heard of),
 * KEYS[2] the states (hash: guid → state).
 */

const NOW = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function keep(ms)
  redis.call('PEXPIRE', KEYS[1], ms)
  redis.call('PEXPIRE', KEYS[2], ms)
end
local function mine(state, run)
  return state and string.sub(state, 1, #run + 9) == 'running ' .. run .. ' '
end
`;

// ARGV: keepMs, guid, run. Owed when any entry was there: an earlier attempt did not finish, or a sweep asked for this one.
const START = `${NOW}
local state = redis.call('HGET', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[2], 'running ' .. ARGV[3] .. (state and ' 1' or ' 0'))
redis.call('ZADD', KEYS[1], now, ARGV[2])
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%d', now - tonumber(ARGV[1])), 'LIMIT', 0, 100)
for _, guid in ipairs(old) do
  redis.call('ZREM', KEYS[1], guid)
  redis.call('HDEL', KEYS[2], guid)
end
keep(ARGV[1])
return 1
`;

// ARGV: keepMs, then guid, run pairs. A run's entry gone (Redis restarted, its start never arrived) or asked is noted again.
const HEARTBEAT = `${NOW}
for i = 2, #ARGV, 2 do
  local guid, run = ARGV[i], ARGV[i + 1]
  local state = redis.call('HGET', KEYS[2], guid)
  if not state or state == 'asked' then
    redis.call('HSET', KEYS[2], guid, 'running ' .. run .. (state and ' 1' or ' 0'))
    redis.call('ZADD', KEYS[1], now, guid)
  elseif mine(state, run) then
    redis.call('ZADD', KEYS[1], now, guid)
  end
end
keep(ARGV[1])
return 1
`;

// ARGV: guid, run, heartbeatTimeoutMs. The event's work is done: its entry goes, whichever run
// wrote it (unfinished, asked), but for another run's running entry with a fresh heartbeat.
const FINISH = `${NOW}
local state = redis.call('HGET', KEYS[2], ARGV[1])
if not state then return 1 end
if string.sub(state, 1, 8) == 'running ' and not mine(state, ARGV[2]) then
  local at = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]))
  if at and now - at < tonumber(ARGV[3]) then return 0 end
end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
`;

// ARGV: keepMs, guid, run, accepted (1/0). Returns 1 when the entry is now unfinished. No entry at
// all (its start never reached Redis, or Redis restarted): noted when GitHub had the 202.
const FAIL = `${NOW}
local state = redis.call('HGET', KEYS[2], ARGV[2])
if not state and ARGV[4] == '1' then state = 'running ' .. ARGV[3] .. ' 0' end
if not mine(state, ARGV[3]) then return 0 end
if ARGV[4] == '1' or string.sub(state, -1) == '1' then
  redis.call('HSET', KEYS[2], ARGV[2], 'unfinished ' .. (ARGV[4] == '1' and 'accepted' or 'refused') .. ' ' .. ARGV[3])
  redis.call('ZADD', KEYS[1], now, ARGV[2])
  keep(ARGV[1])
  return 1
end
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[2])
return 0
`;

// Returns now, then guid, score, state for each entry.
const READ = `${NOW}
local out = { string.format('%d', now) }
local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #entries, 2 do
  out[#out + 1] = entries[i]
  out[#out + 1] = entries[i + 1]
  out[#out + 1] = redis.call('HGET', KEYS[2], entries[i]) or ''
end
return out
`;

// ARGV: keepMs, then guid, score, state, to (asked/forgotten) quadruples. Returns the guids changed.
const SETTLE = `${NOW}
local changed = {}
for i = 2, #ARGV, 4 do
  local guid = ARGV[i]
  if redis.call('ZSCORE', KEYS[1], guid) == ARGV[i + 1] and redis.call('HGET', KEYS[2], guid) == ARGV[i + 2] then
    if ARGV[i + 3] == 'asked' then
      redis.call('HSET', KEYS[2], guid, 'asked')
      redis.call('ZADD', KEYS[1], now, guid)
    else
      redis.call('ZREM', KEYS[1], guid)
      redis.call('HDEL', KEYS[2], guid)
    end
    changed[#changed + 1] = guid
  end
end
keep(ARGV[1])
return changed
`;

export type JournalCommands = {
  mainlineWorkStart(journal: string, states: string, keepMs: number, guid: string, run: string): Promise<number>;
  mainlineWorkHeartbeat(journal: string, states: string, keepMs: number, ...pairs: string[]): Promise<number>;
  mainlineWorkFinish(journal: string, states: string, guid: string, run: string, heartbeatTimeoutMs: number): Promise<number>;
  mainlineWorkFail(journal: string, states: string, keepMs: number, guid: string, run: string, accepted: string): Promise<number>;
  mainlineWorkRead(journal: string, states: string): Promise<string[]>;
  mainlineWorkSettle(journal: string, states: string, keepMs: number, ...quads: string[]): Promise<string[]>;
};

const SCRIPTS: Record<keyof JournalCommands, string> = {
  mainlineWorkStart: START,
  mainlineWorkHeartbeat: HEARTBEAT,
  mainlineWorkFinish: FINISH,
  mainlineWorkFail: FAIL,
  mainlineWorkRead: READ,
  mainlineWorkSettle: SETTLE,
};

/** `client` with the journal's steps defined (once per connection). */
export function journalCommands(client: Redis): Redis & JournalCommands {
  const commands = client as Redis & Partial<JournalCommands>;
  // defineCommand sends EVALSHA and falls back to EVAL, so a restarted Redis (scripts forgotten) works at once.
  for (const [name, lua] of Object.entries(SCRIPTS)) if (!commands[name as keyof JournalCommands]) client.defineCommand(name, { numberOfKeys: 2, lua });
  return commands as Redis & JournalCommands;
}
