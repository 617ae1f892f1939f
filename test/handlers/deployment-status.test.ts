import nock from "nock";
import { deploymentStatusCreated, SHA, type DeployStatusFixture } from "../helpers/fixtures.js";
import { CONFIG_READS, incidentViewReads, mockGitHub, mockGitHubWithConfig } from "../helpers/github-mock.js";
import { exceptionTable, ledgerText, mergeBackBody, mergeBackIssue, mergeBackTable, RCA_BLOCKERS_UNWRITTEN, RCA_ROW_UNWRITTEN, rcaIssue, rcaTemplateBody } from "../helpers/incident-texts.js";
import { restComment, restComparison, restDeploymentStatus, restIssue } from "../helpers/rest-objects.js";
import { testApp } from "../helpers/test-app.js";

const REPO_PATH = "/repos/Codertocat/Hello-World";
const S = SHA.offMain;
const DEPLOYMENT_ID = 145988746;
/** When the deploy tool reported `success`: the deploy time that counts. */
const REACHED = "2026-11-20T11:58:00Z";

const GET = {
  compare: (sha: string) => `${REPO_PATH}/compare/heads%2Fmaster...${sha}?per_page=1`,
  openIncidents: `${REPO_PATH}/issues?labels=incident&state=open&per_page=100`,
  allIncidents: `${REPO_PATH}/issues?labels=incident&state=all&per_page=100`,
  comments: (n: number) => `${REPO_PATH}/issues/${n}/comments?per_page=100`,
  mergeBacks: `${REPO_PATH}/issues?labels=merge-back&state=all&per_page=100`,
  rcas: `${REPO_PATH}/issues?labels=rca&state=all&per_page=100`,
  /** Incidents touched within the cascade window (24 hours) before the deploy reached production. */
  cascadeWindow: (since = "2026-11-19T11:58:00.000Z") => `${REPO_PATH}/issues?labels=incident&state=all&per_page=100&since=${encodeURIComponent(since)}`,
  deployments: `${REPO_PATH}/deployments?per_page=30`,
  statuses: `${REPO_PATH}/deployments/${DEPLOYMENT_ID}/statuses?per_page=100`,
};

/* ---- Incident #7, with an exception for S ---- */

const INCIDENT = restIssue({ number: 7, title: "Payments fail", labels: ["incident"] });
const EXCEPTION = restComment({
  id: 71,
  issue: 7,
  body:
    "🟠 Exception granted by **alice**: `2222222` may deploy to production until 2026-11-20T15:00:00.000Z although it is not on `master`. Reason: payments down.\n\n" +
    `<!-- mainline:exception sha=${S} by=alice at=2026-11-20T11%3A00%3A00.000Z source=9001 env=production expires=2026-11-20T15%3A00%3A00.000Z reason=payments%20down -->`,
  createdAt: "2026-11-20T11:00:00Z",
});
/** What the gate wrote when it let the deployment through, eight minutes before it reached production. */
const GATE_RECORD = restComment({
  id: 72,
  issue: 7,
  body:
    "🚀 `2222222` was let through to production under the exception (deployment 145988746). It is not on `master`: a merge-back issue tracks bringing it there.\n\n" +
    `<!-- mainline:deploy sha=${S} env=production deployment=145988746 at=2026-11-20T11%3A50%3A00.000Z -->`,
  createdAt: "2026-11-20T11:50:00Z",
});
/** The record of the deployment reaching production at `reached` (written in full ISO form, with milliseconds). */
const deployedBody = (reached: string, at = new Date(reached).toISOString()) =>
  `🚀 \`2222222\` reached production at ${at} under the exception (deployment 145988746). It is not on \`master\`: a merge-back issue tracks bringing it there.\n\n` +
  `<!-- mainline:deployed sha=${S} env=production deployment=145988746 at=${encodeURIComponent(at)} -->`;
