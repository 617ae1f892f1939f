import nock from "nock";
import { marker } from "../../src/markers.js";
import { exceptionRunState, type ExceptionRunState } from "../helpers/exception-fixtures.js";
import { deploymentStatusCreated, SHA, type DeployStatusFixture } from "../helpers/fixtures.js";
import { CONFIG_READS, mockGitHub, mockGitHubWithConfig } from "../helpers/github-mock.js";
import { exceptionTable, ledgerText, mergeBackTable, RCA_BLOCKERS_UNWRITTEN, RCA_ROW_UNWRITTEN, rcaTemplateBody } from "../helpers/incident-texts.js";
import { loopbackWorld, type LoopbackWorld } from "../helpers/loopback-world.js";
import { restComparison } from "../helpers/rest-objects.js";
import { NOW, testApp } from "../helpers/test-app.js";
import { deployRecordText, exceptionRecordText, exceptionRunSummary, incidentRecordText, mergeBackIssueBody, mergeBackRecordText } from "../helpers/trust-texts.js";

const REPO_PATH = "/repos/Codertocat/Hello-World";
const S = SHA.offMain;
const ROOT = "a".repeat(40);
const DEPLOYMENT_ID = 145988746;
/** When the deploy tool reported `success`: the deploy time that counts. */
const REACHED = "2026-11-20T11:58:00Z";
const AT_NOW = NOW.toISOString();

const GET = {
  compare: (sha: string) => `${REPO_PATH}/compare/heads%2Fmaster...${sha}?per_page=1`,
};

/* ---- Incident #7, with an exception for S ---- */

/** Incident #7's ledger: its exception in `exceptionState`, and merge-back issue #9 when it is due somewhen. */
function ledgerOf7({ exceptionState, due }: { exceptionState: string; due?: string }) {
  return ledgerText({
    incident: 7,
    status: due
      ? `**Status:** cannot close yet (3 blocking):\n- merge-back #9: 2222222 is not on master yet\n${RCA_BLOCKERS_UNWRITTEN(8)}`
      : `**Status:** cannot close yet (2 blocking):\n${RCA_BLOCKERS_UNWRITTEN(8)}`,
    exceptions: exceptionTable({ commit: "2222222", environment: "production", by: "alice", at: "2026-11-20T11:00:00.000Z", reason: "payments down", state: exceptionState }),
    mergeBack: due ? mergeBackTable({ issue: 9, commit: "2222222", state: `open, due ${due}` }) : undefined,
    rca: RCA_ROW_UNWRITTEN(8),
  });
}

/* ---- Incident #12, opened for an unapproved deploy of S ---- */

const UNAPPROVED_TITLE = "Unapproved deploy of 2222222 to production";
const REFUSAL = "Refused: 2222222 is not on master (head 3333333; 2222222 is 1 commit ahead of it and 2 behind).";
const UNAPPROVED_MARKER = `<!-- mainline:unapproved deployment=145988746 env=production sha=${S} -->`;
const UNAPPROVED_BODY = [
  `Commit \`${S}\` reached **production** at ${new Date(REACHED).toISOString()} (deployment 145988746, created by \`Codertocat\`), although it is not on \`master\` and no exception covers it.`,
  "**How it got past the gate**, as far as GitHub tells:",
  `- mainline had refused it (deployment status \`failure\`: ${REFUSAL}), and the deploy tool went on anyway.`,
  "- The deployment was created by `Codertocat`.",
  "**Now:** roll back to the last deployment of a `master` commit (see the ledger below), bring the change to `master` (the merge-back issue tracks it), and write the RCA.",
  UNAPPROVED_MARKER,
].join("\n\n");
const UNAPPROVED_LEDGER = ledgerText({
  incident: 12,
  status: `**Status:** cannot close yet (3 blocking):\n- merge-back #13: 2222222 is not on master yet\n${RCA_BLOCKERS_UNWRITTEN(14)}`,
  mergeBack: mergeBackTable({ issue: 13, commit: "2222222", state: "open, due 2026-11-21T12:00:00.000Z" }),
  rca: RCA_ROW_UNWRITTEN(14),
});

