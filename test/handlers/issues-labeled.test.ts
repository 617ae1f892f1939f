import nock from "nock";
import { issueEvent } from "../helpers/fixtures.js";
import { CONFIG_READS, incidentViewReads, mockGitHubWithConfig } from "../helpers/github-mock.js";
import { ledgerText, RCA_BLOCKERS_UNWRITTEN, RCA_ROW_UNWRITTEN, rcaIssue, rcaTemplateBody } from "../helpers/incident-texts.js";
import { restComment } from "../helpers/rest-objects.js";
import { testApp } from "../helpers/test-app.js";

const REPO_PATH = "/repos/Codertocat/Hello-World";
const INCIDENT = { number: 7, title: "Payments fail", labels: ["incident"] };

const RCA_BODY = rcaTemplateBody({ incident: 7, title: "Payments fail" });
const LEDGER = ledgerText({ incident: 7, status: `**Status:** cannot close yet (2 blocking):\n${RCA_BLOCKERS_UNWRITTEN(8)}`, rca: RCA_ROW_UNWRITTEN(8) });

const LEDGER_COMMENT = restComment({ id: 70, issue: 7, body: LEDGER });
const RCA_ISSUE = rcaIssue({ number: 8, incident: 7, title: "Payments fail" });

/** The delivery, built once (it is checked against GitHub's webhook schema, which takes a while the first time). */
const INCIDENT_LABELED = issueEvent("labeled", INCIDENT);

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

async function deliver(payload: ReturnType<typeof issueEvent>) {
  const { probot } = await testApp();
  await probot.receive({ id: "l-1", name: "issues", payload: payload as never });
}

/** A first incident label: no RCA issue or ledger yet, so the app opens the one and posts the other. */
function mockFirstLabel(github: ReturnType<typeof mockGitHubWithConfig>) {
  github.scope.get(`${REPO_PATH}/issues/7/comments?per_page=100`).twice().reply(200, []);
  github.scope.get(`${REPO_PATH}/issues/7/comments?per_page=100`).reply(200, [LEDGER_COMMENT]);
  github.scope.get(`${REPO_PATH}/issues?labels=merge-back&state=all&per_page=100`).twice().reply(200, []);
  github.scope.get(`${REPO_PATH}/issues?labels=rca&state=all&per_page=100`).reply(200, []);
  github.scope.post(`${REPO_PATH}/issues`).reply(201, RCA_ISSUE);
  github.scope.get(`${REPO_PATH}/issues?labels=rca&state=all&per_page=100`).reply(200, [RCA_ISSUE]);
  github.scope.get(`${REPO_PATH}/deployments?per_page=30`).reply(200, []);
  github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, LEDGER_COMMENT);
}

describe("issues.labeled", () => {
  test("the incident label opens the RCA issue and posts the ledger", async () => {
    const github = mockGitHubWithConfig();
    mockFirstLabel(github);

    await deliver(INCIDENT_LABELED);

    expect(github.calls()).toEqual([
      ...CONFIG_READS,
      ...incidentViewReads(7),
      `POST ${REPO_PATH}/issues`,
      ...incidentViewReads(7),
      `GET ${REPO_PATH}/deployments?per_page=30`,
      `POST ${REPO_PATH}/issues/7/comments`,
      // Two deliveries racing could both post a ledger: the app looks again and keeps the oldest.
      `GET ${REPO_PATH}/issues/7/comments?per_page=100`,
    ]);
    expect(github.requests.find((r) => r.path === `${REPO_PATH}/issues`)?.body).toEqual({
      title: "RCA: Payments fail",
      body: RCA_BODY,
      labels: ["rca"],
      assignees: [],
    });
    expect(github.requests.find((r) => r.path === `${REPO_PATH}/issues/7/comments`)?.body).toEqual({ body: LEDGER });
    github.done();
  });

  test("a redelivery finds the RCA issue and an identical ledger, and writes nothing", async () => {
    const github = mockGitHubWithConfig();
    github.scope.get(`${REPO_PATH}/issues/7/comments?per_page=100`).reply(200, [LEDGER_COMMENT]);
    github.scope.get(`${REPO_PATH}/issues?labels=merge-back&state=all&per_page=100`).reply(200, []);
    github.scope.get(`${REPO_PATH}/issues?labels=rca&state=all&per_page=100`).reply(200, [RCA_ISSUE]);
    github.scope.get(`${REPO_PATH}/deployments?per_page=30`).reply(200, []);

    await deliver(INCIDENT_LABELED);

    expect(github.calls().filter((c) => !c.startsWith("GET"))).toEqual(["POST /app/installations/2/access_tokens"]);
    github.done();
  });

  test.each([
    { what: "another label", label: "bug", yaml: undefined },
    { what: "the default incident label when the config renames it", label: "incident", yaml: "labels:\n  incident: sev1\n" },
  ])("$what does nothing beyond reading config", async ({ label, yaml }) => {
    const github = mockGitHubWithConfig(yaml);

    await deliver(issueEvent("labeled", { ...INCIDENT, labels: [label] }, { label }));

    expect(github.calls()).toEqual([
      "POST /app/installations/2/access_tokens",
      `GET ${REPO_PATH}/contents/.github%2Fmainline.yml`,
      ...(yaml === undefined ? ["GET /repos/Codertocat/.github/contents/.github%2Fmainline.yml"] : []),
    ]);
    github.done();
  });

  test("a custom incident label from .github/mainline.yml makes an incident", async () => {
    const github = mockGitHubWithConfig("labels:\n  incident: sev1\n");
    mockFirstLabel(github);

    await deliver(issueEvent("labeled", { ...INCIDENT, labels: ["SEV1"] }, { label: "SEV1" }));

    expect(github.requests.filter((r) => r.method === "POST" && !r.path.includes("access_tokens")).map((r) => r.path)).toEqual([
      `${REPO_PATH}/issues`,
      `${REPO_PATH}/issues/7/comments`,
    ]);
    expect(github.requests.find((r) => r.path === `${REPO_PATH}/issues`)?.body).toMatchObject({ labels: ["rca"], body: RCA_BODY });
    expect(github.requests.find((r) => r.path === `${REPO_PATH}/issues/7/comments`)?.body).toEqual({ body: LEDGER });
    github.done();
  });
});
