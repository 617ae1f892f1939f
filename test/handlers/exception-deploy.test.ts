import { marker, readMarker } from "../../src/markers.js";
import { SHA } from "../helpers/fixtures.js";
import { exceptionRunState, type ExceptionRunState } from "../helpers/exception-fixtures.js";
import { expectCalls } from "../helpers/exception-run-mocks.js";
import { exceptionTable, ledgerText, mergeBackTable, RCA_BLOCKERS_UNWRITTEN, RCA_ROW_UNWRITTEN, rcaTemplateBody } from "../helpers/incident-texts.js";
import { loopbackWorld, type LoopbackWorld } from "../helpers/loopback-world.js";
import { NOW } from "../helpers/test-app.js";
import { deployRecordText, exceptionRecordText, exceptionRunSummary, incidentRecordText, mergeBackIssueBody } from "../helpers/trust-texts.js";

// The gate approves a commit off main under an exception and records the deploy. GitHub is the
// loopback test server: incident #7's records are signed comments of the app, and the exception's
// state is the app's `mainline/exception` check run on S, as `/hotfix allow` leaves them.
const S = SHA.offMain;
const ROOT = "a".repeat(40);
const DEPLOYMENT_ID = 145988746;
const RUN_ID = 4242;
const AT_NOW = NOW.toISOString();

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
const APPROVED =
  "2222222 is not on master, but @alice granted an exception for production in incident #7 (expires 2026-11-20T15:00:00.000Z): approved. " +
  "A merge-back issue tracks bringing 2222222 to master.";
const APPROVED_AGAIN =
  "2222222 is not on master, but @alice granted an exception for production in incident #7 (used before, valid while the incident is open): approved. " +
  "A merge-back issue tracks bringing 2222222 to master.";
const REFUSED =
  "Refused: 2222222 is not on master (head 3333333; 2222222 is 1 commit ahead of it and 2 behind). " +
  "production runs only commits already on master. Two ways forward: (1) merge a pull request with this change " +
  "into master and deploy that commit; or (2) in an emergency, open an incident (comment `/incident` on an issue " +
  "that describes it, or use the incident already open) and have someone with the maintain role or higher comment " +
  "`/hotfix allow 2222222 production -- <reason>` there; then deploy again.";

let w: LoopbackWorld;

beforeEach(async () => {
  w = await loopbackWorld();
  // master: ROOT → 1111111 → 3333333 (its head); S (2222222) on a hotfix branch off ROOT.
  w.github.commit(w.repo, ROOT, null, "master");
  w.github.commit(w.repo, SHA.onMain, ROOT, "master");
  w.github.commit(w.repo, SHA.mainHead, SHA.onMain, "master");
  w.github.commit(w.repo, S, ROOT, "hotfix/payments", "Retry charges");
});

afterEach(async () => {
  await w.stop();
  expect(w.github.problems).toEqual([]);
});

/** alice's exception for (S, production) in incident #7 as its check run holds it, granted at `at` until `expires`. */
function runState({ at = "2026-11-20T11:00:00.000Z", expires = "2026-11-20T15:00:00.000Z", ...rest }: Partial<ExceptionRunState> = {}): ExceptionRunState {
  return exceptionRunState({ incident: 7, sha: S, at, expires, source: "9001:1", ...rest });
}

/**
 * Incident #7 "Payments fail" (opened at `openedAt`), its RCA #8 unwritten, its ledger saying
 * `ledgerBody`, and alice's exception for S granted at `grantedAt` until `expires`: its record in
 * the thread, its state in the app's check run on S (`run`, active unless said).
 */
function incidentWithException({
  openedAt = "2026-11-20T09:00:00.000Z",
  grantedAt = "2026-11-20T11:00:00.000Z",
  expires = "2026-11-20T15:00:00.000Z",
  ledgerBody = LEDGER_BEFORE,
  run = {},
}: { openedAt?: string; grantedAt?: string; expires?: string; ledgerBody?: string; run?: Partial<ExceptionRunState> } = {}) {
  w.at(openedAt);
  w.personIssue(7, { title: "Payments fail", labels: ["incident"] });
  w.appIssue(8, { title: "RCA: Payments fail", body: rcaTemplateBody({ incident: 7, title: "Payments fail" }), labels: ["rca"] });
  w.record(7, "incident", { by: "alice", via: "command", at: openedAt, rca: 8 }, incidentRecordText(8));
  const ledgerComment = w.appComment(7, ledgerBody);
  w.at(grantedAt);
  const grant = w.record(7, "exception", { sha: S, env: "production", by: "alice", at: grantedAt, expires, reason: "payments down", source: "9001:1" }, exceptionRecordText({ expires }));
  const exceptionRun = w.exceptionRun(runState({ at: grantedAt, expires, ...run }));
  return { ledgerComment, grant, exceptionRun };
}

