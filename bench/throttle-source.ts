import { readFileSync } from "node:fs";

const PLUGIN = "node_modules/@octokit/plugin-throttling/dist-bundle/index.js";
const RETRY = "node_modules/@octokit/plugin-retry/dist-bundle/index.js";
const PROBOT = "node_modules/probot/lib/octokit";
const AUTH = "node_modules/octokit-auth-probot/dist-node/index.js";

/** The lines of the installed code that decide how Probot's client paces requests, and what each says. */
const EVIDENCE = [
  { topic: "spacing", file: PLUGIN, text: "var groups = {};", says: "the limiter groups are module state: created once per process, shared by every Octokit instance" },
  { topic: "spacing", file: PLUGIN, text: "groups.write = new Bottleneck.Group({", says: "writes (POST/PATCH/PUT/DELETE): maxConcurrent 1, minTime 1000 ms" },
  { topic: "spacing", file: PLUGIN, text: "groups.notifications = new Bottleneck.Group({", says: "writes that notify (new issues, comments, PRs…): minTime 3000 ms, on top of the write limiter" },
  { topic: "spacing", file: PLUGIN, text: "groups.global = new Bottleneck.Group({", says: "every request: maxConcurrent 10" },
  { topic: "spacing", file: PLUGIN, text: "await state.write.key(state.id).schedule(", says: "a write waits on the group's limiter for key `state.id` (a Bottleneck.Group keeps one limiter per key)" },
  { topic: "spacing", file: PLUGIN, text: 'id = "no-id",', says: 'an Octokit without `throttle.id` gets the key "no-id"' },
  {
    topic: "spacing",
    file: AUTH,
    text: "const options2 = Object.assign({}, state.octokitOptions, {",
    says: "the Octokit Probot builds for each webhook event (`context.octokit`) copies the app Octokit's options, which carry no `throttle.id`: every installation's handlers share the key \"no-id\"",
  },
  {
    topic: "spacing",
    file: `${PROBOT}/get-authenticated-octokit.js`,
    text: "id: String(installationId)",
    says: "only `probot.auth(installationId)` keys the limiter by installation (Probot's own `context.octokit` does not; mainline's handlers and sweeps use it)",
  },
  { topic: "spacing", file: `${PROBOT}/get-octokit-throttle-options.js`, text: "throttlingOptions.connection = connection;", says: "with REDIS_URL given to Probot the groups live in Redis under the same keys, so every replica shares them (mainline's start keeps REDIS_URL from Probot, src/main.ts: each replica paces its own; see Replicas)" },
  { topic: "per-request", file: PLUGIN, text: "return state.retryLimiter.schedule(doRequest, state, request, options);", says: "every request, read or write, is scheduled through the plugin's retry limiter (a Bottleneck)" },
  { topic: "per-request", file: PLUGIN, text: "const req = (isAuth ? state.auth : state.global).key(state.id).schedule(", says: "and then through the global group's limiter for its key" },
  { topic: "per-request", file: RETRY, text: "const limiter = new Bottleneck();", says: "plugin-retry makes a new Bottleneck for every request and schedules the request through it" },
  { topic: "per-request", file: "node_modules/bottleneck/light.js", text: "return setTimeout(resolve, t);", says: "Bottleneck's local datastore yields with setTimeout(0) (at least 1 ms) at each step of each job" },
] as const;

export type Evidence = { topic: "spacing" | "per-request"; where: string; says: string };

export function throttleEvidence(root: string): Evidence[] {
  return EVIDENCE.map(({ topic, file, text, says }) => {
    let line = 0;
    try {
      line = readFileSync(`${root}${file}`, "utf8").split("\n").findIndex((l) => l.includes(text)) + 1;
    } catch {
      // reported as not found below
    }
    return { topic, where: line > 0 ? `${file}:${line}` : `${file}: \`${text}\` not found in this version, re-read the code`, says };
  });
}
