import nock from "nock";
import { issueComment } from "../helpers/fixtures.js";
import { mockGitHub } from "../helpers/github-mock.js";
import { testApp } from "../helpers/test-app.js";

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

/** The dispatcher's first look: has the app already answered this comment (👍 or a reply)? */
function notAnsweredYet(github: ReturnType<typeof mockGitHub>, issue: number) {
  github.scope.get(`${REPO_PATH}/issues/comments/9001/reactions?content=%2B1&per_page=100`).reply(200, []);
  github.scope.get(`${REPO_PATH}/issues/${issue}/comments?per_page=100`).reply(200, []);
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
    notAnsweredYet(github, 7);
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
    notAnsweredYet(github, 7);
    github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, { id: 1 });
    await deliver(issueComment({ body: "/incident force-close we accept the risk", issue: INCIDENT }));
    expect(replyBody(github)).toContain("this needs the admin role or higher in this repository; **octocat** has maintain");
    github.done();
  });

  test("a comment the app already answered with a reply is not run again", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    github.scope.get(`${REPO_PATH}/issues/comments/9001/reactions?content=%2B1&per_page=100`).reply(200, []);
    github.scope
      .get(`${REPO_PATH}/issues/3/comments?per_page=100`)
      .reply(200, [
        { id: 50, body: "earlier reply\n\n<!-- mainline:reply source=9001 -->", created_at: "2026-11-20T11:00:00Z", updated_at: "2026-11-20T11:00:00Z", html_url: "", user: { login: "mainline[bot]", type: "Bot" }, performed_via_github_app: APP },
      ]);
    await deliver(issueComment({ body: `/merge-back ${S}`, issue: { number: 3, labels: [] } }));
    expect(github.calls().filter((c) => c.startsWith("POST") && !c.includes("access_tokens"))).toEqual([]);
    github.done();
  });

  test("a comment the app already gave 👍 is not run again (a redelivered /incident close stays quiet)", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
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

  test("/incident on a plain issue adds the label (GitHub's labeled event does the rest) and reacts 👍", async () => {
    const github = mockGitHub();
    github.token();
    github.config();
    notAnsweredYet(github, 3);
    github.scope.get(`${REPO_PATH}/collaborators/octocat/permission`).reply(200, { permission: "write", role_name: "write", user: null });
    github.scope.patch(`${REPO_PATH}/issues/3`, { title: "Payments fail at checkout" }).reply(200, {});
    github.scope.post(`${REPO_PATH}/issues/3/labels`, { labels: ["incident"] }).reply(200, []);
    github.scope.post(`${REPO_PATH}/issues/comments/9001/reactions`, { content: "+1" }).reply(201, {});

    await deliver(issueComment({ body: "/incident Payments fail at checkout", issue: { number: 3, labels: [], title: "checkout broken?" } }));
    github.done();
  });
});
