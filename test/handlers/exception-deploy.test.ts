import nock from "nock";
import { protectionRuleRequested, SHA } from "../helpers/fixtures.js";
import { CONFIG_READS, mockGitHubWithConfig } from "../helpers/github-mock.js";
import { exceptionTable, ledgerText, mergeBackBody, mergeBackIssue, mergeBackTable, RCA_BLOCKERS_UNWRITTEN, RCA_ROW_UNWRITTEN, rcaIssue } from "../helpers/incident-texts.js";
import { restComment, restComparison, restIssue, type Author } from "../helpers/rest-objects.js";
import { testApp } from "../helpers/test-app.js";

const REPO_PATH = "/repos/Codertocat/Hello-World";
const S = SHA.offMain;
const DEPLOYMENT_ID = 145988746;
const CALLBACK = `${REPO_PATH}/actions/runs/4242/deployment_protection_rule`;

/** The record `/hotfix allow` writes: granted by alice at `at`, for ttlHours (4) unless `expires` says otherwise. */
function exceptionRecord({ at = "2026-11-20T11:00:00.000Z", expires = "2026-11-20T15:00:00.000Z", author, updatedAt }: { at?: string; expires?: string; author?: Author; updatedAt?: string } = {}) {
  return restComment({
    id: 71,
    issue: 7,
    body:
      `🟠 Exception granted by **alice**: \`2222222\` may deploy to production until ${expires} although it is not on \`master\`. Reason: payments down.\n\n` +
      `<!-- mainline:exception sha=${S} by=alice at=${encodeURIComponent(at)} source=9001 env=production expires=${encodeURIComponent(expires)} reason=payments%20down -->`,
    createdAt: at.replace(".000", ""),
    ...(author ? { author } : {}),
    ...(updatedAt ? { updatedAt } : {}),
  });
}
const EXCEPTION = exceptionRecord();

/** The record of a deployment made under the exception. */
const deployRecord = (deployment: number, at: string) =>
  `🚀 \`2222222\` was let through to production under the exception (deployment ${deployment}). It is not on \`master\`: a merge-back issue tracks bringing it there.\n\n` +
  `<!-- mainline:deploy sha=${S} env=production deployment=${deployment} at=${encodeURIComponent(at)} -->`;
const DEPLOY_RECORD_BODY = deployRecord(DEPLOYMENT_ID, "2026-11-20T12:00:00.000Z");
const DEPLOY_RECORD = restComment({ id: 72, issue: 7, body: DEPLOY_RECORD_BODY, createdAt: "2026-11-20T12:00:00Z" });

const MERGE_BACK_BODY = mergeBackBody({ incident: 7, sha: S });
const MERGE_BACK = mergeBackIssue({ number: 9, incident: 7, sha: S, createdAt: "2026-11-20T12:00:00Z" });

const INCIDENT = restIssue({ number: 7, title: "Payments fail", labels: ["incident"] });
const RCA = rcaIssue({ number: 8, incident: 7, title: "Payments fail" });

/** Incident #7's ledger: alice's exception, granted at `grantedAt`, in `exceptionState`; RCA issue #8 unwritten. */
function ledger({ status, exceptionState, mergeBack, grantedAt = "2026-11-20T11:00:00.000Z" }: { status: string; exceptionState: string; mergeBack?: string; grantedAt?: string }) {
  return ledgerText({
    incident: 7,
    status,
    exceptions: exceptionTable({ commit: "2222222", environment: "production", by: "alice", at: grantedAt, reason: "payments down", state: exceptionState }),
    mergeBack,
    rca: RCA_ROW_UNWRITTEN(8),
  });
}
const LEDGER_BEFORE = ledger({
  status: `**Status:** cannot close yet (2 blocking):\n${RCA_BLOCKERS_UNWRITTEN(8)}`,
  exceptionState: "active until 2026-11-20T15:00:00.000Z",
});
const LEDGER_AFTER = ledger({
  status: `**Status:** cannot close yet (3 blocking):\n- merge-back #9: 2222222 is not on master yet\n${RCA_BLOCKERS_UNWRITTEN(8)}`,
  exceptionState: "used: deployment 145988746 allowed at 2026-11-20T12:00:00.000Z",
  mergeBack: mergeBackTable({ issue: 9, commit: "2222222", state: "open, due 2026-11-21T12:00:00.000Z" }),
});
/** The ledger of a quiet incident: its exception, granted at 02:00, used by the deployments listed. */
function quietLedger(deploys: string) {
  return ledger({
    status: `**Status:** cannot close yet (3 blocking):\n- merge-back #9: 2222222 is not on master yet\n${RCA_BLOCKERS_UNWRITTEN(8)}`,
    exceptionState: `used: ${deploys}`,
    mergeBack: mergeBackTable({ issue: 9, commit: "2222222", state: "open, due 2026-11-21T02:30:00.000Z" }),
    grantedAt: "2026-11-20T02:00:00.000Z",
  });
}
const APPROVED_AGAIN =
  "2222222 is not on master, but @alice granted an exception for production in incident #7 (used before, valid while the incident is open): approved. " +
  "A merge-back issue tracks bringing 2222222 to master.";
