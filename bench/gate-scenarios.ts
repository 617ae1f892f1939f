import { INSTALLATION_ID } from "../test/helpers/fixtures.js";
import type { GitHubTestServer, Repository } from "../test/helpers/github-server.js";
import { storyWebhooks } from "../test/helpers/story-webhooks.js";
import type { Delivery } from "./drive.js";
import { OWNER, sha, type Scenario, type Seeded } from "./scenario.js";

/**
 * Deployment gates (`deployment_protection_rule`): each delivery asks for one run to be
 * approved or rejected; the decision ends with the answer POSTed to that run's callback.
 * Payloads are built (and schema-checked) before timing starts. Every repository has its own
 * `.github/mainline.yml`, as a team using mainline would.
 */
const CONFIG = "mode: enforce\nenvironments: [production]\n";

type GateRepo = { repo: Repository; onMain: string; offMain: string; hooks: ReturnType<typeof storyWebhooks> };

function gateRepo(github: GitHubTestServer, name: string): GateRepo {
  const repo = github.addRepo(OWNER, name, "main");
  repo.files.set(".github/mainline.yml", CONFIG);
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

/** The same commit again and again: after the first, mainline knows it is on main without asking. */
export const gateOnMain: Scenario = {
  key: "gate-on-main",
  title: "gate, commit on main (warm: same sha)",
  ...GATE_LOAD,
  seed(github) {
    const gate = gateRepo(github, "gates");
    const deliveries = Array.from({ length: 1 + GATE_LOAD.count }, (_, i) => gateDelivery(gate, gate.onMain, i + 1, INSTALLATION_ID, "approved"));
    return prebuilt(deliveries, 1, () => INSTALLATION_ID);
  },
};

export const gateOffMain: Scenario = {
  key: "gate-off-main",
  title: "gate, commit off main (refused)",
  ...GATE_LOAD,
  seed(github) {
    const gate = gateRepo(github, "gates");
    const deliveries = Array.from({ length: 1 + GATE_LOAD.count }, (_, i) => gateDelivery(gate, gate.offMain, i + 1, INSTALLATION_ID, "rejected"));
    return prebuilt(deliveries, 1, () => INSTALLATION_ID);
  },
};

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
      const deliveries = Array.from({ length: gates.length + GATE_LOAD.count }, (_, i) => {
        const k = i % gates.length;
        return gateDelivery(gates[k]!, gates[k]!.onMain, i + 1, installationOf(k), "approved");
      });
      return prebuilt(deliveries, gates.length, (repository) => installationOf(Number(/service-(\d+)$/.exec(repository)?.[1] ?? 0)));
    },
  };
}

export const oneInstallation = installations(1);
export const tenInstallations = installations(10);