beforeAll(() => {
  nock.disableNetConnect();
  // Only the loopback GitHub of the tests that run against it: nothing else leaves the process.
  nock.enableNetConnect((host) => host.startsWith("127.0.0.1:"));
});
afterEach(() => nock.cleanAll());

async function deliver(fixture: Partial<DeployStatusFixture> = {}, { id = "s-1", now }: { id?: string; now?: Date } = {}) {
  const { probot } = await testApp(now ? () => now : undefined);
  await probot.receive({ id, name: "deployment_status", payload: deploymentStatusCreated({ sha: S, createdAt: REACHED, ...fixture }) as never });
}

/** What the delivery wrote (the token exchange aside): what a user would see. */
function writes(github: ReturnType<typeof mockGitHub>): string[] {
  return github.calls().filter((c) => !c.startsWith("GET ") && !c.endsWith("/access_tokens"));
}

/** What the delivery read beyond its start (the token, `.github/mainline.yml`); each mock answers once, so `github.done()` proves each was read once. */
function reads(github: ReturnType<typeof mockGitHub>): string[] {
  return github.calls().filter((c) => c.startsWith("GET ") && !CONFIG_READS.includes(c));
}

describe("deployment_status.created", () => {
  test("a success for a commit on main writes nothing", async () => {
    const github = mockGitHubWithConfig();
    github.scope.get(GET.compare(SHA.onMain)).reply(200, restComparison(SHA.onMain, "behind", { behind: 3 }));

    await deliver({ sha: SHA.onMain });

    expect(writes(github)).toEqual([]);
    // Whether the commit is on main (1): on main, nothing more is asked.
    expect(reads(github).length).toBeLessThanOrEqual(1);
    github.done();
  });

  test("a success in an environment that is not gated costs nothing beyond reading config", async () => {
    const github = mockGitHubWithConfig();

    await deliver({ environment: "staging" });

    // The point: nothing but the config is asked.
    expect(github.calls()).toEqual(CONFIG_READS);
    github.done();
  });

  test.each(["failure", "in_progress"] as const)("state %s asks GitHub nothing at all", async (state) => {
    const github = mockGitHub();

    await deliver({ state });

    expect(github.calls()).toEqual([]);
    github.done();
  });

  test("a compare GitHub answers with 500 fails the delivery and writes nothing, so the redelivery sweep retries it", async () => {
    const github = mockGitHubWithConfig();
    github.scope.get(GET.compare(S)).reply(500, { message: "Server Error" });

    await expect(deliver()).rejects.toThrow(`cannot tell whether ${S} is on master: HTTP 500: Server Error`);

    expect(writes(github)).toEqual([]);
    // The compare that failed (1), and nothing after it.
    expect(reads(github).length).toBeLessThanOrEqual(1);
    github.done();
  });
});

/*
 * The deploys below run against the loopback GitHub: incident #7's records are signed comments of
 * the app, and the exception's state is the app's `mainline/exception` check run on S.
 */
let w: LoopbackWorld;

async function world() {
  w = await loopbackWorld();
  // master: ROOT → 1111111 → 3333333 (its head); S (2222222) on a hotfix branch off ROOT.
  w.github.commit(w.repo, ROOT, null, "master");
  w.github.commit(w.repo, SHA.onMain, ROOT, "master");
  w.github.commit(w.repo, SHA.mainHead, SHA.onMain, "master");
  w.github.commit(w.repo, S, ROOT, "hotfix/payments", "Retry charges");
}

async function endWorld() {
  await w.stop();
  expect(w.github.problems).toEqual([]);
}

/** alice's exception for (S, production) in incident #7 as its check run holds it: granted at 11:00, until 15:00. */
function runState(rest: Partial<ExceptionRunState> = {}): ExceptionRunState {
  return exceptionRunState({ incident: 7, sha: S, at: "2026-11-20T11:00:00.000Z", expires: "2026-11-20T15:00:00.000Z", source: "9001:1", ...rest });
}

