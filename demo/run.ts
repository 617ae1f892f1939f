import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { INSTALLATION_ID } from "../test/helpers/fixtures.js";
import { credentialsFor, startApp, type RunningApp } from "../test/helpers/start-app.js";
import { storyWebhooks } from "../test/helpers/story-webhooks.js";
import { deliver } from "./deliver.js";
import { changes, look } from "./observe.js";
import { inOrder } from "./order.js";
import { HOTFIX, MAIN_HEAD, NAME, OWNER, PEOPLE, startScene, type Scene } from "./scene.js";
import { bold, describe, dim, green, red } from "./show.js";
import { refusesConnections } from "./stopped.js";
import { story, type Step } from "./story.js";

/**
 * `npm run demo`: the app, started as users start it, against the loopback GitHub test server,
 * through an incident from a refused deploy to the close. Prints what a person sees on GitHub
 * after each step; exits 1, saying what was expected, as soon as a step ends otherwise.
 */
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
process.chdir(ROOT);

const started = performance.now();
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
let scene: Scene | undefined;
/** The app as soon as its start begins: an interruption during the start still stops it. */
let starting: Promise<RunningApp> | undefined;
let app: RunningApp | undefined;
/**
 * The app's working directory: a fresh empty one, removed at the end. Probot reads `.env` (and
 * looks for a `*.pem`) in its working directory, and `.env` overrides the environment: the
 * checkout's own, as the README's "Install it as a GitHub App" leaves it (WEBHOOK_SECRET,
 * WEBHOOK_PROXY_URL), must not reach the demo's app.
 */
let appDir: string | undefined;

async function play(): Promise<void> {
  console.log(`${bold("mainline demo: an incident from start to end, on a loopback GitHub (no credentials, no network)")}\n`);
  scene = await startScene();
  console.log(`GitHub: a test server at http://${scene.github.host}, repository ${OWNER}/${NAME}, mainline's config the defaults (production gated).`);
  console.log(`  main is at ${MAIN_HEAD.slice(0, 7)}; branch hotfix/payments holds ${HOTFIX.slice(0, 7)} "Retry charges", not on main.`);
  console.log(`  People: ${Object.entries(PEOPLE).map(([login, role]) => `${login} (${role})`).join(", ")}.`);
  appDir = mkdtempSync(join(tmpdir(), "mainline-demo-"));
  // `npm start`'s command, in the empty directory: no .env, no .pem, and no WEBHOOK_PROXY_URL or REDIS_URL from the shell.
  const start = { file: process.execPath, args: [join(ROOT, "dist/main.js")], cwd: appDir };
  starting = startApp({ ...credentialsFor(scene.github.host), WEBHOOK_PROXY_URL: "", REDIS_URL: "" }, "/healthz", start);
  app = await starting;
  console.log(`mainline: started with \`npm start\`'s command (node dist/main.js) in an empty directory, so no .env or .pem of yours applies; listening at ${app.url}; each webhook is signed as GitHub signs it.\n`);

  const { github, repo } = scene;
  const steps = story(scene, storyWebhooks(github, repo, INSTALLATION_ID));
  for (const [index, step] of steps.entries()) await playStep(`${index + 1}`, step, scene, app);
  if (github.problems.length) throw new Error(`the app made requests GitHub's API description does not allow:\n${github.problems.join("\n")}`);
  console.log("At the end, the repository's issues:");
  for (const issue of repo.issues.values()) console.log(`    #${issue.number} "${issue.title}" [${issue.labels.join(", ")}]: ${issue.state}`);
}

/** A person's act, the webhooks GitHub sends for it, what GitHub shows afterwards, and the step's check. */
async function playStep(label: string, step: Step, { github, repo }: Scene, running: RunningApp): Promise<void> {
  const stepStarted = performance.now();
  console.log(bold(`${label}. ${step.actor} (${PEOPLE[step.actor]}) ${step.did}`));
  for (const act of step.acts) {
    const [event, payload] = act();
    const [before, from] = [look(repo), github.log.length];
    const { late } = await deliver(running, github, event, payload);
    if (late) console.log(dim("    (the app answered 202, still working after 9 s; the demo waited until GitHub heard nothing more from it)"));
    for (const seen of inOrder(changes(before, look(repo)), github.log.slice(from))) console.log(describe(seen));
  }
  const { ok, outcome } = step.check();
  if (!ok) throw new Error(`step ${label} did not end as expected. Expected: ${outcome}`);
  console.log(`    ${green("✓")} ${outcome} ${dim(`(${seconds(stepStarted)})`)}\n`);
}

/** How long a stopped app may take to finish its deliveries and exit (its shutdown grace, 25 s by default, and a margin). */
const EXIT_WITHIN_MS = 30_000;
let stopping: Promise<boolean> | undefined;

/**
 * Stops the app (its process group) and the test server, once, whoever asks first; true when
 * the app's port is closed afterwards, i.e. its process has exited.
 */
function stop(): Promise<boolean> {
  stopping ??= (async () => {
    const running = await starting?.catch(() => undefined);
    await running?.stop();
    if (appDir) rmSync(appDir, { recursive: true, force: true });
    await scene?.github.stop();
    return running === undefined || (await refusesConnections(`${running.url}/healthz`, EXIT_WITHIN_MS));
  })();
  return stopping;
}

async function main(): Promise<number> {
  try {
    await play();
    if (!(await stop())) throw new Error(`the app still answers at ${app?.url} ${EXIT_WITHIN_MS / 1000} s after it was stopped`);
    console.log(green(`\n✓ The incident went from a refused deploy to its close in ${seconds(started)}. The app and the test server are stopped.`));
    return 0;
  } catch (error) {
    console.error(red(`✗ ${error instanceof Error ? error.message : String(error)}`));
    if (app) console.error(dim(`The app's last output:\n${app.output().slice(-3000)}`));
    await stop();
    return 1;
  }
}

// Interrupted, or its reader gone (`| head`): the app runs in its own process group, so stop it first.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () =>
    void stop().finally(() => {
      console.error(red(`\n✗ Interrupted (${signal}): the app and the test server are stopped.`));
      process.exit(130);
    }),
  );
}
process.stdout.on("error", () => void stop().finally(() => process.exit(1)));
process.exit(await main());