const DEPLOYED_BODY = deployedBody(REACHED);
const DEPLOYED_RECORD = restComment({ id: 73, issue: 7, body: DEPLOYED_BODY, createdAt: "2026-11-20T12:00:00Z" });

const EXCEPTION_MERGE_BACK_BODY = mergeBackBody({ incident: 7, sha: S });
const mergeBackOf7 = (createdAt: string) => mergeBackIssue({ number: 9, incident: 7, sha: S, createdAt });
const RCA_OF_7 = rcaIssue({ number: 8, incident: 7, title: "Payments fail" });

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
const ledgerComment7 = (body: string) => restComment({ id: 70, issue: 7, body, createdAt: "2026-11-20T10:00:00Z" });

/* ---- Incident #12, opened for an unapproved deploy of S ---- */

const UNAPPROVED_TITLE = "Unapproved deploy of 2222222 to production";
const REFUSAL = "Refused: 2222222 is not on master (head 3333333; 2222222 is 1 commit ahead of it and 2 behind).";
const REFUSED_STATUS = restDeploymentStatus({ id: 501, deployment: DEPLOYMENT_ID, state: "failure", description: REFUSAL, author: { app: true }, createdAt: "2026-11-20T11:55:00Z" });
const SUCCESS_STATUS = restDeploymentStatus({ id: 502, deployment: DEPLOYMENT_ID, state: "success", createdAt: REACHED });
const UNAPPROVED_MARKER = `<!-- mainline:unapproved deployment=145988746 env=production sha=${S} -->`;
const UNAPPROVED_BODY = [
  `Commit \`${S}\` reached **production** at ${new Date(REACHED).toISOString()} (deployment 145988746, created by \`Codertocat\`), although it is not on \`master\` and no exception covers it.`,
  "**How it got past the gate**, as far as GitHub tells:",
  `- mainline had refused it (deployment status \`failure\`: ${REFUSAL}), and the deploy tool went on anyway.`,
  "- The deployment was created by `Codertocat`.",
  "**Now:** roll back to the last deployment of a `master` commit (see the ledger below), bring the change to `master` (the merge-back issue tracks it), and write the RCA.",
  UNAPPROVED_MARKER,
].join("\n\n");
const UNAPPROVED = restIssue({ number: 12, title: UNAPPROVED_TITLE, body: UNAPPROVED_BODY, labels: ["incident"], author: { app: true }, createdAt: "2026-11-20T12:00:00Z" });
const UNAPPROVED_MERGE_BACK_BODY = mergeBackBody({ incident: 12, sha: S, how: "reached production without approval (deployment 145988746)" });
const UNAPPROVED_MERGE_BACK = mergeBackIssue({ number: 13, incident: 12, sha: S, body: UNAPPROVED_MERGE_BACK_BODY, createdAt: "2026-11-20T12:00:00Z" });
const UNAPPROVED_RCA_BODY = rcaTemplateBody({ incident: 12, title: UNAPPROVED_TITLE });
const UNAPPROVED_RCA = rcaIssue({ number: 14, incident: 12, title: UNAPPROVED_TITLE, createdAt: "2026-11-20T12:00:00Z" });
const UNAPPROVED_LEDGER = ledgerText({
  incident: 12,
  status: `**Status:** cannot close yet (3 blocking):\n- merge-back #13: 2222222 is not on master yet\n${RCA_BLOCKERS_UNWRITTEN(14)}`,
  mergeBack: mergeBackTable({ issue: 13, commit: "2222222", state: "open, due 2026-11-21T12:00:00.000Z" }),
  rca: RCA_ROW_UNWRITTEN(14),
});
const UNAPPROVED_LEDGER_COMMENT = restComment({ id: 80, issue: 12, body: UNAPPROVED_LEDGER, createdAt: "2026-11-20T12:00:00Z" });

