import { spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { createServer } from "node:net";
import { PRIVATE_KEY } from "./keys.js";

/**
 * Starts the app the way the README does (`npm start`, i.e. `node dist/main.js`, which runs the
 * compiled app through Probot's `run` with mainline's start-up checks, health and shutdown)
 * in its own process group, and signs webhooks for it the way GitHub does.
 */
export type RunningApp = {
  url: string;
  output: () => string;
  deliver: (event: string, payload: unknown, options?: { id?: string; signature?: string | null }) => Promise<Response>;
  /**
   * Delivers and answers with the delivery's outcome even when it outlasts Probot's 9 s (a 202,
   * on busy test cores): then it waits until /metrics counts one more delivery ended, `ok` (200)
   * or `failed` (500). For story tests that send one delivery at a time.
   */
  deliverSettled: (event: string, payload: unknown, options?: { id?: string }) => Promise<{ status: number }>;
  /**
   * The output once it contains `text`, or as it is after `ms`: a line the app logged just before
   * it answered may reach this process after the answer (a pipe, on busy cores).
   */
  outputWith: (text: string, ms?: number) => Promise<string>;
  stop: () => Promise<void>;
  /** The started process (npm, or node itself with a `node` StartCommand, as the image runs it). */
  pid: number;
  /** Sends `signal` to the started process alone (as Kubernetes and `docker stop` signal PID 1). */
  signal: (signal: NodeJS.Signals) => void;
  /** Resolves when the started process exits, with how. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/** The image's start: node on the compiled entry, no npm in between (see Dockerfile). */
export const NODE_START: StartCommand = { file: process.execPath, args: ["dist/main.js"] };

export const WEBHOOK_SECRET = "test-webhook-secret";

/** The credentials and API base that point a started app at a loopback GitHub test server (`host:port`). */
export function credentialsFor(githubHost: string): Record<string, string> {
  // The missed-webhook sweep (on by default for a lone replica) asks GitHub for deliveries on its own
  // clock: tests that count requests turn it on only where they test it.
  return { APP_ID: "123", PRIVATE_KEY, WEBHOOK_SECRET, GHE_HOST: githubHost, GHE_PROTOCOL: "http", MAINLINE_REDELIVERY: "off" };
}

/**
 * Env for an app whose test is not about GitHub's write spacing (add it to credentialsFor's): no
 * time between one installation's writes, neither Probot's (1 s, 3 s for a comment; removed by a
 * preload, without-write-spacing.mjs) nor, with REDIS_URL, mainline's across replicas. Writes
 * still go one at a time and rate-limit holds still apply: a story then waits only on the app.
 */
export const WITHOUT_WRITE_SPACING: Record<string, string> = {
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import=${new URL("./without-write-spacing.mjs", import.meta.url).href}`.trim(),
  MAINLINE_WRITE_SPACING_MS: "0",
};

/** How the app is started: by default as the README says, `npm start`. */
export type StartCommand = { file: string; args: string[]; /** Working directory (where Probot reads `.env` and `*.pem`); default the current one. */ cwd?: string };

/** `readyPath` null: returns as soon as the process is spawned, without waiting for it to serve (to watch its start-up). */
export async function startApp(env: Record<string, string>, readyPath: string | null = "/healthz", command: StartCommand = { file: "npm", args: ["start", "--silent"] }): Promise<RunningApp> {
  const port = await freePort();
  const child = spawn(command.file, command.args, {
    cwd: command.cwd ?? process.cwd(),
    env: { ...process.env, NODE_ENV: "test", HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "info", ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  if (readyPath !== null) await waitUntilServing(`${url}${readyPath}`, child, () => output);
  const running: RunningApp = {
    url,
    output: () => output,
    async deliver(event, payload, { id = `delivery-${Math.random().toString(16).slice(2)}`, signature } = {}) {
      const body = JSON.stringify(payload);
      const headers: Record<string, string> = { "content-type": "application/json", "x-github-event": event, "x-github-delivery": id };
      const signed = signature === undefined ? sign(body) : signature;
      if (signed !== null) headers["x-hub-signature-256"] = signed;
      return fetch(`${url}/api/github/webhooks`, { method: "POST", headers, body });
    },
    async outputWith(text, ms = 5_000) {
      for (const deadline = Date.now() + ms; !output.includes(text) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
      return output;
    },
    async deliverSettled(event, payload, options = {}) {
      const before = await deliveriesEnded(url);
      const res = await running.deliver(event, payload, options);
      if (res.status !== 202) return { status: res.status };
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
        const now = await deliveriesEnded(url);
        if (now.failed > before.failed) return { status: 500 };
        if (now.ok > before.ok) return { status: 200 };
      }
      return { status: 202 };
    },
    stop: () => stopProcessGroup(child),
    pid: child.pid!,
    signal: (signal) => void (child.exitCode === null && child.signalCode === null && process.kill(child.pid!, signal)),
    exited,
  };
  return running;
}

/** How many deliveries the app counts as ended, by outcome (`mainline_deliveries_total`). */
async function deliveriesEnded(url: string): Promise<{ ok: number; failed: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sum = (outcome: string) =>
    text
      .split("\n")
      .filter((line) => line.startsWith("mainline_deliveries_total{") && line.includes(`outcome="${outcome}"`))
      .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
  return { ok: sum("ok"), failed: sum("failed") };
}

export function sign(body: string, secret = WEBHOOK_SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

async function waitUntilServing(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopProcessGroup(child);
  throw new Error(`the app did not answer ${url} within 20 s:\n${output()}`);
}

/**
 * SIGTERM to the whole group, then waits until no process of it is left (SIGKILL after 5 s): `npm`
 * exits at once while the app behind it may still finish deliveries in its shutdown grace, and a
 * leftover app would go on working beside whatever the caller starts next.
 */
async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return;
  const group = -child.pid;
  if (!signalGroup(group, "SIGTERM")) return;
  const killAt = Date.now() + 5000;
  // A zombie still counts as a member until its parent reaps it: give up 2 s after the SIGKILL.
  while (signalGroup(group, 0) && Date.now() < killAt + 2000) {
    if (Date.now() >= killAt) signalGroup(group, "SIGKILL");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether any process of the group was there to receive `signal`. */
function signalGroup(group: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(group, signal);
    return true;
  } catch {
    return false;
  }
}

/** A loopback port nothing listens on (it was free a moment ago). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
