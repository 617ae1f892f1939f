import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./start-app.js";

/**
 * A real `redis-server` for tests (the Debian package `redis-server`; `.ci/run` installs it):
 * on a free loopback port, 127.0.0.1 only, nothing saved (`--save "" --appendonly no`), in a
 * temporary directory of its own. `stop()` and `start()` take it away and bring it back on the
 * same port, as a Redis that restarts while deliveries arrive; `stop()` leaves no process and no
 * directory behind.
 */
export type RedisServer = {
  /** `redis://127.0.0.1:<port>`: the REDIS_URL to give the app. */
  readonly url: string;
  readonly port: number;
  /** The running redis-server's process id (a new one after each `start()`); undefined while stopped. */
  readonly pid: number | undefined;
  /** SIGTERM to its process id, SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port; resolves once it answers PING. */
  start(): Promise<void>;
};

const NOT_INSTALLED =
  "`redis-server` is not installed (or not on PATH): the tests need a real Redis. `.ci/run` installs it (the Debian package `redis-server`) " +
  "when it is missing; by hand: `apt-get install redis-server` (as root, or with sudo). No Redis service needs to run: the tests start their own.";

/** Every redis-server still running, killed if the test process exits without stopping it. */
const running = new Set<ChildProcess>();
const killRunning = () => {
  for (const child of running) if (child.pid !== undefined) killQuietly(child.pid, "SIGKILL");
};

function track(child: ChildProcess): void {
  if (running.size === 0) process.on("exit", killRunning);
  running.add(child);
  child.once("exit", () => {
    running.delete(child);
    if (running.size === 0) process.off("exit", killRunning);
  });
}

/** `args`: more redis-server options (e.g. `--requirepass`). */
export async function startRedisServer({ binary = "redis-server", args: more = [] }: { binary?: string; args?: string[] } = {}): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let dir: string | undefined;

  async function start(): Promise<void> {
    if (child) throw new Error(`redis-server is already running on port ${port} (pid ${child.pid})`);
    dir = mkdtempSync(join(tmpdir(), "mainline-redis-"));
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no", ...more];
    const started = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (data: Buffer) => void (output = (output + data.toString()).slice(-8_000));
    started.stdout!.on("data", keep);
    started.stderr!.on("data", keep);
    try {
      await new Promise<void>((resolve, reject) => {
        started.once("spawn", resolve);
        started.once("error", (error: NodeJS.ErrnoException) => reject(error.code === "ENOENT" ? new Error(NOT_INSTALLED) : error));
      });
    } catch (error) {
      removeDir();
      throw error;
    }
    child = started;
    track(started);
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(port))) {
      if (started.exitCode !== null || started.signalCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`redis-server on 127.0.0.1:${port} did not answer PING within 10 s (exit ${started.exitCode ?? started.signalCode ?? "none"}):\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async function stop(): Promise<void> {
    const stopping = child;
    child = undefined;
    if (stopping?.pid !== undefined && stopping.exitCode === null && stopping.signalCode === null) {
      const exited = new Promise<void>((resolve) => stopping.once("exit", () => resolve()));
      killQuietly(stopping.pid, "SIGTERM");
      const killer = setTimeout(() => killQuietly(stopping.pid!, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(killer);
    }
    removeDir();
  }

  function removeDir(): void {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  }

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid;
    },
    stop,
    start,
  };
}

/** One inline `PING` on a fresh connection: true when `+PONG` (or, with a password set, `-NOAUTH`) comes back within a second. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let answer = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (data) => {
      answer += data.toString();
      // NOAUTH: it answers, and wants a password first (`--requirepass`).
      if (answer.includes("\r\n")) done(answer.startsWith("+PONG") || answer.startsWith("-NOAUTH"));
    });
  });
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