/** Recording a deploy under an exception in incident #7; its merge-back issue is opened unless one exists. */
const exceptionDeployCalls = ({ opensMergeBack, since }: { opensMergeBack: boolean; since?: string }) => [
  // The incident as it is now, and whether this deployment already reached production on its record.
  `GET ${REPO_PATH}/issues/7`,
  `GET ${GET.comments(7)}`,
  `GET ${GET.mergeBacks}`,
  `GET ${GET.rcas}`,
  `POST ${REPO_PATH}/issues/7/comments`,
  // The merge-back issue for S; a new one is followed by a look for a twin a concurrent delivery opened.
  `GET ${GET.mergeBacks}`,
  ...(opensMergeBack ? [`POST ${REPO_PATH}/issues`, `GET ${GET.mergeBacks}`] : []),
  // A second hotfix deploy within the window would be a cascade.
  `GET ${GET.cascadeWindow(since)}`,
  `GET ${GET.comments(7)}`,
  // The ledger, from the records as they now are.
  `GET ${GET.comments(7)}`,
  `GET ${GET.mergeBacks}`,
  `GET ${GET.rcas}`,
  `GET ${GET.deployments}`,
  `GET ${GET.cascadeWindow(since)}`,
  `GET ${GET.comments(7)}`,
  `PATCH ${REPO_PATH}/issues/comments/70`,
];

/** What every audit of S starts with: the config, S off main, and the open incidents `incidents`. */
function offMainReads(incidents: unknown[]) {
  const github = mockGitHubWithConfig();
  github.scope.get(GET.compare(S)).reply(200, restComparison(S, "diverged", { ahead: 1, behind: 2 }));
  github.incidents(incidents);
  return github;
}

/**
 * GitHub as a deploy tool leaves it that never asked the gate: incident #7 holds an exception for S
 * (granted 11:00, until 15:00) and no record of this deployment, which reached production at
 * `reached`. Returns the mock and the ledger the app should write afterwards.
 */
function mockUnaskedDeployUnderException({ reached, mergeBackOpened }: { reached: string; mergeBackOpened: string }) {
  const mergeBack = mergeBackOf7(mergeBackOpened);
  const deployed = restComment({ id: 73, issue: 7, body: deployedBody(reached), createdAt: mergeBackOpened });
  const before = [ledgerComment7(ledgerOf7({ exceptionState: "active until 2026-11-20T15:00:00.000Z" })), EXCEPTION];
  const after = ledgerOf7({ exceptionState: `used: deployment 145988746 deployed at ${new Date(reached).toISOString()}`, due: new Date(Date.parse(mergeBackOpened) + 24 * 3_600_000).toISOString() });
  const since = new Date(Date.parse(reached) - 24 * 3_600_000).toISOString();
  const github = offMainReads([INCIDENT]);
  github.scope.get(GET.comments(7)).twice().reply(200, before);
  github.scope.get(`${REPO_PATH}/issues/7`).reply(200, INCIDENT);
  github.scope.get(GET.mergeBacks).twice().reply(200, []);
  github.scope.get(GET.rcas).reply(200, [RCA_OF_7]);
  github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, deployed);
  github.scope.post(`${REPO_PATH}/issues`).reply(201, mergeBack);
  github.scope.get(GET.mergeBacks).twice().reply(200, [mergeBack]);
  github.scope.get(GET.cascadeWindow(since)).twice().reply(200, [INCIDENT]);
  github.scope.get(GET.comments(7)).times(3).reply(200, [...before, deployed]);
  github.scope.get(GET.rcas).reply(200, [RCA_OF_7]);
  github.scope.get(GET.deployments).reply(200, []);
  github.scope.patch(`${REPO_PATH}/issues/comments/70`).reply(200, ledgerComment7(after));
  return { github, after };
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

async function deliver(fixture: Partial<DeployStatusFixture> = {}, { id = "s-1", now }: { id?: string; now?: Date } = {}) {
  const { probot } = await testApp(now ? () => now : undefined);
  await probot.receive({ id, name: "deployment_status", payload: deploymentStatusCreated({ sha: S, createdAt: REACHED, ...fixture }) as never });
}