const ledgerComment = (body: string) => restComment({ id: 70, issue: 7, body, createdAt: "2026-11-20T10:00:00Z", updatedAt: "2026-11-20T11:00:01Z" });

const GET = {
  compare: `${REPO_PATH}/compare/heads%2Fmaster...${S}?per_page=1`,
  comments: `${REPO_PATH}/issues/7/comments?per_page=100`,
  mergeBacks: `${REPO_PATH}/issues?labels=merge-back&state=all&per_page=100`,
  rcas: `${REPO_PATH}/issues?labels=rca&state=all&per_page=100`,
  /** Incidents touched within the cascade window (24 hours) before the deploy. */
  cascadeWindow: `${REPO_PATH}/issues?labels=incident&state=all&per_page=100&since=2026-11-19T12%3A00%3A00.000Z`,
  deployments: `${REPO_PATH}/deployments?per_page=30`,
};

/** The delivery, built once (it is checked against GitHub's webhook schema). */
const REQUESTED = protectionRuleRequested({ sha: S });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

async function deliver(id = "d-1", { deploymentId = DEPLOYMENT_ID } = {}) {
  const { probot } = await testApp();
  const payload = structuredClone(REQUESTED);
  payload.deployment.id = deploymentId;
  await probot.receive({ id, name: "deployment_protection_rule", payload: payload as never });
}

/** The gate's own reads: S is off main, and the one open incident (#7 as `incident`) has the thread `comments`. */
function gateReads(comments: unknown[], incident = INCIDENT, answered: 204 | 422 = 204) {
  const github = mockGitHubWithConfig();
  github.scope.get(GET.compare).reply(200, restComparison(S, "diverged", { ahead: 1, behind: 2 }));
  github.incidents([incident]);
  github.scope.get(GET.comments).reply(200, comments);
  github.scope
    .post(CALLBACK)
    .reply(answered, answered === 422 ? { message: "No pending deployment requests to approve or reject", documentation_url: "https://docs.github.com/rest" } : undefined);
  return github;
}

function answerOf(github: ReturnType<typeof mockGitHubWithConfig>) {
  return github.requests.find((r) => r.path === CALLBACK)?.body as { environment_name: string; state: string; comment: string };
}

const GATE_CALLS = [
  ...CONFIG_READS,
  `GET ${GET.compare}`,
  `GET ${REPO_PATH}/issues?labels=incident&state=open&per_page=100`,
  `GET ${GET.comments}`,
  `POST ${CALLBACK}`,
];