/** A deploy under the exception the app recorded earlier: the merge-back issue #9 it opened and the `deploy` record naming it. */
function recordedDeploy(deployment: number, at: string) {
  w.at(at);
  if (!w.repo.issues.has(9)) w.appIssue(9, { title: "Merge back 2222222 to master (incident #7)", body: mergeBackIssueBody({ incident: 7 }), labels: ["merge-back"] });
  w.record(7, "deploy", { sha: S, env: "production", deployment, at, issue: 9 }, deployRecordText({ deployment, issue: 9 }));
}

/** What the app answered through the callback in this delivery (the request it sent: GitHub may have kept an earlier answer). */
function answerSent(from: number) {
  const sent = w.github.log.slice(from).filter((r) => r.method === "POST" && r.path === `${w.api}/actions/runs/${RUN_ID}/deployment_protection_rule`);
  expect(sent).toHaveLength(1);
  return sent[0]!.body;
}

/** The gate's own requests: the token, the config (repository and org), S against main and S's exception runs (asked together). */
function gateCalls(...afterReads: string[]) {
  return [
    "POST /app/installations/2/access_tokens",
    `GET ${w.api}/contents/.github%2Fmainline.yml`,
    "GET /repos/Codertocat/.github/contents/.github%2Fmainline.yml",
    [`GET ${w.api}/compare/heads%2Fmaster...${S}?per_page=1`, `GET ${w.api}/commits/${S}/check-runs?check_name=mainline%2Fexception&app_id=123&filter=all&per_page=100`],
    ...afterReads,
    `POST ${w.api}/actions/runs/${RUN_ID}/deployment_protection_rule`,
  ];
}

