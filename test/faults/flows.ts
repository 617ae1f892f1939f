import { deploymentStatusCreated, OWNER, REPO } from "../helpers/fixtures.js";
import { NOW, TEST_RECORD_KEY } from "../helpers/test-app.js";
import { readMarker } from "../../src/markers.js";
import { readRecord, type AppRecord } from "../../src/records.js";
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
/** Opening an issue (the merge-back issue, in the gate's bookkeeping). */
const OPEN_ISSUE = `POST /repos/${OWNER}/${REPO}/issues`;
/** A comment on incident #1 (the deploy record, in the gate's bookkeeping). */
const INCIDENT_COMMENT = `POST /repos/${OWNER}/${REPO}/issues/1/comments`;

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
    /**
     * Whether, in a gap run, the first delivery had already opened the issues the clean delivery
     * opens (no record names them, so the redelivery cannot act on them): the state then holds them
     * exactly as the clean delivery left them, and the backstop must take them, not open others.
     */
    opened?: (calls: string[], k: number, kind: FaultKind) => boolean;
    /** The later webhook that records what the gap left out, and what must be true after it ([] when all is). */
    backstop: { webhook: (webhook: Webhook) => Webhook; missing: (repo: Repository, webhook: Webhook) => string[] };
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

const deploymentOf = (payload: unknown) => (payload as { deployment: { id: number } }).deployment.id;

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
      // After GitHub takes the approval, the bookkeeping reads the incident and its thread, looks
      // for a merge-back issue to adopt, opens one, and only then writes the ONE deploy record that
      // names it. Until that record exists, a redelivery meets GitHub's earlier answer (422) and
      // cannot tell it from a refusal (the first delivery may have refused, "could not verify"), so
      // it records nothing: the approval's own answer lost; any call after it up to the record; the
      // record itself failing (a record written whose answer was lost is found again: no gap).
      covers: (calls, k, kind) => {
        const answer = calls.indexOf(ANSWER) + 1;
        const record = calls.indexOf(INCIDENT_COMMENT, answer) + 1;
        if (answer === 0 || record === 0) throw new Error("the clean delivery made no answer or no deploy record: the gap cannot be placed");
        return (k === answer && kind === "lost answer") || (answer < k && k < record) || (k === record && kind !== "lost answer");
      },
      // Answer: lost answer; GET incident, GET its comments, GET merge-back issues: 3 each;
      // POST the merge-back issue: 4; POST the deploy record: 3 (not its lost answer).
      runs: 1 + 3 + 3 + 3 + 4 + 3,
      why:
        "GitHub took the approval but the deploy's record was not written: a redelivery meets the earlier answer and cannot tell it from a refusal, " +
        "so it records nothing (a merge-back issue the first delivery opened stays, named by no record); " +
        "the deploy is recorded when it reaches the environment (deployment_status success), which takes that issue",
      // The merge-back issue was opened before the failure: every fault after its POST, and its lost answer.
      opened: (calls, k, kind) => {
        const open = calls.indexOf(OPEN_ISSUE, calls.indexOf(ANSWER)) + 1;
        return open > 0 && (k > open || (k === open && kind === "lost answer"));
      },
      backstop: {
        webhook: ([, payload]) => [
          "deployment_status",
          deploymentStatusCreated({ sha: HOTFIX, deploymentId: deploymentOf(payload), createdAt: NOW.toISOString() }),
        ],
        missing: (repo, [, payload]) => {
          const items = [...repo.issues.values()].filter((i) => i.body?.includes(`<!-- mainline:merge-back incident=1 sha=${HOTFIX} -->`));
          const records = [...repo.comments.values()].filter((c) => c.issue_number === 1).flatMap((c) => readRecord(TEST_RECORD_KEY, c.body) ?? []);
          const deployed = records.flatMap((r) => (r.kind === "deployed" ? [(r as AppRecord<"deployed">).fields] : [])).filter((d) => d.deployment === deploymentOf(payload) && d.sha === HOTFIX && d.env === "production");
          const runs = [...(repo.checkRuns?.values() ?? [])].filter((r) => r.head_sha === HOTFIX && r.name === "mainline/exception");
          const item = items[0];
          return [
            ...(items.length === 1 && item?.state === "open" ? [] : [`${items.length} merge-back issues (${items.map((i) => `#${i.number} ${i.state}`).join(", ")}), not one open`]),
            ...(deployed.length === 1 ? [] : [`${deployed.length} records of the deploy reaching production, not one`]),
            ...(deployed.every((d) => d.issue === item?.number) ? [] : ["the deploy record does not name the merge-back issue"]),
            ...(runs.length === 1 && readMarker(runs[0]!.output.text, "exception-run")?.used ? [] : [`the exception's check run does not say used (${runs.length} runs)`]),
          ];
        },
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
