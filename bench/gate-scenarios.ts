import { marker } from "../src/markers.js";
import { recordBody } from "../src/records.js";
import { INSTALLATION_ID } from "../test/helpers/fixtures.js";
import type { GitHubTestServer, Repository } from "../test/helpers/github-server.js";
import type { User } from "../test/helpers/github-server/model.js";
import { addComment, openIssue } from "../test/helpers/github-server/issues.js";
import { WEBHOOK_SECRET } from "../test/helpers/start-app.js";
import { storyWebhooks } from "../test/helpers/story-webhooks.js";
import type { Delivery } from "./drive.js";
import { DECISION_PROBE, MOST_REPLICAS, OWNER, sha, type Scenario, type Seeded } from "./scenario.js";

/**
 * Deployment gates (`deployment_protection_rule`): each delivery asks for one run to be
 * approved or rejected; the decision ends with the answer POSTed to that run's callback.
 * Payloads are built (and schema-checked) before timing starts. Every repository has its own
 * `.github/mainline.yml`, as a team using mainline would.
 */
const CONFIG = "mode: enforce\nenvironments: [production]\n";

/** GitHub Actions' bot: how GitHub records a deployment, and its status, made by a job with `GITHUB_TOKEN`. */
const ACTIONS: User = { login: "github-actions[bot]", id: 41898282, type: "Bot" };

type GateRepo = { repo: Repository; onMain: string; offMain: string; hooks: ReturnType<typeof storyWebhooks> };

function gateRepo(github: GitHubTestServer, name: string, config = CONFIG): GateRepo {
  const repo = github.addRepo(OWNER, name, "main");
  repo.files.set(".github/mainline.yml", config);
  const root = github.commit(repo, sha(`${name} root`), null, "main");
  const onMain = github.commit(repo, sha(`${name} on main`), root, "main");
  github.commit(repo, sha(`${name} head`), onMain, "main");
  const offMain = github.commit(repo, sha(`${name} hotfix`), root, "hotfix/bench");
  return { repo, onMain, offMain, hooks: storyWebhooks(github, repo) };
}

function gateDelivery(gate: GateRepo, commit: string, runId: number, installationId: number, expected: "approved" | "rejected"): Delivery {
  const [event, payload] = gate.hooks.protectionRule(commit, "production", runId, "deployer");
  const callback = `/repos/${OWNER}/${gate.repo.name}/actions/runs/${runId}/deployment_protection_rule`;
  return {
    event,
    payload: { ...payload, installation: { ...payload.installation, id: installationId } },
    isEnd: (request) => request.method === "POST" && request.path === callback,
    verify: (request) => {
      const state = (request.body as { state?: string }).state;
      return state === expected ? undefined : `run ${runId} was ${state}, expected ${expected}`;
    },
  };
}

function prebuilt(deliveries: Delivery[], warmUp: number, installationOf: Seeded["installationOf"]): Seeded {
  return { warmUp, next: (i) => deliveries[i]!, installationOf };
}

const GATE_LOAD = { gate: true, count: 200, concurrency: 10, maxSeconds: 4 } as const;

/** Warm-up, the sequential decision probe (run.ts), then the measured load. */
function gateDeliveries(warmUp: number, delivery: (i: number) => Delivery): Delivery[] {
  return Array.from({ length: warmUp + DECISION_PROBE + GATE_LOAD.count }, (_, i) => delivery(i));
}

/** The same commit again and again: after the first, mainline knows it is on main without asking. */
export const gateOnMain: Scenario = {
  key: "gate-on-main",
  title: "gate, commit on main (warm: same sha)",
  ...GATE_LOAD,
  seed(github) {
    const gate = gateRepo(github, "gates");
    return prebuilt(gateDeliveries(1, (i) => gateDelivery(gate, gate.onMain, i + 1, INSTALLATION_ID, "approved")), 1, () => INSTALLATION_ID);
  },
};

/**
 * A new commit on main each time, as real deploys mostly are: nothing is known about it yet, so
 * the config, the compare and the exception check runs are all read before the answer.
 */
