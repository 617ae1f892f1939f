import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { sign, type RunningApp } from "../test/helpers/start-app.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FLOOR_APP = fileURLToPath(new URL("./floor-app.js", import.meta.url));

/**
 * Starts the floor app as mainline is started, minus npm: `probot run` on compiled JS, in its
 * own process group, with the same environment; deliveries are signed by the same `sign`.
 */
export async function startFloor(env: Record<string, string>): Promise<RunningApp> {
  const port = await freePort();
  const child = spawn(`${ROOT}node_modules/.bin/probot`, ["run", FLOOR_APP], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "test", HOST: "127.0.0.1", PORT: String(port), ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    process.kill(-child.pid, "SIGTERM");
    await exited;
  };
  const deadline = Date.now() + 20_000;
  while (!(await answers(`${url}/healthz`))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the floor app did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    output: () => output,
    async deliver(event, payload, { id = `floor-${Math.random().toString(16).slice(2)}` } = {}) {
      const body = JSON.stringify(payload);
      const headers = { "content-type": "application/json", "x-github-event": event, "x-github-delivery": id, "x-hub-signature-256": sign(body) };
      return fetch(`${url}/api/github/webhooks`, { method: "POST", headers, body });
    },
    stop,
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