describe("deployment_protection_rule.requested under an exception", () => {
  test("an off-main commit with an active exception is approved, then recorded: deploy record, merge-back issue, ledger", async () => {
    const github = gateReads([ledgerComment(LEDGER_BEFORE), EXCEPTION]);
    github.scope.get(`${REPO_PATH}/issues/7`).reply(200, INCIDENT);
    github.scope.get(GET.comments).reply(200, [ledgerComment(LEDGER_BEFORE), EXCEPTION]);
    github.scope.get(GET.mergeBacks).twice().reply(200, []);
    github.scope.get(GET.rcas).twice().reply(200, [RCA]);
    github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, DEPLOY_RECORD);
    github.scope.post(`${REPO_PATH}/issues`).reply(201, MERGE_BACK);
    github.scope.get(GET.mergeBacks).twice().reply(200, [MERGE_BACK]);
    github.scope.get(GET.cascadeWindow).twice().reply(200, [INCIDENT]);
    github.scope.get(GET.comments).times(4).reply(200, [ledgerComment(LEDGER_BEFORE), EXCEPTION, DEPLOY_RECORD]);
    github.scope.get(GET.deployments).reply(200, []);
    github.scope.patch(`${REPO_PATH}/issues/comments/70`).reply(200, ledgerComment(LEDGER_AFTER));

    await deliver();

    expect(github.calls()).toEqual([
      ...GATE_CALLS,
      // GitHub took the answer: the deploy is recorded at once, unless already there, so that a
      // redelivery can tell this approval from a refusal.
      `GET ${GET.comments}`,
      `POST ${REPO_PATH}/issues/7/comments`,
      // The incident as it is now.
      `GET ${REPO_PATH}/issues/7`,
      `GET ${GET.comments}`,
      `GET ${GET.mergeBacks}`,
      `GET ${GET.rcas}`,
      // The merge-back issue, unless one exists; then a look for a twin a concurrent delivery opened.
      `GET ${GET.mergeBacks}`,
      `POST ${REPO_PATH}/issues`,
      `GET ${GET.mergeBacks}`,
      // A second hotfix deploy within the window would be a cascade.
      `GET ${GET.cascadeWindow}`,
      `GET ${GET.comments}`,
      // The ledger, from the records as they now are.
      `GET ${GET.comments}`,
      `GET ${GET.mergeBacks}`,
      `GET ${GET.rcas}`,
      `GET ${GET.deployments}`,
      `GET ${GET.cascadeWindow}`,
      `GET ${GET.comments}`,
      `PATCH ${REPO_PATH}/issues/comments/70`,
    ]);
    expect(answerOf(github)).toEqual({
      environment_name: "production",
      state: "approved",
      comment:
        "2222222 is not on master, but @alice granted an exception for production in incident #7 (expires 2026-11-20T15:00:00.000Z): approved. " +
        "A merge-back issue tracks bringing 2222222 to master.",
    });
    expect(github.requests.filter((r) => r.method !== "GET").slice(2).map((r) => r.body)).toEqual([
      { body: DEPLOY_RECORD_BODY },
      { title: "Merge back 2222222 to master (incident #7)", body: MERGE_BACK_BODY, labels: ["merge-back"], assignees: [] },
      { body: LEDGER_AFTER },
    ]);
    github.done();
  });

  test.each([
    { what: "an expired exception", record: exceptionRecord({ at: "2026-11-20T06:00:00.000Z", expires: "2026-11-20T10:00:00.000Z" }) },
    { what: "an exception record edited since the app wrote it", record: exceptionRecord({ updatedAt: "2026-11-20T11:30:00Z" }) },
    { what: "an exception record written by a person, not the app", record: exceptionRecord({ author: { login: "mallory" } }) },
  ])("$what does not let the commit through", async ({ record }) => {
    const github = gateReads([record]);

    await deliver();

    expect(github.calls()).toEqual(GATE_CALLS);
    expect(answerOf(github)).toEqual({
      environment_name: "production",
      state: "rejected",
      comment:
        "Refused: 2222222 is not on master (head 3333333; 2222222 is 1 commit ahead of it and 2 behind). " +
        "production runs only commits already on master. Two ways forward: (1) merge a pull request with this change " +
        "into master and deploy that commit; or (2) in an emergency, someone with the maintain role or higher comments " +
        "`/hotfix allow 2222222 production -- <reason>` in the open incident.",
    });
    github.done();
  });

  test.each([
    { held: "GitHub keeps its first answer (422)", answered: 422 as const, threadReads: 4 },
    { held: "GitHub takes the answer again", answered: 204 as const, threadReads: 5 },
  ])("a redelivery, with the deploy recorded and the merge-back issue open, answers again and writes nothing else: $held", async ({ answered, threadReads }) => {
    const thread = [ledgerComment(LEDGER_AFTER), EXCEPTION, DEPLOY_RECORD];
    const github = gateReads(thread, INCIDENT, answered);
    github.scope.get(`${REPO_PATH}/issues/7`).reply(200, INCIDENT);
    github.scope.get(GET.comments).times(threadReads).reply(200, thread);
    github.scope.get(GET.mergeBacks).times(3).reply(200, [MERGE_BACK]);
    github.scope.get(GET.rcas).twice().reply(200, [RCA]);
    github.scope.get(GET.cascadeWindow).twice().reply(200, [INCIDENT]);
    github.scope.get(GET.deployments).reply(200, []);

    await deliver();

    expect(answerOf(github)).toEqual({ environment_name: "production", state: "approved", comment: APPROVED_AGAIN });
    expect(github.calls().filter((c) => !c.startsWith("GET"))).toEqual(["POST /app/installations/2/access_tokens", `POST ${CALLBACK}`]);
    github.done();
  });

  test("re-running a deployment under a used exception is approved and recorded, however long the incident has been quiet", async () => {
    const thread = [
      ledgerComment(quietLedger("deployment 145988746 allowed at 2026-11-20T02:30:00.000Z")),
      exceptionRecord({ at: "2026-11-20T02:00:00.000Z", expires: "2026-11-20T06:00:00.000Z" }),
      restComment({ id: 72, issue: 7, body: deployRecord(145988746, "2026-11-20T02:30:00.000Z"), createdAt: "2026-11-20T02:30:00Z" }),
    ];
    const rerun = restComment({ id: 73, issue: 7, body: deployRecord(145988799, "2026-11-20T12:00:00.000Z"), createdAt: "2026-11-20T12:00:00Z" });
    // Untouched since the first deploy, ten hours ago: longer than ttlHours.
    const quiet = restIssue({ number: 7, title: "Payments fail", labels: ["incident"], createdAt: "2026-11-20T01:50:00Z", updatedAt: "2026-11-20T02:31:00Z" });
    const mergeBack = mergeBackIssue({ number: 9, incident: 7, sha: S, createdAt: "2026-11-20T02:30:00Z" });
    const later = quietLedger("deployment 145988746 allowed at 2026-11-20T02:30:00.000Z; deployment 145988799 allowed at 2026-11-20T12:00:00.000Z");
    const github = gateReads(thread, quiet);
    github.scope.get(GET.comments).reply(200, thread);
    github.scope.get(`${REPO_PATH}/issues/7`).reply(200, quiet);
    github.scope.get(GET.mergeBacks).times(3).reply(200, [mergeBack]);
    github.scope.get(GET.rcas).twice().reply(200, [RCA]);
    github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, rerun);
    github.scope.get(GET.cascadeWindow).reply(200, [quiet]);
    github.scope.get(GET.comments).times(4).reply(200, [...thread, rerun]);
    github.scope.get(GET.deployments).reply(200, []);
    // The ledger's look for a cascade: incidents touched within the window before this incident's first deploy.
    github.scope.get(`${REPO_PATH}/issues?labels=incident&state=all&per_page=100&since=2026-11-19T02%3A30%3A00.000Z`).reply(200, [quiet]);
    github.scope.patch(`${REPO_PATH}/issues/comments/70`).reply(200, ledgerComment(later));

    await deliver("d-2", { deploymentId: 145988799 });

    expect(answerOf(github)).toEqual({ environment_name: "production", state: "approved", comment: APPROVED_AGAIN });
    expect(github.requests.filter((r) => r.method !== "GET").slice(2).map((r) => ({ method: r.method, path: r.path, body: r.body }))).toEqual([
      { method: "POST", path: `${REPO_PATH}/issues/7/comments`, body: { body: deployRecord(145988799, "2026-11-20T12:00:00.000Z") } },
      { method: "PATCH", path: `${REPO_PATH}/issues/comments/70`, body: { body: later } },
    ]);
    github.done();
  });
});