describe("deployment_protection_rule.requested under an exception", () => {
  test("an off-main commit with an active exception is approved, then recorded: merge-back issue, one deploy record naming it, the run marked used, ledger", async () => {
    const { ledgerComment, exceptionRun } = incidentWithException();
    w.at(AT_NOW);
    const from = w.mark();

    await w.deliver(w.protectionRule(S, { deploymentId: DEPLOYMENT_ID, runId: RUN_ID }));

    expect(w.repo.protectionRuleAnswers).toEqual([{ runId: RUN_ID, environment_name: "production", state: "approved", comment: APPROVED }]);
    const used = runState({ used: AT_NOW });
    // GitHub took the answer first: the bookkeeping comes after it, and writes exactly this.
    expect(w.writes(from)).toEqual([
      { method: "POST", path: `${w.api}/actions/runs/${RUN_ID}/deployment_protection_rule`, body: { environment_name: "production", state: "approved", comment: APPROVED } },
      {
        method: "POST",
        path: `${w.api}/issues`,
        body: { title: "Merge back 2222222 to master (incident #7)", body: mergeBackIssueBody({ incident: 7 }), labels: ["merge-back"], assignees: [] },
      },
      {
        method: "POST",
        path: `${w.api}/issues/7/comments`,
        body: { body: w.recordText(7, "deploy", { sha: S, env: "production", deployment: DEPLOYMENT_ID, at: AT_NOW, issue: 9 }, deployRecordText({ deployment: DEPLOYMENT_ID, issue: 9 })) },
      },
      {
        method: "PATCH",
        path: `${w.api}/check-runs/${exceptionRun.id}`,
        body: {
          status: "completed",
          conclusion: "neutral",
          completed_at: AT_NOW,
          external_id: "incident-7:production",
          output: {
            title: "Exception used",
            summary: exceptionRunSummary({ incident: 7, status: "used", at: "2026-11-20T11:00:00.000Z", expires: "2026-11-20T15:00:00.000Z", used: AT_NOW }),
            text: marker("exception-run", used),
          },
        },
      },
      { method: "PATCH", path: `${w.api}/issues/comments/${ledgerComment.id}`, body: { body: LEDGER_AFTER } },
    ]);
    expect(readMarker(w.checkRun(exceptionRun.id).output.text, "exception-run")).toEqual(used);
    expect(w.issue(9)).toMatchObject({ state: "open", labels: ["merge-back"] });
    // The answer waits only for the gate's reads (S's exception run is in force, so its incident is asked about);
    // the whole delivery, bookkeeping included, stays within its budget of requests.
    expectCalls(w.calls(from).slice(0, 7), gateCalls(`GET ${w.api}/issues/7`));
    expect(w.calls(from).length).toBeLessThanOrEqual(25);
  });

  test.each([
    { what: "an expired exception", setup: () => incidentWithException({ grantedAt: "2026-11-20T06:00:00.000Z", expires: "2026-11-20T10:00:00.000Z" }), reads: [] },
    {
      // Until the app writes the record back, the incident's exception runs are suspended.
      what: "an exception whose record was edited since the app wrote it",
      setup: () => {
        const { grant } = incidentWithException({ run: { suspended: "mallory" } });
        Object.assign(grant, { body: grant.body.replace("Reason: payments down.", "Reason: payments down, for good."), updated_at: "2026-11-20T11:30:00Z" });
      },
      reads: [],
    },
    {
      what: "an exception written by someone other than the app (a person's copy of the record, another app's check run)",
      setup: () => {
        w.at("2026-11-20T09:00:00.000Z");
        w.personIssue(7, { title: "Payments fail", labels: ["incident"] });
        w.at("2026-11-20T11:00:00.000Z");
        const fields = { sha: S, env: "production", by: "alice", at: "2026-11-20T11:00:00.000Z", expires: "2026-11-20T15:00:00.000Z", reason: "payments down", source: "9001:1" };
        w.personComment(7, "mallory", w.recordText(7, "exception", fields, exceptionRecordText({ expires: fields.expires })));
        w.github.otherAppCheckRun(w.repo, { appId: 999, name: "mainline/exception", headSha: S, text: marker("exception-run", runState()) });
      },
      reads: [],
    },
    {
      // Its run was not ended (say the close's delivery failed): the gate asks whether the incident is open here.
      what: "an exception of an incident that is closed",
      setup: () => {
        incidentWithException();
        w.github.userClose(w.repo, 7, "alice");
      },
      reads: ["/issues/7"],
    },
  ])("$what does not let the commit through", async ({ setup, reads }: { setup: () => void; reads: string[] }) => {
    setup();
    w.at(AT_NOW);
    const from = w.mark();

    await w.deliver(w.protectionRule(S, { deploymentId: DEPLOYMENT_ID, runId: RUN_ID }));

    // Nothing but the answer is written: no deploy is recorded.
    expect(w.writes(from).map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${w.api}/actions/runs/${RUN_ID}/deployment_protection_rule`]);
    // Beyond the config: S against main (1), S's exception runs (1), and `reads` (a closed incident: is it open here?).
    const gateReads = w.calls(from).filter((c) => c.startsWith("GET ") && !c.includes("/contents/"));
    expect(gateReads).toEqual(expect.arrayContaining(reads.map((path) => `GET ${w.api}${path}`)));
    expect(gateReads.length).toBeLessThanOrEqual(2 + reads.length);
    expect(answerSent(from)).toEqual({ environment_name: "production", state: "rejected", comment: REFUSED });
    expect(w.repo.protectionRuleAnswers.map((a) => a.state)).toEqual(["rejected"]);
  });

  test.each([
    { held: "GitHub keeps its first answer (422)", answeredBefore: true },
    { held: "GitHub takes the answer again", answeredBefore: false },
  ])("a redelivery, with the deploy recorded and the merge-back issue open, answers again and writes nothing else: $held", async ({ answeredBefore }) => {
    const { exceptionRun } = incidentWithException({ ledgerBody: LEDGER_AFTER, run: { used: AT_NOW } });
    recordedDeploy(DEPLOYMENT_ID, AT_NOW);
    w.github.addDeployment(w.repo, { id: DEPLOYMENT_ID, sha: S, environment: "production", creator: "octocat" });
    if (answeredBefore) w.repo.protectionRuleAnswers.push({ runId: RUN_ID, environment_name: "production", state: "approved", comment: APPROVED });
    const runBefore = structuredClone(w.checkRun(exceptionRun.id));
    const from = w.mark();

    await w.deliver(w.protectionRule(S, { deploymentId: DEPLOYMENT_ID, runId: RUN_ID }));

    expect(answerSent(from)).toEqual({ environment_name: "production", state: "approved", comment: APPROVED_AGAIN });
    expect(w.github.log.slice(from).find((r) => r.path.endsWith("/deployment_protection_rule"))!.status).toBe(answeredBefore ? 422 : 204);
    expect(w.writes(from).map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${w.api}/actions/runs/${RUN_ID}/deployment_protection_rule`]);
    expect(w.checkRun(exceptionRun.id)).toEqual(runBefore);
    expect([...w.repo.issues.keys()].sort((a, b) => a - b)).toEqual([7, 8, 9]);
    expect(w.calls(from).length).toBeLessThanOrEqual(19);
  });

  test("re-running a deployment under a used exception is approved and recorded, however long the incident has been quiet", async () => {
    const earlier = "2026-11-20T02:30:00.000Z";
    const { ledgerComment, exceptionRun } = incidentWithException({
      openedAt: "2026-11-20T01:50:00.000Z",
      grantedAt: "2026-11-20T02:00:00.000Z",
      expires: "2026-11-20T06:00:00.000Z",
      ledgerBody: quietLedger(`deployment 145988746 allowed at ${earlier}`),
      run: { used: earlier },
    });
    recordedDeploy(DEPLOYMENT_ID, earlier);
    // Untouched since the first deploy, ten hours ago: longer than ttlHours.
    w.at("2026-11-20T02:31:00.000Z");
    w.github.addDeployment(w.repo, { id: DEPLOYMENT_ID, sha: S, environment: "production", creator: "octocat" });
    w.at(AT_NOW);
    const runBefore = structuredClone(w.checkRun(exceptionRun.id));
    const from = w.mark();

    await w.deliver(w.protectionRule(S, { deploymentId: 145988799, runId: RUN_ID }));

    expect(w.repo.protectionRuleAnswers).toEqual([{ runId: RUN_ID, environment_name: "production", state: "approved", comment: APPROVED_AGAIN }]);
    expect(w.writes(from).slice(1)).toEqual([
      {
        method: "POST",
        path: `${w.api}/issues/7/comments`,
        body: { body: w.recordText(7, "deploy", { sha: S, env: "production", deployment: 145988799, at: AT_NOW, issue: 9 }, deployRecordText({ deployment: 145988799, issue: 9 })) },
      },
      {
        method: "PATCH",
        path: `${w.api}/issues/comments/${ledgerComment.id}`,
        body: { body: quietLedger(`deployment 145988746 allowed at ${earlier}; deployment 145988799 allowed at ${AT_NOW}`) },
      },
    ]);
    // The run already says used: it stays as it was, and no second merge-back issue is opened.
    expect(w.checkRun(exceptionRun.id)).toEqual(runBefore);
    expect([...w.repo.issues.keys()].sort((a, b) => a - b)).toEqual([7, 8, 9]);
    expect(w.calls(from).length).toBeLessThanOrEqual(23);
  });
});

