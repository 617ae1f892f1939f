import { deploymentStatusCreated, OWNER, REPO } from "../helpers/fixtures.js";
import { NOW } from "../helpers/test-app.js";
import type { GitHubTestServer, Repository } from "../helpers/github-server.js";
import type { FaultKind, Webhook, World } from "../helpers/fault-world.js";

/**
 * The flows the fault suite breaks call by call. Each sets up its repository through the app
 * (clean deliveries), then names the one webhook under test; `never` states what must hold
 * however that webhook's delivery fails.
 */
const sha = (c: string) => c.repeat(40);
export const ROOT = sha("a");
export const MAIN_HEAD = sha("b");
export const HOTFIX = sha("1");
const PATCH = "diff --git a/pay.js b/pay.js\n--- a/pay.js\n+++ b/pay.js\n@@ -1 +1 @@\n-charge()\n+charge({ retry: true })\n";
export const RUN_ID = 101;
const ANSWER = `POST /repos/${OWNER}/${REPO}/actions/runs/${RUN_ID}/deployment_protection_rule`;

export type Flow = {
  name: string;
  setup: (world: World) => Promise<Webhook>;
  /** Broken promises, whatever failed ([] when none). */
  never?: (repo: Repository) => string[];
  /**
   * Runs a redelivery cannot recover from, and why: they are checked for the state the flow
   * leaves behind instead (the one before the webhook, plus GitHub's answer). `runs` is how many.
   */
  gap?: {
    covers: (calls: string[], k: number, kind: FaultKind) => boolean;
    runs: number;
    why: string;
    /** The later webhook that records what the gap left out, and what must be true after it ([] when all is). */
    backstop: { webhook: (webhook: Webhook) => Webhook; missing: (repo: Repository) => string[] };
  };
};

export function populate(github: GitHubTestServer, repo: Repository): void {
  github.commit(repo, ROOT, null, "main");
  github.commit(repo, MAIN_HEAD, ROOT, "main");
  github.commit(repo, HOTFIX, MAIN_HEAD, "hotfix/payments", "Retry charges", PATCH);
  for (const [login, role] of [["alice", "maintain"], ["bob", "write"]] as const) github.setRole(repo, login, role);
}

export async function openIncident({ github, repo, hooks, deliver }: World): Promise<number> {
  const incident = github.userIssue(repo, { title: "Payments fail at checkout", body: "Card payments time out.", login: "bob" }).number;
  await deliver(hooks.issueLabeled(incident, "bob", "incident"));
  return incident;
}

export const ALLOW = `/hotfix allow ${HOTFIX.slice(0, 7)} production -- card payments down`;

const neverApproved = (repo: Repository) =>
  repo.protectionRuleAnswers.filter((a) => a.runId === RUN_ID && a.state === "approved").map(() => `${HOTFIX} was approved without an exception`);

const RCA_TEXT: Record<string, string> = {
  Timeline: "16:02 payments fail; 16:40 fix on main.",
  "Root cause": "The retry flag was dropped in a refactor.",
  "Action items": "- [ ] Contract test for the retry flag",
};

export const FLOWS: Flow[] = [
  {
    name: "gate decision, off main without an exception",
    async setup(world) {
      await openIncident(world);
      return world.hooks.protectionRule(HOTFIX, "production", RUN_ID, "bob");
    },
    never: neverApproved,
  },
  {
    name: "gate decision, off main with an exception",
    async setup(world) {
      const incident = await openIncident(world);
      await world.deliver(world.hooks.comment(incident, "alice", ALLOW));
      return world.hooks.protectionRule(HOTFIX, "production", RUN_ID, "bob");
    },
    gap: {
      // The approval's own answer lost (retried, GitHub then says it holds one: it may be an earlier
      // refusal, so nothing is recorded), or the reads and the record right after it failing (a
      // record written whose answer was lost is found again: no gap).
      covers: (calls, k, kind) => (calls[k - 1] === ANSWER && kind === "lost answer") || calls[k - 2] === ANSWER || (calls[k - 3] === ANSWER && kind !== "lost answer"),
      runs: 1 + 3 + 3,
      why:
        "GitHub took the approval but the deploy's record was not written: a redelivery meets the earlier answer and cannot tell it from a refusal, " +
        "so it records nothing; the deploy is recorded when it reaches the environment (deployment_status success)",
      backstop: {
        webhook: ([, payload]) => [
          "deployment_status",
          deploymentStatusCreated({ sha: HOTFIX, deploymentId: (payload as { deployment: { id: number } }).deployment.id, createdAt: NOW.toISOString() }),
        ],
        missing: (repo) => [
          ...([...repo.issues.values()].some((i) => i.state === "open" && i.body?.includes(`<!-- mainline:merge-back incident=1 sha=${HOTFIX} -->`)) ? [] : ["no open merge-back issue"]),
          ...([...repo.comments.values()].some((c) => c.body.includes("<!-- mainline:deployed ")) ? [] : ["no record of the deploy reaching production"]),
        ],
      },
    },
  },
  {
    name: "/hotfix allow",
    async setup(world) {
      const incident = await openIncident(world);
      return world.hooks.comment(incident, "alice", ALLOW);
    },
  },
  {
    name: "incident closed early (reopened with what blocks it)",
    async setup(world) {
      const incident = await openIncident(world);
      return world.hooks.issueClosed(incident, "bob");
    },
  },
  {
    name: "/incident close",
    async setup(world) {
      const incident = await openIncident(world);
      const rca = [...world.repo.issues.values()].find((i) => i.labels.includes("rca"))!;
      const written = Object.entries(RCA_TEXT).reduce((body, [heading, text]) => body.replace(`## ${heading}\n`, `## ${heading}\n${text}\n`), rca.body ?? "");
      await world.deliver(world.hooks.issueEdited(rca.number, "bob", written));
      await world.deliver(world.hooks.issueClosed(rca.number, "bob"));
      return world.hooks.comment(incident, "bob", "/incident close");
    },
  },
  {
    name: "push to main re-checks merge-back items",
    async setup(world) {
      const incident = await openIncident(world);
      await world.deliver(world.hooks.comment(incident, "alice", ALLOW));
      await world.deliver(world.hooks.protectionRule(HOTFIX, "production", RUN_ID, "bob"));
      return world.hooks.push("main", "bob", [{ sha: sha("c"), message: `Retry charges\n\n(cherry picked from commit ${HOTFIX})`, diff: PATCH }]);
    },
  },
];
