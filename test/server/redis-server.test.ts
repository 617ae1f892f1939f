import { existsSync } from "node:fs";
import { Redis } from "ioredis";
import { startRedisServer } from "../helpers/redis-server.js";

// The test helper that gives the replica tests a real Redis: it answers, it goes away and comes
// back on the same port (a client connected before reconnects by itself), and leaves nothing behind.

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function client(url: string, retry: boolean): Redis {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: retry ? () => 100 : () => null });
  redis.on("error", () => undefined);
  return redis;
}

test("redis-server answers PING on 127.0.0.1, refuses connections while stopped, comes back on the same port, and leaves no process", async () => {
  const redis = await startRedisServer();
  const first = redis.pid!;
  expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
  const lasting = client(redis.url, true);
  let dir = "";
  try {
    await lasting.connect();
    expect(await lasting.ping()).toBe("PONG");
    expect(await lasting.config("GET", "save")).toEqual(["save", ""]);
    expect(await lasting.config("GET", "appendonly")).toEqual(["appendonly", "no"]);
    expect(await lasting.config("GET", "bind")).toEqual(["bind", "127.0.0.1"]);
    const [, firstDir] = (await lasting.config("GET", "dir")) as [string, string];
    expect(existsSync(firstDir)).toBe(true);

    await redis.stop();
    expect(alive(first)).toBe(false);
    expect(redis.pid).toBeUndefined();
    expect(existsSync(firstDir)).toBe(false);
    const refused = client(redis.url, false);
    const errors: string[] = [];
    refused.on("error", (error: NodeJS.ErrnoException) => errors.push(String(error.code)));
    // Its connection is closed already: nothing to disconnect.
    await expect(refused.connect()).rejects.toThrow();
    expect(errors).toContain("ECONNREFUSED");

    await redis.start();
    expect(redis.pid).not.toBe(first);
    const again = client(redis.url, false);
    await again.connect();
    expect(await again.ping()).toBe("PONG");
    await again.quit();
    // The client connected before the stop finds the server again by itself.
    await new Promise<void>((resolve) => (lasting.status === "ready" ? resolve() : lasting.once("ready", () => resolve())));
    expect(await lasting.ping()).toBe("PONG");
    [, dir] = (await lasting.config("GET", "dir")) as [string, string];
  } finally {
    await lasting.quit().catch(() => lasting.disconnect());
    const second = redis.pid;
    await redis.stop();
    if (second !== undefined) expect(alive(second)).toBe(false);
  }
  expect(dir).not.toBe("");
  expect(existsSync(dir)).toBe(false);
});

test("a missing redis-server says how to install it", async () => {
  await expect(startRedisServer({ binary: "redis-server-not-installed" })).rejects.toThrow(/`\.ci\/run` installs[\s\S]*apt-get install redis-server/);
});
