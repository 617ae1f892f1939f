import { connectRedis } from "../../src/coordination/redis.js";
import { RepeatedErrors } from "../../src/repeated-errors.js";
import { capturedLogger } from "../helpers/log-capture.js";
import { startRedisServer } from "../helpers/redis-server.js";

// The replica's one Redis connection against a real redis-server.

test("a wrong password in REDIS_URL is reported as Redis unreachable, and the password never reaches the log", async () => {
  const server = await startRedisServer({ args: ["--requirepass", "the-right-one"] });
  const { log, lines } = capturedLogger();
  const url = server.url.replace("redis://", "redis://:s3cret-but-wrong@");
  const redis = await connectRedis(url, new RepeatedErrors(log, "Redis (REDIS_URL)"), { readyMs: 500 });
  try {
    expect(await redis.ping()).toMatchObject({ reachable: false });
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines[0]).toMatchObject({ level: 50, msg: expect.stringMatching(/^Redis \(REDIS_URL\) is unreachable: WRONGPASS/) });
    expect(JSON.stringify(lines)).not.toContain("s3cret-but-wrong");
  } finally {
    await redis.close();
    await server.stop();
  }
});

test("a Redis that stops answering on an open connection fails a command within its time limit, not when it wakes", async () => {
  const server = await startRedisServer();
  const { log } = capturedLogger();
  const redis = await connectRedis(server.url, new RepeatedErrors(log, "Redis (REDIS_URL)"));
  try {
    expect(await redis.client.set("k", "v")).toBe("OK");
    process.kill(server.pid!, "SIGSTOP");
    const started = Date.now();
    await expect(redis.client.set("k", "w")).rejects.toThrow(/timed out/i);
    expect(Date.now() - started).toBeLessThan(3_000);
  } finally {
    process.kill(server.pid!, "SIGCONT");
    await redis.close();
    await server.stop();
  }
});