export const gateOnMainCold: Scenario = {
  key: "gate-on-main-cold",
  title: "gate, commit on main (cold: a new sha each time)",
  ...GATE_LOAD,
  readsFloor: true,
  seed(github) {
    const gate = gateRepo(github, "gates");
    const commits: string[] = [];
    let parent = gate.repo.branches.get("main")!;
    for (let i = 0; i < 1 + DECISION_PROBE + GATE_LOAD.count; i++) commits.push((parent = github.commit(gate.repo, sha(`gates main ${i}`), parent, "main")));
    // Deploy older commits first, each already below main's head, none asked about before.
    return prebuilt(gateDeliveries(1, (i) => gateDelivery(gate, commits[i]!, i + 1, INSTALLATION_ID, "approved")), 1, () => INSTALLATION_ID);
  },
};

/**
 * SPEC section 10: production takes a commit from main only after it reached staging with
 * `success` at least 30 minutes before. Each delivery is a new commit on main (as in the cold row)
 * that GitHub Actions deployed to staging and reported `success` on 60 minutes ago, so mainline
 * reads, beside what the cold row reads, S's deployments to staging and to production (the
 * rollback exemption) and each one's statuses: the staging one, and the production deployment the
 * protection rule is about. The floors, which know no promotion, approve the same deliveries on
 * the compare alone.
 */