/** The writes the app made, after the token exchange. */
function writes(github: ReturnType<typeof mockGitHubWithConfig>) {
  return github.requests.filter((r) => r.method !== "GET").slice(1).map((r) => ({ method: r.method, path: r.path, body: r.body }));
}

describe("deployment_status.created", () => {
  test("a success for a commit on main writes nothing", async () => {
    const github = mockGitHubWithConfig();
    github.scope.get(GET.compare(SHA.onMain)).reply(200, restComparison(SHA.onMain, "behind", { behind: 3 }));

    await deliver({ sha: SHA.onMain });

    expect(github.calls()).toEqual([...CONFIG_READS, `GET ${GET.compare(SHA.onMain)}`]);
    github.done();
  });

  test("a success in an environment that is not gated costs nothing beyond reading config", async () => {
    const github = mockGitHubWithConfig();

    await deliver({ environment: "staging" });

    expect(github.calls()).toEqual(CONFIG_READS);
    github.done();
  });

  test.each(["failure", "in_progress"] as const)("state %s asks GitHub nothing at all", async (state) => {
    const github = mockGitHub();

    await deliver({ state });

    expect(github.calls()).toEqual([]);
    github.done();
  });
});

describe("deployment_status.created of a commit under an exception", () => {
  test("a deployment the gate let through is recorded as deployed at the status's time, its merge-back issue found again, and the ledger says so", async () => {
    const mergeBack = mergeBackOf7("2026-11-20T11:50:00Z");
    const before = [ledgerComment7(ledgerOf7({ exceptionState: "used: deployment 145988746 allowed at 2026-11-20T11:50:00.000Z", due: "2026-11-21T11:50:00.000Z" })), EXCEPTION, GATE_RECORD];
    const after = ledgerOf7({ exceptionState: "used: deployment 145988746 deployed at 2026-11-20T11:58:00.000Z", due: "2026-11-21T11:50:00.000Z" });
    const github = offMainReads([INCIDENT]);
    github.scope.get(GET.comments(7)).twice().reply(200, before);
    github.scope.get(`${REPO_PATH}/issues/7`).reply(200, INCIDENT);
    github.scope.get(GET.mergeBacks).reply(200, [mergeBack]);
    github.scope.get(GET.rcas).reply(200, [RCA_OF_7]);
    github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, DEPLOYED_RECORD);
    github.scope.get(GET.mergeBacks).twice().reply(200, [mergeBack]);
    github.scope.get(GET.cascadeWindow()).twice().reply(200, [INCIDENT]);
    github.scope.get(GET.comments(7)).times(3).reply(200, [...before, DEPLOYED_RECORD]);
    github.scope.get(GET.rcas).reply(200, [RCA_OF_7]);
    github.scope.get(GET.deployments).reply(200, []);
    github.scope.patch(`${REPO_PATH}/issues/comments/70`).reply(200, ledgerComment7(after));

    await deliver();

    expect(github.calls()).toEqual([
      ...CONFIG_READS,
      `GET ${GET.compare(S)}`,
      // The open incidents: is this deployment one the gate recorded, or does an exception cover it?
      `GET ${GET.openIncidents}`,
      `GET ${GET.comments(7)}`,
      ...exceptionDeployCalls({ opensMergeBack: false }),
    ]);
    expect(writes(github)).toEqual([
      { method: "POST", path: `${REPO_PATH}/issues/7/comments`, body: { body: DEPLOYED_BODY } },
      { method: "PATCH", path: `${REPO_PATH}/issues/comments/70`, body: { body: after } },
    ]);
    expect((writes(github)[0]!.body as { body: string }).body.split("\n\n").at(-1)).toBe(
      `<!-- mainline:deployed sha=${S} env=production deployment=145988746 at=2026-11-20T11%3A58%3A00.000Z -->`,
    );
    github.done();
  });

  test("a deployment that never asked the gate but an active exception covers is recorded as deployed in that incident, and its merge-back issue opened", async () => {
    const { github, after } = mockUnaskedDeployUnderException({ reached: REACHED, mergeBackOpened: "2026-11-20T12:00:00Z" });

    await deliver();

    expect(github.calls()).toEqual([...CONFIG_READS, `GET ${GET.compare(S)}`, `GET ${GET.openIncidents}`, `GET ${GET.comments(7)}`, ...exceptionDeployCalls({ opensMergeBack: true })]);
    expect(writes(github)).toEqual([
      { method: "POST", path: `${REPO_PATH}/issues/7/comments`, body: { body: DEPLOYED_BODY } },
      { method: "POST", path: `${REPO_PATH}/issues`, body: { title: "Merge back 2222222 to master (incident #7)", body: EXCEPTION_MERGE_BACK_BODY, labels: ["merge-back"], assignees: [] } },
      { method: "PATCH", path: `${REPO_PATH}/issues/comments/70`, body: { body: after } },
    ]);
    github.done();
  });

  // SPEC 3: the `success` status is the moment the commit reached production, and the exception
  // was in force then. A delivery handled after the exception's TTL (GitHub's delay, or the
  // redelivery sweep retrying a failed one) must record the same thing, not cry "unapproved".
  test("a success reported while the exception was in force but handled after it expired still counts as under the exception", async () => {
    const reached = "2026-11-20T14:59:00Z";
    const { github, after } = mockUnaskedDeployUnderException({ reached, mergeBackOpened: "2026-11-20T15:05:00Z" });

    await deliver({ createdAt: reached }, { now: new Date("2026-11-20T15:05:00Z") });

    expect(github.calls()).toEqual([
      ...CONFIG_READS,
      `GET ${GET.compare(S)}`,
      `GET ${GET.openIncidents}`,
      `GET ${GET.comments(7)}`,
      ...exceptionDeployCalls({ opensMergeBack: true, since: "2026-11-19T14:59:00.000Z" }),
    ]);
    expect(writes(github)).toEqual([
      { method: "POST", path: `${REPO_PATH}/issues/7/comments`, body: { body: deployedBody(reached) } },
      { method: "POST", path: `${REPO_PATH}/issues`, body: { title: "Merge back 2222222 to master (incident #7)", body: EXCEPTION_MERGE_BACK_BODY, labels: ["merge-back"], assignees: [] } },
      { method: "PATCH", path: `${REPO_PATH}/issues/comments/70`, body: { body: after } },
    ]);
    github.done();
  });
});