/** Incident #7 with RCA #8 unwritten, its ledger saying `ledgerBody`, and alice's exception for S (granted 11:00, until 15:00): its record, and its run (`run`). */
function incidentWithException(ledgerBody: string, run: Partial<ExceptionRunState> = {}) {
  w.at("2026-11-20T09:00:00.000Z");
  w.personIssue(7, { title: "Payments fail", labels: ["incident"] });
  w.appIssue(8, { title: "RCA: Payments fail", body: rcaTemplateBody({ incident: 7, title: "Payments fail" }), labels: ["rca"] });
  w.record(7, "incident", { by: "alice", via: "command", at: "2026-11-20T09:00:00.000Z", rca: 8 }, incidentRecordText(8));
  const ledgerComment = w.appComment(7, ledgerBody);
  w.at("2026-11-20T11:00:00.000Z");
  const expires = "2026-11-20T15:00:00.000Z";
  w.record(7, "exception", { sha: S, env: "production", by: "alice", at: "2026-11-20T11:00:00.000Z", expires, reason: "payments down", source: "9001:1" }, exceptionRecordText({ expires }));
  const exceptionRun = w.exceptionRun(runState(run));
  return { ledgerComment, exceptionRun };
}

/** The `deployed` record of deployment 145988746 reaching production at `reached`, tracked by merge-back issue #9. */
const deployedRecord = (reached: string) =>
  w.recordText(7, "deployed", { sha: S, env: "production", deployment: DEPLOYMENT_ID, at: reached, issue: 9 }, deployRecordText({ deployment: DEPLOYMENT_ID, issue: 9, reachedAt: reached }));

/** The check run's update when deployment 145988746 used the exception at `used`, written at `now`. */
const markedUsed = (used: string, now = AT_NOW) => ({
  status: "completed",
  conclusion: "neutral",
  completed_at: now,
  external_id: "incident-7:production",
  output: {
    title: "Exception used",
    summary: exceptionRunSummary({ incident: 7, status: "used", at: "2026-11-20T11:00:00.000Z", expires: "2026-11-20T15:00:00.000Z", used }),
    text: marker("exception-run", runState({ used })),
  },
});