export const gatePromotion: Scenario = {
  key: "gate-promotion",
  title: "gate, commit on main under promotion (soaked in staging: a new sha each time)",
  ...GATE_LOAD,
  seed(github) {
    const gate = gateRepo(github, "gates", `${CONFIG}promotion:\n  production: { after: staging, soakMinutes: 30 }\n`);
    const reachedStaging = new Date(Date.now() - 60 * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    const commits: string[] = [];
    let parent = gate.repo.branches.get("main")!;
    for (let i = 0; i < 1 + DECISION_PROBE + GATE_LOAD.count; i++) {
      commits.push((parent = github.commit(gate.repo, sha(`gates promoted ${i}`), parent, "main")));
      deployedBy(github, gate.repo, ACTIONS, { sha: parent, environment: "staging", state: "success", at: reachedStaging });
    }
    return prebuilt(gateDeliveries(1, (i) => gateDelivery(gate, commits[i]!, i + 1, INSTALLATION_ID, "approved")), 1, () => INSTALLATION_ID);
  },
};

/** A deployment `by` created at `at`, with one status it reported on it then: a deploy tool's own report (src/policy/deployment-history.ts counts no other). */
function deployedBy(github: GitHubTestServer, repo: Repository, by: User, { sha, environment, state, at }: { sha: string; environment: string; state: string; at: string }): void {
  const { id } = github.addDeployment(repo, { sha, environment });
  Object.assign(repo.deployments.get(id)!, { creator: by, created_at: at, updated_at: at });
  repo.deploymentStatuses.set(id, [{ id: github.nextId(), deployment_id: id, state, description: "", environment, log_url: "", environment_url: "", creator: by, created_at: at, updated_at: at }]);
}

export const gateOffMain: Scenario = {
  key: "gate-off-main",
  title: "gate, commit off main (refused)",
  ...GATE_LOAD,
  readsFloor: true,
  seed(github) {
    const gate = gateRepo(github, "gates");
    return prebuilt(gateDeliveries(1, (i) => gateDelivery(gate, gate.offMain, i + 1, INSTALLATION_ID, "rejected")), 1, () => INSTALLATION_ID);
  },
};

/**
 * The hotfix commit again and again, each time a new deployment, under an exception alice granted
 * in open incident #1, laid out as `/hotfix allow` leaves it: the incident's signed records (the
 * incident, the grant; the app's key is WEBHOOK_SECRET in a started app) and, what the gate reads,
 * this app's `mainline/exception` check run on the commit, active. The floors, which know nothing
 * of exceptions, refuse the same deliveries after the same compare.
 *
 * After each approval mainline records the deploy (a `deploy` record, the merge-back issue it
 * opens on the first, the run marked used, the ledger): after the answer, so not part of the
 * decision's latency. The warm-up deliveries do the first of it; measured deliveries free their
 * slot at the answer (`slotFreedBy`), so that ten decisions are in flight as in the other rows,
 * while the bookkeeping of earlier ones runs one at a time behind them.
 */
export const gateWithException: Scenario = {
  key: "gate-exception",
  title: "gate, commit off main under an exception (approved)",
  ...GATE_LOAD,
  readsFloor: true,
  slotFreedBy: "last-write",
  seed(github, app) {
    const gate = gateRepo(github, "gates");
    grantException(github, gate.repo, gate.offMain, "production");
    // The floors know nothing of exceptions: they refuse the same deliveries.
    const expected = app === "mainline" ? "approved" : "rejected";
    // Two warm-ups: the first approval marks the run used, so the second is the first to find it unchanged (304), as every later one does.
    return prebuilt(gateDeliveries(2, (i) => gateDelivery(gate, gate.offMain, i + 1, INSTALLATION_ID, expected)), 2, () => INSTALLATION_ID);
  },
};

/** Incident #1 with alice's exception for (`commit`, `environment`): records in its thread, state in this app's check run on the commit. */
function grantException(github: GitHubTestServer, repo: Repository, commit: string, environment: string): void {
  const hour = 3_600_000;
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  const openedAt = iso(Date.now() - 2 * hour);
  const grantedAt = iso(Date.now() - hour);
  const expires = iso(Date.now() + 3 * hour);
  github.setRole(repo, "alice", "maintain");
  const incident = openIssue(repo, github.mint, github.user("bob"), { title: "Checkout fails", body: "Card payments time out.", labels: ["incident"] });
  const rca = openIssue(repo, github.mint, github.app.bot, { title: "RCA: Checkout fails", body: "RCA to be written.", labels: ["rca"] });
  const record = (kind: Parameters<typeof recordBody>[1], fields: Parameters<typeof recordBody>[3], text: string) =>
    addComment(repo, github.mint, incident, github.app.bot, recordBody(WEBHOOK_SECRET, kind, { repo: repo.id, incident: incident.number }, fields, text));
  record("incident", { by: "alice", via: "command", at: openedAt, rca: rca.number }, `🚨 This issue is an incident: **alice** ran \`/incident\`.`);
  record("exception", { sha: commit, env: environment, by: "alice", at: grantedAt, expires, reason: "bench", source: "1:1" }, `🟠 Exception granted by **alice**.`);
  const state = { incident: incident.number, sha: commit, env: environment, by: "alice", at: grantedAt, expires, approvals: 1, approved: "", revoked: "", used: "", ended: "", suspended: "", source: "1:1" };
  const id = github.nextId();
  (repo.checkRuns ??= new Map()).set(id, {
    id,
    name: "mainline/exception",
    head_sha: commit,
    app_id: github.app.id,
    status: "completed",
    conclusion: "neutral",
    external_id: `incident-${incident.number}:${environment}`,
    output: { title: "Exception active", summary: "Exception granted by alice.", text: marker("exception-run", state) },
    started_at: grantedAt,
    completed_at: grantedAt,
  });
}

/**
 * Ten repositories taking turns, owned by one installation or by ten (one each). The test
 * server hands out the same token to every installation, so only the installation id differs.
 */
function installations(count: 1 | 10): Scenario {
  return {
    key: `installations-${count}`,
    title: `gates over 10 repos, ${count === 1 ? "1 installation" : "10 installations (1 per repo)"}`,
    ...GATE_LOAD,
    seed(github) {
      const gates = Array.from({ length: 10 }, (_, k) => gateRepo(github, `service-${k}`));
      const installationOf = (k: number) => (count === 1 ? INSTALLATION_ID : 101 + k);
      // Enough for a warm-up on each of MOST_REPLICAS replicas (bench/replica-scenarios.ts), the probe and the load.
      const deliveries = Array.from({ length: gates.length * MOST_REPLICAS + DECISION_PROBE + GATE_LOAD.count }, (_, i) => {
        const k = i % gates.length;
        return gateDelivery(gates[k]!, gates[k]!.onMain, i + 1, installationOf(k), "approved");
      });
      return prebuilt(deliveries, gates.length, (repository) => installationOf(Number(/service-(\d+)$/.exec(repository)?.[1] ?? 0)));
    },
  };
}

export const oneInstallation = installations(1);
export const tenInstallations = installations(10);
