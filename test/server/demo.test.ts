import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * `npm run demo` as a user runs it: the compiled program as a child process. Built here when
 * stale: dist/ (the app the demo starts; `npm test` builds it first) when src/ changed since it
 * was written, dist-demo/ when demo/, test/helpers/ or src/ did (tsc: 2 s for dist-demo/,
 * 7 s for dist/, on an idle machine; each run of the demo takes about 32 s).
 */
const ROOT = process.cwd();
const DEMO = "dist-demo/demo/run.js";

function newestSource(...dirs: string[]): number {
  return Math.max(statSync(join(ROOT, "tsconfig.json")).mtimeMs, ...dirs.map((dir) => newestIn(join(ROOT, dir))));
}

function newestIn(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return Math.max(newest, newestIn(path));
    return /\.(ts|json)$/.test(entry.name) ? Math.max(newest, statSync(path).mtimeMs) : newest;
  }, 0);
}

function tsc(project: string): void {
  execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", project], { cwd: ROOT, stdio: "inherit" });
}

function builtBefore(output: string, sources: number): boolean {
  return !existsSync(join(ROOT, output)) || statSync(join(ROOT, output)).mtimeMs < sources;
}

function buildIfStale(): void {
  if (builtBefore("dist/main.js", newestSource("src"))) tsc("tsconfig.json");
  if (builtBefore(DEMO, newestSource("demo", "test/helpers", "src"))) tsc("demo/tsconfig.json");
}

type Run = { code: number | null; stdout: string; stderr: string; seconds: number; tmpLeft: string[] };

/** Runs the demo in `root` (a checkout's layout), with a temporary directory of its own to see what it leaves there. */
function runDemo(root: string): Promise<Run> {
  const started = Date.now();
  const tmp = mkdtempSync(join(tmpdir(), "mainline-demo-test-tmp-"));
  const child = spawn(process.execPath, [join(root, DEMO)], { cwd: root, env: { ...process.env, TMPDIR: tmp }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) =>
    child.once("close", (code) => {
      const tmpLeft = readdirSync(tmp);
      rmSync(tmp, { recursive: true, force: true });
      resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000, tmpLeft });
    }),
  );
}

/**
 * A checkout as the README leaves it after "Install it as a GitHub App": a `.env` written by
 * Probot's setup page (here with a wrong WEBHOOK_SECRET and a WEBHOOK_PROXY_URL) and a stray
 * private key. A copy of the layout the demo needs, so that /work's own checkout gets no `.env`:
 * dist-demo/ copied (the demo finds the checkout from its own path), dist/ and node_modules/ linked.
 */
function checkoutWithDotEnv(proxyUrl: string): string {
  const root = mkdtempSync(join(tmpdir(), "mainline-demo-checkout-"));
  cpSync(join(ROOT, "dist-demo"), join(root, "dist-demo"), { recursive: true });
  for (const linked of ["dist", "node_modules"]) symlinkSync(join(ROOT, linked), join(root, linked), "dir");
  cpSync(join(ROOT, "package.json"), join(root, "package.json"));
  writeFileSync(join(root, ".env"), `WEBHOOK_PROXY_URL=${proxyUrl}\nWEBHOOK_SECRET=not-the-demos-secret\n`);
  writeFileSync(join(root, "stray.pem"), "-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----\n");
  return root;
}

/** Stands in for smee.io on loopback: the demo must never reach it. */
async function proxyStandIn(): Promise<{ server: Server; url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}/mainline-demo`, requests };
}

let run: Run;
let withDotEnv: Run;
let proxyRequests: string[];

beforeAll(async () => {
  buildIfStale();
  const proxy = await proxyStandIn();
  const checkout = checkoutWithDotEnv(proxy.url);
  try {
    // Side by side: most of each run is waiting on Probot's pacing of writes.
    [run, withDotEnv] = await Promise.all([runDemo(ROOT), runDemo(checkout)]);
  } finally {
    rmSync(checkout, { recursive: true, force: true });
    await new Promise((resolve) => proxy.server.close(resolve));
  }
  proxyRequests = proxy.requests;
}, 150_000);

function expectTheWholeStory(run: Run): void {
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
  const { stdout } = run;
  // Each step names who did what, with their role.
  expect(stdout).toContain("1. bob (write) runs the deploy workflow for branch hotfix/payments (1111111, not on main) to production");
  // The off-main deploy is refused by the protection rule, with the way forward.
  expect(stdout).toContain("Deployment to production: ✗ rejected by mainline");
  expect(stdout).toMatch(/│ Refused: 1111111 is not on main \(head bbbbbbb;/);
  expect(stdout).toContain('#1 labelled incident');
  expect(stdout).toContain('mainline opened #2 "RCA: Payments fail at checkout" [rca]');
  // The exception is granted, then the deploy allowed under it, and a merge-back issue opened.
  expect(stdout).toContain("│ 🟠 Exception granted by **alice**: `1111111` may deploy to production");
  expect(stdout).toContain("Deployment to production: ✓ approved by mainline");
  expect(stdout).toContain('mainline opened #3 "Merge back 1111111 to main (incident #1)" [merge-back]');
  // The early close is refused, naming each blocker.
  expect(stdout).toContain('mainline reopened #1 "Payments fail at checkout"');
  expect(stdout).toContain("│ 🔒 Reopened: an incident closes only when its fixes are on `main` and its RCA is written.");
  expect(stdout).toContain("│ - merge-back #3: 1111111 is not on main yet");
  expect(stdout).toContain('│ - RCA #2: "Timeline", "Root cause", "Action items" have no content yet');
  // The merge-back is done by the cherry-pick, and the incident closes at the end.
  expect(stdout).toContain("│ ✅ Done: 1111111 reached main as a cherry-pick");
  expect(stdout).toContain('mainline closed #1 "Payments fail at checkout"');
  expect(stdout).toContain('#1 "Payments fail at checkout" [incident]: closed');
  expect(stdout).toContain("The app and the test server are stopped.");
  expect(stdout.match(/^ {4}✓ /gm)).toHaveLength(8);
}

test("npm run demo plays the incident to its close and exits 0", () => {
  expectTheWholeStory(run);
});

test("the demo shows what a person sees: no hidden markers, no colours when stdout is not a terminal", () => {
  expect(run.stdout).not.toContain("<!--");
  expect(run.stdout).not.toContain("\x1b[");
});

test("the demo leaves nothing running: the app and the loopback GitHub refuse connections afterwards", async () => {
  const urls = [/a test server at (http:\/\/127\.0\.0\.1:\d+)/, /listening at (http:\/\/127\.0\.0\.1:\d+)/].map((pattern) => pattern.exec(run.stdout)?.[1]);
  expect(urls.every(Boolean)).toBe(true);
  for (const url of urls) await expect(fetch(`${url}/healthz`)).rejects.toThrow();
});

test("a .env and a stray .pem in the checkout (as the GitHub App setup leaves them) do not reach the demo's app", () => {
  expectTheWholeStory(withDotEnv);
  // The wrong WEBHOOK_SECRET would refuse step 1's webhook. And the .env's WEBHOOK_PROXY_URL (a
  // loopback stand-in for smee.io) was never contacted: without smee-client installed Probot only
  // warns, but with it the demo would otherwise leave the loopback.
  expect(proxyRequests).toEqual([]);
});

test("the demo removes the directory it starts the app in", () => {
  expect(run.tmpLeft).toEqual([]);
  expect(withDotEnv.tmpLeft).toEqual([]);
});