describe("deployment_status.created of a commit under an exception", () => {
  beforeEach(world);
  afterEach(endWorld);

  test("a deployment the gate let through is recorded as deployed at the status's time, its merge-back issue found again, and the ledger says so", async () => {
    const letThrough = "2026-11-20T11:50:00.000Z";
    const { ledgerComment, exceptionRun } = incidentWithException(
      ledgerOf7({ exceptionState: `used: deployment 145988746 allowed at ${letThrough}`, due: "2026-11-21T11:50:00.000Z" }),
      { used: letThrough },
    );
    // What the gate wrote when it let the deployment through, eight minutes before it reached production.
    w.at(letThrough);
    w.appIssue(9, { title: "Merge back 2222222 to master (incident #7)", body: mergeBackIssueBody({ incident: 7 }), labels: ["merge-back"] });
    w.record(7, "deploy", { sha: S, env: "production", deployment: DEPLOYMENT_ID, at: letThrough, issue: 9 }, deployRecordText({ deployment: DEPLOYMENT_ID, issue: 9 }));
    const runBefore = structuredClone(w.checkRun(exceptionRun.id));
    w.at(AT_NOW);
    const from = w.mark();

    await w.deliver(w.deploymentStatus(S, { deploymentId: DEPLOYMENT_ID, createdAt: REACHED }));

    expect(w.writes(from)).toEqual([
      { method: "POST", path: `${w.api}/issues/7/comments`, body: { body: deployedRecord("2026-11-20T11:58:00.000Z") } },
      {
        method: "PATCH",
        path: `${w.api}/issues/comments/${ledgerComment.id}`,
        body: { body: ledgerOf7({ exceptionState: "used: deployment 145988746 deployed at 2026-11-20T11:58:00.000Z", due: "2026-11-21T11:50:00.000Z" }) },
      },
    ]);
    // Found again: no second merge-back issue; the run already said used.
    expect([...w.repo.issues.keys()].sort((a, b) => a - b)).toEqual([7, 8, 9]);
    expect(w.checkRun(exceptionRun.id)).toEqual(runBefore);
    expect(w.calls(from).length).toBeLessThanOrEqual(20);
  });

  test("a deployment that never asked the gate but an active exception covers is recorded as deployed in that incident, and its merge-back issue opened", async () => {
    const { ledgerComment, exceptionRun } = incidentWithException(ledgerOf7({ exceptionState: "active until 2026-11-20T15:00:00.000Z" }));
    w.at(AT_NOW);
    const from = w.mark();

    await w.deliver(w.deploymentStatus(S, { deploymentId: DEPLOYMENT_ID, createdAt: REACHED }));

    const reached = "2026-11-20T11:58:00.000Z";
    expect(w.writes(from)).toEqual([
      { method: "POST", path: `${w.api}/issues`, body: { title: "Merge back 2222222 to master (incident #7)", body: mergeBackIssueBody({ incident: 7 }), labels: ["merge-back"], assignees: [] } },
      { method: "POST", path: `${w.api}/issues/7/comments`, body: { body: deployedRecord(reached) } },
      { method: "PATCH", path: `${w.api}/check-runs/${exceptionRun.id}`, body: markedUsed(reached) },
      {
        method: "PATCH",
        path: `${w.api}/issues/comments/${ledgerComment.id}`,
        // The item is due a day after it was recorded with the deploy that made it.
        body: { body: ledgerOf7({ exceptionState: `used: deployment 145988746 deployed at ${reached}`, due: "2026-11-21T11:58:00.000Z" }) },
      },
    ]);
    expect(w.issue(9)).toMatchObject({ state: "open", labels: ["merge-back"] });
    expect(w.calls(from).length).toBeLessThanOrEqual(23);
  });

  // SPEC 3: the `success` status is the moment the commit reached production, and the exception
  // was in force then. A delivery handled after the exception's TTL (GitHub's delay, or the
  // redelivery sweep retrying a failed one) must record the same thing, not cry "unapproved".
  test("a success reported while the exception was in force but handled after it expired still counts as under the exception", async () => {
    const { ledgerComment, exceptionRun } = incidentWithException(ledgerOf7({ exceptionState: "active until 2026-11-20T15:00:00.000Z" }));
    const handled = "2026-11-20T15:05:00.000Z";
    w.at(handled);
    const from = w.mark();

    await w.deliver(w.deploymentStatus(S, { deploymentId: DEPLOYMENT_ID, createdAt: "2026-11-20T14:59:00Z" }));

    const reached = "2026-11-20T14:59:00.000Z";
    expect(w.writes(from)).toEqual([
      { method: "POST", path: `${w.api}/issues`, body: { title: "Merge back 2222222 to master (incident #7)", body: mergeBackIssueBody({ incident: 7 }), labels: ["merge-back"], assignees: [] } },
      { method: "POST", path: `${w.api}/issues/7/comments`, body: { body: deployedRecord(reached) } },
      { method: "PATCH", path: `${w.api}/check-runs/${exceptionRun.id}`, body: markedUsed(reached, handled) },
      {
        method: "PATCH",
        path: `${w.api}/issues/comments/${ledgerComment.id}`,
        body: { body: ledgerOf7({ exceptionState: `used: deployment 145988746 deployed at ${reached}`, due: "2026-11-21T14:59:00.000Z" }) },
      },
    ]);
    // No incident for an unapproved deploy.
    expect([...w.repo.issues.values()].filter((i) => i.title.startsWith("Unapproved"))).toEqual([]);
  });
});