describe("deployment_status.created of a commit neither on main nor under an exception", () => {
  test("opens one incident saying who deployed it and how it got past the gate, then its merge-back issue, its RCA issue and its ledger", async () => {
    const github = offMainReads([]);
    github.scope.get(GET.statuses).reply(200, [SUCCESS_STATUS, REFUSED_STATUS]);
    github.scope.get(GET.allIncidents).reply(200, []);
    github.scope.post(`${REPO_PATH}/issues`).reply(201, UNAPPROVED);
    github.scope.get(GET.allIncidents).reply(200, [UNAPPROVED]);
    github.scope.get(GET.mergeBacks).reply(200, []);
    github.scope.post(`${REPO_PATH}/issues`).reply(201, UNAPPROVED_MERGE_BACK);
    github.scope.get(GET.mergeBacks).times(3).reply(200, [UNAPPROVED_MERGE_BACK]);
    github.scope.get(GET.comments(12)).twice().reply(200, []);
    github.scope.get(GET.rcas).reply(200, []);
    github.scope.post(`${REPO_PATH}/issues`).reply(201, UNAPPROVED_RCA);
    github.scope.get(GET.rcas).reply(200, [UNAPPROVED_RCA]);
    github.scope.get(GET.deployments).reply(200, []);
    github.scope.post(`${REPO_PATH}/issues/12/comments`).reply(201, UNAPPROVED_LEDGER_COMMENT);
    github.scope.get(GET.comments(12)).reply(200, [UNAPPROVED_LEDGER_COMMENT]);

    await deliver();

    expect(github.calls()).toEqual([
      ...CONFIG_READS,
      `GET ${GET.compare(S)}`,
      `GET ${GET.openIncidents}`,
      // What GitHub tells about how the deployment got past the gate.
      `GET ${GET.statuses}`,
      // The incident for this deployment, unless one was opened before; then a look for a twin.
      `GET ${GET.allIncidents}`,
      `POST ${REPO_PATH}/issues`,
      `GET ${GET.allIncidents}`,
      // Its merge-back issue for S.
      `GET ${GET.mergeBacks}`,
      `POST ${REPO_PATH}/issues`,
      `GET ${GET.mergeBacks}`,
      // Becoming an incident: the RCA issue, then the ledger.
      ...incidentViewReads(12),
      `POST ${REPO_PATH}/issues`,
      ...incidentViewReads(12),
      `GET ${GET.deployments}`,
      `POST ${REPO_PATH}/issues/12/comments`,
      `GET ${GET.comments(12)}`,
    ]);
    expect(writes(github)).toEqual([
      { method: "POST", path: `${REPO_PATH}/issues`, body: { title: UNAPPROVED_TITLE, body: UNAPPROVED_BODY, labels: ["incident"] } },
      { method: "POST", path: `${REPO_PATH}/issues`, body: { title: "Merge back 2222222 to master (incident #12)", body: UNAPPROVED_MERGE_BACK_BODY, labels: ["merge-back"], assignees: [] } },
      { method: "POST", path: `${REPO_PATH}/issues`, body: { title: `RCA: ${UNAPPROVED_TITLE}`, body: UNAPPROVED_RCA_BODY, labels: ["rca"], assignees: [] } },
      { method: "POST", path: `${REPO_PATH}/issues/12/comments`, body: { body: UNAPPROVED_LEDGER } },
    ]);
    github.done();
  });

  test("the same status delivered again finds the incident by its marker and writes nothing when its RCA, merge-back issue and ledger already exist", async () => {
    const github = offMainReads([UNAPPROVED]);
    github.scope.get(GET.comments(12)).twice().reply(200, [UNAPPROVED_LEDGER_COMMENT]);
    github.scope.get(GET.statuses).reply(200, [SUCCESS_STATUS, REFUSED_STATUS]);
    github.scope.get(GET.allIncidents).reply(200, [UNAPPROVED]);
    github.scope.get(GET.mergeBacks).twice().reply(200, [UNAPPROVED_MERGE_BACK]);
    github.scope.get(GET.rcas).reply(200, [UNAPPROVED_RCA]);
    github.scope.get(GET.deployments).reply(200, []);

    await deliver({}, { id: "s-2" });

    expect(github.calls()).toEqual([
      ...CONFIG_READS,
      `GET ${GET.compare(S)}`,
      // The incident opened the first time is open: no exception in it, no record of this deployment.
      `GET ${GET.openIncidents}`,
      `GET ${GET.comments(12)}`,
      `GET ${GET.statuses}`,
      // Found again by its marker: nothing new opened.
      `GET ${GET.allIncidents}`,
      `GET ${GET.mergeBacks}`,
      ...incidentViewReads(12),
      `GET ${GET.deployments}`,
    ]);
    github.done();
  });

  test("a compare GitHub answers with 500 fails the delivery and writes nothing, so the redelivery sweep retries it", async () => {
    const github = mockGitHubWithConfig();
    github.scope.get(GET.compare(S)).reply(500, { message: "Server Error" });

    await expect(deliver()).rejects.toThrow(`cannot tell whether ${S} is on master: HTTP 500: Server Error`);

    expect(github.calls()).toEqual([...CONFIG_READS, `GET ${GET.compare(S)}`]);
    github.done();
  });
});
