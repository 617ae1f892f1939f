import { Redis, type RedisOptions } from "ioredis";
import { startRedisServer, type RedisServer } from "./redis-server.js";

/**
 * A real redis-server for one test file, and the "replicas" that use it: each replica is a
 * connection of its own, as two processes have. Call it at the top of the file: it registers the
 * hooks that start the server (beforeAll), close the connections each test made (afterEach) and
 * stop the server (afterAll). Until the beforeAll has run, its server properties throw.
 */
export type RedisForTests = RedisServer & {
  /**
   * A replica's connection, as coordination/redis.ts makes it: no offline queue, no retries per
   * command, reconnecting every 100 ms, its errors ignored; resolves once it is ready. `options`
   * are merged over those (e.g. `commandTimeout`); with `lazyConnect: true` it connects at once
   * and resolves even when that fails. `url`: another Redis than this file's.
   */
  replica(options?: RedisOptions, url?: string): Promise<Redis>;
  /** The connections made in the test that runs now; a test that closes one itself takes it out. */
  readonly clients: Redis[];
};

/** How long a connection's QUIT may take after a test before it is simply dropped. */
const QUIT_MS = 1_000;

export function redisForTests(): RedisForTests {
  let server: RedisServer | undefined;
  const clients: Redis[] = [];
  const running = (): RedisServer => {
    if (!server) throw new Error("redisForTests(): its redis-server starts in beforeAll, use it inside hooks and tests");
    return server;
  };

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map(close));
  });

  return {
    get url() {
      return running().url;
    },
    get port() {
      return running().port;
    },
    get pid() {
      return running().pid;
    },
    stop: () => running().stop(),
    start: () => running().start(),
    clients,
    async replica(options = {}, url = running().url) {
      const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 100, ...options });
      client.on("error", () => undefined);
      clients.push(client);
      if (client.status === "wait") await client.connect().catch(() => undefined);
      else await new Promise((resolve) => client.once("ready", resolve));
      return client;
    },
  };
}

/**
 * QUIT, so the server closes the connection and jest exits without open handles; dropped instead
 * when it cannot be sent (not connected) or gets no answer in time (a Redis stopped or paused).
 */
async function close(client: Redis): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), QUIT_MS)));
  const quit = client.quit().then(
    () => "quit" as const,
    () => "failed" as const,
  );
  const how = await Promise.race([quit, late]);
  clearTimeout(timer);
  if (how !== "quit") client.disconnect();
}