describe("deployment_status.created of a commit neither on main nor under an exception", () => {
  beforeEach(async () => {
    await world();
    // The deploy tool created deployment 145988746, mainline refused it, and the tool went on anyway.
    w.at("2026-11-20T11:55:00.000Z");
    w.github.addDeployment(w.repo, { id: DEPLOYMENT_ID, sha: S, environment: "production", creator: "Codertocat" });
    const status = (id: number, state: string, description: string, creator: string, at: string) => ({
      id,
      deployment_id: DEPLOYMENT_ID,
      state,
      description,
      environment: "production",
      log_url: "",
      environment_url: "",
      creator: creator === "app" ? w.github.app.bot : w.github.user(creator),
      created_at: at,
      updated_at: at,
    });
    w.repo.deploymentStatuses.set(DEPLOYMENT_ID, [
      status(502, "success", "", "Codertocat", "2026-11-20T11:58:00Z"),
      status(501, "failure", REFUSAL, "app", "2026-11-20T11:55:00Z"),
    ]);
    // Issues of other business came first: the incident opened here is #12.
    w.repo.nextNumber = 12;
    w.at(AT_NOW);
  });
  afterEach(endWorld);

  test("opens one incident saying who deployed it and how it got past the gate, with its merge-back issue, its RCA issue, their records and its ledger", async () => {
    const from = w.mark();

    await w.deliver(w.deploymentStatus(S, { deploymentId: DEPLOYMENT_ID, createdAt: REACHED }));

    const ledger = w.comments(12).find((c) => c.body === UNAPPROVED_LEDGER);
    expect(w.writes(from)).toEqual([
      { method: "POST", path: `${w.api}/issues`, body: { title: UNAPPROVED_TITLE, body: UNAPPROVED_BODY, labels: ["incident"] } },
      {
        method: "POST",
        path: `${w.api}/issues`,
        body: { title: "Merge back 2222222 to master (incident #12)", body: mergeBackIssueBody({ incident: 12, how: "reached production without approval (deployment 145988746)" }), labels: ["merge-back"], assignees: [] },
      },
      { method: "POST", path: `${w.api}/issues/12/comments`, body: { body: w.recordText(12, "merge-back", { sha: S, issue: 13, at: AT_NOW }, mergeBackRecordText({ sha: S, issue: 13 })) } },
      { method: "POST", path: `${w.api}/issues`, body: { title: `RCA: ${UNAPPROVED_TITLE}`, body: rcaTemplateBody({ incident: 12, title: UNAPPROVED_TITLE }), labels: ["rca"], assignees: [] } },
      {
        method: "POST",
        path: `${w.api}/issues/12/comments`,
        body: {
          body: w.recordText(
            12,
            "incident",
            { by: "Codertocat", via: "unapproved", deployment: DEPLOYMENT_ID, at: AT_NOW, rca: 14 },
            "🚨 This issue is an incident: **Codertocat** deployed without approval. It closes when its fixes are on `master` and its RCA, #14, is written.",
          ),
        },
      },
      { method: "POST", path: `${w.api}/issues/12/comments`, body: { body: UNAPPROVED_LEDGER } },
    ]);
    expect(ledger).toBeDefined();
    expect([...w.repo.issues.values()].map((i) => ({ number: i.number, labels: i.labels, state: i.state }))).toEqual([
      { number: 12, labels: ["incident"], state: "open" },
      { number: 13, labels: ["merge-back"], state: "open" },
      { number: 14, labels: ["rca"], state: "open" },
    ]);
    expect(w.calls(from).length).toBeLessThanOrEqual(26);
  });

  test("the same status delivered again finds the incident by its marker and writes nothing when its RCA, merge-back issue and ledger already exist", async () => {
    await w.deliver(w.deploymentStatus(S, { deploymentId: DEPLOYMENT_ID, createdAt: REACHED }));
    const issues = structuredClone([...w.repo.issues.values()]);
    const comments = structuredClone(w.comments(12));
    const from = w.mark();

    await w.deliver(w.deploymentStatus(S, { deploymentId: DEPLOYMENT_ID, createdAt: REACHED }));

    expect(w.writes(from)).toEqual([]);
    expect([...w.repo.issues.values()]).toEqual(issues);
    expect(w.comments(12)).toEqual(comments);
    expect(w.calls(from).length).toBeLessThanOrEqual(13);
  });
});