describe("the ledger's rollback search after a deploy under an exception", () => {
  const statusReads = (from: number) => w.calls(from).filter((c) => c === `GET ${w.api}/deployments/${DEPLOYMENT_ID}/statuses?per_page=100`);

  test("git showed S off main as the gate decided: its deployment is no candidate, and its statuses are not read", async () => {
    incidentWithException();
    w.at(AT_NOW);
    const from = w.mark();
    await w.deliver(w.protectionRule(S, { deploymentId: DEPLOYMENT_ID, runId: RUN_ID }));
    expect(w.repo.protectionRuleAnswers.map((a) => a.state)).toEqual(["approved"]);
    expect(statusReads(from)).toEqual([]);
  });

  test("the gate could not ask where S stands (the compare failed): the ledger takes nothing for granted and reads its statuses", async () => {
    incidentWithException();
    w.at(AT_NOW);
    let failed = false;
    const heal = w.github.fail((method, path) => method === "GET" && path.includes("/compare/") && !failed && (failed = true), { status: 502, body: { message: "Server Error" } });
    const from = w.mark();
    await w.deliver(w.protectionRule(S, { deploymentId: DEPLOYMENT_ID, runId: RUN_ID }));
    heal();
    expect(w.repo.protectionRuleAnswers.map((a) => a.state)).toEqual(["approved"]);
    expect(statusReads(from)).toHaveLength(1);
  });
});
