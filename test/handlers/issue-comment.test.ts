import nock from "nock";
import { recordBody } from "../../src/records.js";
import { issueComment, REPO_ID } from "../helpers/fixtures.js";
import { mockGitHub } from "../helpers/github-mock.js";
import { ledgerText, RCA_BLOCKERS_UNWRITTEN, RCA_ROW_UNWRITTEN, rcaTemplateBody } from "../helpers/incident-texts.js";
import { incidentWorld, onLoopbackGitHub, type LoopbackWorld } from "../helpers/loopback-world.js";
import { restComment } from "../helpers/rest-objects.js";
import { testApp, TEST_RECORD_KEY } from "../helpers/test-app.js";

const REPO_PATH = "/repos/Codertocat/Hello-World";
const S = "abcdef0123456789abcdef0123456789abcdef01";
const INCIDENT = { number: 7, title: "Payments fail", labels: ["incident"] };
const APP = { id: 123, slug: "mainline" };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

async function deliver(payload: ReturnType<typeof issueComment>) {
  const { probot } = await testApp();
  await probot.receive({ id: "c-1", name: "issue_comment", payload: payload as never });
}

/**
 * Incident #7's thread as the app reads it: the record that made it an incident (signed by the app,
 * naming this repository), without which no issue is an incident whatever its labels say.
 */
const INCIDENT_THREAD = [
  restComment({
    id: 60,
    issue: 7,
    body: recordBody(TEST_RECORD_KEY, "incident", { repo: REPO_ID, incident: 7 }, { by: "tess", via: "label", at: "2026-11-20T10:00:00.000Z", rca: 8 }, "🚨 This issue is an incident."),
  }),
];

/** The dispatcher's first look: has the app already answered this comment (👍 or a reply)? `thread`: the issue's comments. */
function notAnsweredYet(github: ReturnType<typeof mockGitHub>, issue: number, thread: unknown[] = []) {
  github.scope.get(`${REPO_PATH}/issues/comments/9001/reactions?content=%2B1&per_page=100`).reply(200, []);
  github.scope.get(`${REPO_PATH}/issues/${issue}/comments?per_page=100`).reply(200, thread);
}

function replyBody(github: ReturnType<typeof mockGitHub>, issue = INCIDENT.number): string {
  const post = github.requests.find((r) => r.method === "POST" && r.path === `${REPO_PATH}/issues/${issue}/comments`);
  return (post?.body as { body: string }).body;
}

describe("issue_comment.created: who and what is ignored", () => {
  test("a bot's comment is ignored without a single API call", async () => {
    const github = mockGitHub();
    await deliver(issueComment({ body: "/incident close", login: "deploy-bot[bot]", userType: "Bot", issue: INCIDENT }));
    expect(github.calls()).toEqual([]);
    github.done();
  });

  test("a comment without commands (or with them only in code and quotes) costs nothing", async () => {
    const github = mockGitHub();
    await deliver(issueComment({ body: "Looking into it.\n```\n/incident close\n```\n> /hotfix allow abcdef1 -- x\n/deploy now", issue: INCIDENT }));
    expect(github.calls()).toEqual([]);
    github.done();
  });
});

