import nock from "nock";
import { issueEvent } from "../helpers/fixtures.js";
import { mockGitHub } from "../helpers/github-mock.js";
import { restComment, restIssue } from "../helpers/rest-objects.js";
import { testApp } from "../helpers/test-app.js";

const REPO_PATH = "/repos/Codertocat/Hello-World";
const INCIDENT = { number: 7, title: "Payments fail", labels: ["incident"] };
const PROMPT = "<!-- Write this section here. An empty section keeps this RCA, and so the incident, open. -->";

const RCA_BODY = [
  "Root-cause analysis for incident #7 `Payments fail`. Close this issue when every section below is filled in: the incident cannot close before.",
  `## Timeline\n\n${PROMPT}`,
  `## Root cause\n\n${PROMPT}`,
  `## Action items\n\n${PROMPT}`,
  "<!-- mainline:rca incident=7 -->\n",
].join("\n\n");

const LEDGER = [
  "<!-- mainline:ledger incident=7 -->",
  "## mainline ledger",
  '**Status:** cannot close yet (2 blocking):\n- RCA #8: "Timeline", "Root cause", "Action items" have no content yet\n- RCA #8 is still open (close it when it is written)',
  "### Exceptions",
  "None granted.",
  "### Merge-back",
  "No commit needs merging back.",
  "### RCA",
  "#8: open; to write: Timeline, Root cause, Action items.",
  "### Roll back first",
  "No deployment of a master commit found in the gated environments.",
  "_mainline rewrites this comment from GitHub's records (issues, comments, deployments) at each change; edits here are overwritten._",
].join("\n\n");

const LEDGER_COMMENT = restComment({ id: 70, issue: 7, body: LEDGER });
const RCA_ISSUE = restIssue({ number: 8, title: "RCA: Payments fail", body: RCA_BODY, labels: ["rca"], author: { app: true } });

/** The delivery, built once (it is checked against GitHub's webhook schema, which takes a while the first time). */
const INCIDENT_LABELED = issueEvent("labeled", INCIDENT);

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

async function deliver(payload: ReturnType<typeof issueEvent>) {
  const { probot } = await testApp();
  await probot.receive({ id: "l-1", name: "issues", payload: payload as never });
}

/** What the app reads to see an incident as GitHub records it: its comments, the merge-back issues, the RCA issues. */
const VIEW_READS = [
  `GET ${REPO_PATH}/issues/7/comments?per_page=100`,
  `GET ${REPO_PATH}/issues?labels=merge-back&state=all&per_page=100`,
  `GET ${REPO_PATH}/issues?labels=rca&state=all&per_page=100`,
];

function configReads(github: ReturnType<typeof mockGitHub>, yaml?: string) {
  github.token();
  github.config(yaml);
}

describe("issues.labeled", () => {
  test("the incident label opens the RCA issue and posts the ledger", async () => {
    const github = mockGitHub();
    configReads(github);
    github.scope.get(`${REPO_PATH}/issues/7/comments?per_page=100`).twice().reply(200, []);
    github.scope.get(`${REPO_PATH}/issues/7/comments?per_page=100`).reply(200, [LEDGER_COMMENT]);
    github.scope.get(`${REPO_PATH}/issues?labels=merge-back&state=all&per_page=100`).twice().reply(200, []);
    github.scope.get(`${REPO_PATH}/issues?labels=rca&state=all&per_page=100`).reply(200, []);
    github.scope.post(`${REPO_PATH}/issues`).reply(201, RCA_ISSUE);
    github.scope.get(`${REPO_PATH}/issues?labels=rca&state=all&per_page=100`).reply(200, [RCA_ISSUE]);
    github.scope.get(`${REPO_PATH}/deployments?per_page=30`).reply(200, []);
    github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, LEDGER_COMMENT);

    await deliver(INCIDENT_LABELED);

    expect(github.calls()).toEqual([
      "POST /app/installations/2/access_tokens",
      `GET ${REPO_PATH}/contents/.github%2Fmainline.yml`,
      "GET /repos/Codertocat/.github/contents/.github%2Fmainline.yml",
      ...VIEW_READS,
      `POST ${REPO_PATH}/issues`,
      ...VIEW_READS,
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
    const github = mockGitHub();
    configReads(github);
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
    const github = mockGitHub();
    configReads(github, yaml);

    await deliver(issueEvent("labeled", { ...INCIDENT, labels: [label] }, { label }));

    expect(github.calls()).toEqual([
      "POST /app/installations/2/access_tokens",
      `GET ${REPO_PATH}/contents/.github%2Fmainline.yml`,
      ...(yaml === undefined ? ["GET /repos/Codertocat/.github/contents/.github%2Fmainline.yml"] : []),
    ]);
    github.done();
  });

  test("a custom incident label from .github/mainline.yml makes an incident", async () => {
    const github = mockGitHub();
    configReads(github, "labels:\n  incident: sev1\n");
    github.scope.get(`${REPO_PATH}/issues/7/comments?per_page=100`).twice().reply(200, []);
    github.scope.get(`${REPO_PATH}/issues/7/comments?per_page=100`).reply(200, [LEDGER_COMMENT]);
    github.scope.get(`${REPO_PATH}/issues?labels=merge-back&state=all&per_page=100`).twice().reply(200, []);
    github.scope.get(`${REPO_PATH}/issues?labels=rca&state=all&per_page=100`).reply(200, []);
    github.scope.post(`${REPO_PATH}/issues`).reply(201, RCA_ISSUE);
    github.scope.get(`${REPO_PATH}/issues?labels=rca&state=all&per_page=100`).reply(200, [RCA_ISSUE]);
    github.scope.get(`${REPO_PATH}/deployments?per_page=30`).reply(200, []);
    github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, LEDGER_COMMENT);

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
