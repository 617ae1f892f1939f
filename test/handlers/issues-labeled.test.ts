import nock from "nock";
import { issueEvent } from "../helpers/fixtures.js";
import { mockGitHubWithConfig } from "../helpers/github-mock.js";
import { ledgerText, RCA_BLOCKERS_UNWRITTEN, RCA_ROW_UNWRITTEN, rcaTemplateBody } from "../helpers/incident-texts.js";
import { incidentWorld, onLoopbackGitHub, type LoopbackWorld } from "../helpers/loopback-world.js";
import { testApp } from "../helpers/test-app.js";

const REPO_PATH = "/repos/Codertocat/Hello-World";
const INCIDENT = { number: 7, title: "Payments fail", labels: ["incident"] };
const AT = "2026-11-20T12:00:00.000Z";

const RCA_BODY = rcaTemplateBody({ incident: 7, title: "Payments fail" });
const LEDGER = ledgerText({ incident: 7, status: `**Status:** cannot close yet (2 blocking):\n${RCA_BLOCKERS_UNWRITTEN(8)}`, rca: RCA_ROW_UNWRITTEN(8) });

/**
 * Most requests one first incident label may cost: the token and config (3), the labeler's role,
 * the thread (twice), an RCA issue to adopt, the RCA issue, the record, the thread and RCA issue
 * again, the rollback candidates, the ledger and the look for a racing second ledger.
 */
const FIRST_LABEL_BUDGET = 14;

async function deliver(payload: ReturnType<typeof issueEvent>) {
  const { probot } = await testApp();
  await probot.receive({ id: "l-1", name: "issues", payload: payload as never });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe("issues.labeled: labels that make nothing (nock)", () => {
  test.each([
    { what: "another label", label: "bug", yaml: undefined },
    { what: "the default incident label when the config renames it", label: "incident", yaml: "labels:\n  incident: sev1\n" },
  ])("$what does nothing beyond reading config", async ({ label, yaml }) => {
    const github = mockGitHubWithConfig(yaml);

    await deliver(issueEvent("labeled", { ...INCIDENT, labels: [label] }, { label }));

    // The point: nothing but the config is asked (the repository's file, and the org's when the repository has none).
    expect(github.calls()).toEqual([
      "POST /app/installations/2/access_tokens",
      `GET ${REPO_PATH}/contents/.github%2Fmainline.yml`,
      ...(yaml === undefined ? ["GET /repos/Codertocat/.github/contents/.github%2Fmainline.yml"] : []),
    ]);
    github.done();
  });
});

describe("issues.labeled (loopback GitHub)", () => {
  let world: LoopbackWorld;
  onLoopbackGitHub(() => world, { afterAll: "closed" });

  /** Issue #7 "Payments fail", opened by octocat; tess (triage) may label it. */
  async function setUp(config?: string) {
    world = await incidentWorld(config === undefined ? {} : { config });
    world.role("tess", "triage");
    world.personIssue(7, { title: "Payments fail" });
  }

  /** What becoming an incident leaves: RCA issue #8, the incident record naming it, the ledger. */
  function expectIncident(label: string, by = "tess") {
    const rca = world.issue(8);
    expect({ title: rca.title, body: rca.body, labels: rca.labels, assignees: rca.assignees, by: rca.user.login }).toEqual({
      title: "RCA: Payments fail",
      body: RCA_BODY,
      labels: ["rca"],
      assignees: [],
      by: "mainline[bot]",
    });
    expect(world.appBodies(7)).toEqual([
      world.recordText(
        7,
        "incident",
        { by, via: "label", at: AT, rca: 8 },
        `🚨 This issue is an incident: **${by}** added the \`${label}\` label. It closes when its fixes are on \`master\` and its RCA, #8, is written.`,
      ),
      LEDGER,
    ]);
  }

  test("the incident label opens the RCA issue and posts the ledger", async () => {
    await setUp();

    await world.deliver(world.hooks.issueLabeled(7, "tess", "incident"));

    expectIncident("incident");
    expect(world.writes().map((w) => `${w.method} ${w.path}`)).toEqual([
      `POST ${world.api}/issues`,
      `POST ${world.api}/issues/7/comments`,
      `POST ${world.api}/issues/7/comments`,
    ]);
    expect(world.writes()[0]!.body).toEqual({ title: "RCA: Payments fail", body: RCA_BODY, labels: ["rca"], assignees: [] });
    expect(world.calls().length).toBeLessThanOrEqual(FIRST_LABEL_BUDGET);
  });

  test("a redelivery finds the RCA issue and an identical ledger, and writes nothing", async () => {
    await setUp();
    const labeled = world.hooks.issueLabeled(7, "tess", "incident");
    await world.deliver(labeled);
    const mark = world.mark();

    await world.deliver(labeled);

    expect(world.writes(mark)).toEqual([]);
    expectIncident("incident");
    expect([...world.repo.issues.keys()]).toEqual([7, 8]);
  });

  test("a custom incident label from .github/mainline.yml makes an incident", async () => {
    await setUp("labels:\n  incident: sev1\n");

    await world.deliver(world.hooks.issueLabeled(7, "tess", "SEV1"));

    expect(world.writes().filter((w) => w.method === "POST").map((w) => w.path)).toEqual([`${world.api}/issues`, `${world.api}/issues/7/comments`, `${world.api}/issues/7/comments`]);
    expectIncident("sev1");
  });

  // SPEC 8: a label is a view; it makes an incident only when whoever added it may label issues here.
  test("the label added by someone without the triage role (an issue template, a reader) makes no incident", async () => {
    await setUp();
    world.role("rita", "read");

    await world.deliver(world.hooks.issueLabeled(7, "rita", "incident"));

    expect(world.writes()).toEqual([]);
    expect(world.comments(7)).toEqual([]);
    expect(world.calls().filter((c) => c.includes("/collaborators/"))).toEqual([`GET ${world.api}/collaborators/rita/permission`]);
  });
});