describe("issue_comment.created: commands refused with a reply that says how", () => {
  test("a command in the wrong place gets a reply, and no permission lookup", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    notAnsweredYet(github, 3);
    github.scope.post(`${REPO_PATH}/issues/3/comments`).reply(201, { id: 1 });

    await deliver(issueComment({ body: `/hotfix allow ${S} -- payments down`, issue: { number: 3, labels: [] } }));

    expect(replyBody(github, 3)).toBe(
      "mainline could not run this command from [your comment](https://github.com/Codertocat/Hello-World/issues/3#issuecomment-9001):\n\n" +
        `- \`/hotfix allow ${S} -- payments down\`: this command works only in an incident (an issue labelled as one: run \`/incident\` first)\n\n` +
        "<!-- mainline:reply source=9001 -->",
    );
    expect(github.calls().some((c) => c.includes("/permission"))).toBe(false);
    github.done();
  });

  // SPEC 8: which issue is an incident comes from the app's records; the label is only a view.
  test("an issue labelled as an incident without the app's record is no incident: the command is in the wrong place", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    const forged = restComment({
      id: 61,
      issue: 7,
      author: { login: "mallory" },
      body: recordBody(TEST_RECORD_KEY, "incident", { repo: REPO_ID, incident: 7 }, { by: "tess", via: "label", at: "2026-11-20T10:00:00.000Z", rca: 8 }, "a copy"),
    });
    notAnsweredYet(github, 7, [forged]);
    github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, { id: 1 });

    await deliver(issueComment({ body: `/hotfix allow ${S} -- payments down`, issue: INCIDENT }));

    expect(replyBody(github)).toContain("this command works only in an incident (an issue labelled as one: run `/incident` first)");
    expect(github.calls().some((c) => c.includes("/permission"))).toBe(false);
    github.done();
  });

  test("a malformed command gets the error and the way to write it", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    notAnsweredYet(github, 7);
    github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, { id: 1 });

    await deliver(issueComment({ body: "/hotfix allow xyz -- payments down", issue: INCIDENT }));

    expect(replyBody(github)).toContain("- `/hotfix allow xyz -- payments down`: `xyz` is not a commit SHA: use 7 to 40 hex characters. Write it as:\n\n    /hotfix allow <sha> [env] -- <reason>");
    github.done();
  });

  test("the role is read from GitHub's permission API (role_name), not from the comment", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(`${REPO_PATH}/collaborators/octocat/permission`).reply(200, { permission: "read", role_name: "triage", user: null });
    notAnsweredYet(github, 7, INCIDENT_THREAD);
    github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, { id: 1 });

    const payload = issueComment({ body: `/hotfix allow ${S} -- payments down`, issue: INCIDENT });
    payload.comment.author_association = "OWNER";
    await deliver(payload);

    expect(replyBody(github)).toContain("this needs the maintain role or higher in this repository; **octocat** has triage");
    github.done();
  });

  test("force-close needs admin: maintain is told apart from admin", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(`${REPO_PATH}/collaborators/octocat/permission`).reply(200, { permission: "write", role_name: "maintain", user: null });
    notAnsweredYet(github, 7, INCIDENT_THREAD);
    github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, { id: 1 });
    await deliver(issueComment({ body: "/incident force-close we accept the risk", issue: INCIDENT }));
    expect(replyBody(github)).toContain("this needs the admin role or higher in this repository; **octocat** has maintain");
    github.done();
  });

  test("a comment the app already answered with a reply is not run again", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    // The app's reply is in the thread it reads first: its reactions need no look. (A reply comes
    // after its command, so its id is the larger: a reply marker in an older comment answers nothing.)
    github.scope
      .get(`${REPO_PATH}/issues/3/comments?per_page=100`)
      .reply(200, [
        { id: 9050, body: "earlier reply\n\n<!-- mainline:reply source=9001 -->", created_at: "2026-11-20T11:00:00Z", updated_at: "2026-11-20T11:00:00Z", html_url: "", user: { login: "mainline[bot]", type: "Bot" }, performed_via_github_app: APP },
      ]);
    await deliver(issueComment({ body: `/merge-back ${S}`, issue: { number: 3, labels: [] } }));
    expect(github.calls().filter((c) => c.startsWith("POST") && !c.includes("access_tokens"))).toEqual([]);
    expect(github.calls().filter((c) => c.includes("/permission") || c.includes("/commits/"))).toEqual([]);
    github.done();
  });

  test("a comment the app already gave 👍 is not run again (a redelivered /incident close stays quiet)", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(`${REPO_PATH}/issues/7/comments?per_page=100`).reply(200, INCIDENT_THREAD);
    github.scope
      .get(`${REPO_PATH}/issues/comments/9001/reactions?content=%2B1&per_page=100`)
      .reply(200, [{ id: 1, content: "+1", created_at: "2026-11-20T11:00:00Z", node_id: "R_1", user: { login: "mainline[bot]", id: 9000, type: "Bot" } }]);
    await deliver(issueComment({ body: "/incident close", issue: { ...INCIDENT, state: "closed" } }));
    expect(github.calls().filter((c) => !c.startsWith("GET") && !c.includes("access_tokens"))).toEqual([]);
    github.done();
  });

  test("user text echoed in a reply cannot ping, link or inject HTML", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    notAnsweredYet(github, 3);
    github.scope.post(`${REPO_PATH}/issues/3/comments`).reply(201, { id: 1 });
    await deliver(issueComment({ body: "/hotfix allow <img src=x onerror=alert(1)> @everyone -- `boom`", issue: { number: 3, labels: [] } }));
    const body = replyBody(github, 3);
    const outsideCode = body.replace(/`[^`]*`/g, "");
    expect(outsideCode).not.toMatch(/<img|@everyone/);
    github.done();
  });
});

describe("issue_comment.created: commands that run", () => {
  test("/mainline help answers anyone, anywhere, with 👍 and the command table", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.post(`${REPO_PATH}/issues/comments/9001/reactions`, { content: "+1" }).reply(201, {});
    notAnsweredYet(github, 3);
    github.scope.post(`${REPO_PATH}/issues/3/comments`).reply(201, { id: 1 });

    await deliver(issueComment({ body: "/mainline help", issue: { number: 3, labels: [] } }));

    expect(replyBody(github, 3)).toContain("| `/hotfix allow <sha> [env] -- <reason>` |");
    github.done();
  });

  test("/mainline help in an incident, by someone with no role, gets the table too", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.post(`${REPO_PATH}/issues/comments/9001/reactions`, { content: "+1" }).reply(201, {});
    notAnsweredYet(github, 7, INCIDENT_THREAD);
    github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, { id: 1 });

    await deliver(issueComment({ body: "/mainline help", login: "drive-by", issue: INCIDENT }));

    expect(replyBody(github)).toContain("| `/hotfix allow <sha> [env] -- <reason>` |");
    expect(github.calls().some((c) => c.includes("/permission"))).toBe(false);
    github.done();
  });
});

describe("issue_comment.created: /incident (loopback GitHub)", () => {
  let world: LoopbackWorld;
  onLoopbackGitHub(() => world, { afterAll: "closed" });

  // The redesign: `/incident` writes the incident record itself (a label is only a view), then adds the label.
  test("/incident on a plain issue retitles it, records it as an incident, opens its RCA and ledger, adds the label, and reacts 👍", async () => {
    world = await incidentWorld();
    world.role("octocat", "write");
    world.personIssue(3, { title: "checkout broken?" });

    const event = world.hooks.comment(3, "octocat", "/incident Payments fail at checkout");
    await world.deliver(event);

    const commentId = (event[1] as { comment: { id: number } }).comment.id;
    const issue = world.issue(3);
    expect({ title: issue.title, labels: issue.labels, state: issue.state }).toEqual({ title: "Payments fail at checkout", labels: ["incident"], state: "open" });
    const rca = world.issue(4);
    expect({ title: rca.title, body: rca.body, labels: rca.labels }).toEqual({
      title: "RCA: Payments fail at checkout",
      body: rcaTemplateBody({ incident: 3, title: "Payments fail at checkout" }),
      labels: ["rca"],
    });
    expect(world.appBodies(3)).toEqual([
      world.recordText(
        3,
        "incident",
        { by: "octocat", via: "command", at: "2026-11-20T12:00:00.000Z", rca: 4 },
        "🚨 This issue is an incident: **octocat** ran `/incident`. It closes when its fixes are on `master` and its RCA, #4, is written.",
      ),
      ledgerText({ incident: 3, status: `**Status:** cannot close yet (2 blocking):\n${RCA_BLOCKERS_UNWRITTEN(4)}`, rca: RCA_ROW_UNWRITTEN(4) }),
    ]);
    expect(world.thumbsUp(commentId)).toEqual(["mainline[bot]"]);
    expect(world.writes().find((w) => w.path === `${world.api}/issues/3` && w.method === "PATCH")?.body).toEqual({ title: "Payments fail at checkout" });
    expect(world.writes().find((w) => w.path === `${world.api}/issues/3/labels`)?.body).toEqual({ labels: ["incident"] });
    // The token and config, the thread, the 👍 look, the role, the title, the RCA issue, the record, the ledger, the label, 👍.
    expect(world.calls().length).toBeLessThanOrEqual(19);
  });

  test("/incident by someone with the triage role is refused, and nothing is recorded", async () => {
    world = await incidentWorld();
    world.role("tess", "triage");
    world.personIssue(3, { title: "checkout broken?" });

    await world.deliver(world.hooks.comment(3, "tess", "/incident"));

    expect(world.appBodies(3)).toHaveLength(1);
    expect(world.appBodies(3)[0]).toContain("this needs the write role or higher in this repository; **tess** has triage");
    expect(world.issue(3).labels).toEqual([]);
    expect([...world.repo.issues.keys()]).toEqual([3]);
  });
});
