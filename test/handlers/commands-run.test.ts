import nock from "nock";
import { issueComment, SHA } from "../helpers/fixtures.js";
import { CONFIG_READS, incidentViewReads, mockGitHubWithConfig } from "../helpers/github-mock.js";
import { exceptionTable, ledgerText, mergeBackBody, mergeBackIssue, mergeBackTable, RCA_BLOCKERS_UNWRITTEN, RCA_ROW_UNWRITTEN, rcaIssue, rcaTemplateBody } from "../helpers/incident-texts.js";
import { restComment, restCommit, restIssue } from "../helpers/rest-objects.js";
import { testApp } from "../helpers/test-app.js";

const REPO_PATH = "/repos/Codertocat/Hello-World";
const S = SHA.offMain;
const INCIDENT = { number: 7, title: "Payments fail", labels: ["incident"] };
const RCA = rcaIssue({ number: 8, incident: 7, title: "Payments fail" });
const WRITTEN_RCA = rcaIssue({
  number: 8,
  incident: 7,
  title: "Payments fail",
  state: "closed",
  body: rcaTemplateBody({ incident: 7, title: "Payments fail", sections: { timeline: "16:02 payments fail.", rootCause: "The retry flag was dropped.", actionItems: "- [ ] Test the retry path." } }),
});
/** The two-approval policy, in the repository's `.github/mainline.yml`. */
const TWO_APPROVALS = "override:\n  approvals: 2\n";

const GET = {
  reactions: `${REPO_PATH}/issues/comments/9001/reactions?content=%2B1&per_page=100`,
  comments: `${REPO_PATH}/issues/7/comments?per_page=100`,
  mergeBacks: `${REPO_PATH}/issues?labels=merge-back&state=all&per_page=100`,
  rcas: `${REPO_PATH}/issues?labels=rca&state=all&per_page=100`,
  permission: (login: string) => `${REPO_PATH}/collaborators/${login}/permission`,
  commit: (ref: string) => `${REPO_PATH}/commits/${ref}?per_page=1`,
  deployments: `${REPO_PATH}/deployments?per_page=30`,
};
const REACT = `${REPO_PATH}/issues/comments/9001/reactions`;
const COMMENT_URL = "https://github.com/Codertocat/Hello-World/issues/7#issuecomment-9001";

/** What an incident #7 ledger says while RCA #8 is its only blocker. */
const RCA_ONLY_BLOCKS = `**Status:** cannot close yet (2 blocking):\n${RCA_BLOCKERS_UNWRITTEN(8)}`;
const LEDGER_BEFORE = ledgerText({ incident: 7, status: RCA_ONLY_BLOCKS, rca: RCA_ROW_UNWRITTEN(8) });
/** Incident #7's ledger with one exception for 2222222 to production, in `state`, granted by `by` at `at`. */
const ledgerWithException = ({ by, at, state }: { by: string; at: string; state: string }) =>
  ledgerText({
    incident: 7,
    status: RCA_ONLY_BLOCKS,
    exceptions: exceptionTable({ commit: "2222222", environment: "production", by, at, reason: "payments down", state }),
    rca: RCA_ROW_UNWRITTEN(8),
  });
const ledgerComment = (body: string) => restComment({ id: 70, issue: 7, body, createdAt: "2026-11-20T10:00:00Z" });

/** The record `/hotfix allow 2222222 production -- payments down` writes when `by` runs it at `at` (ttlHours 4). */
function exceptionRecordBody({ by, at, expires, second = false }: { by: string; at: string; expires: string; second?: boolean }) {
  return (
    `🟠 Exception granted by **${by}**: \`2222222\` may deploy to production until ${expires} although it is not on \`master\`. Reason: payments down.` +
    (second ? " It needs a second person's `/hotfix approve 2222222` before it can be used." : "") +
    `\n\n<!-- mainline:exception sha=${S} by=${by} at=${encodeURIComponent(at)} source=9001 env=production expires=${encodeURIComponent(expires)} reason=payments%20down -->`
  );
}
/** alice's grant an hour ago, recorded by the app from an earlier comment (9000). */
const aliceGrant = (second = false) =>
  restComment({
    id: 71,
    issue: 7,
    body: exceptionRecordBody({ by: "alice", at: "2026-11-20T11:00:00.000Z", expires: "2026-11-20T15:00:00.000Z", second }).replace("source=9001", "source=9000"),
  });
/** A deployment the gate let through under alice's grant. */
const DEPLOY_RECORD = restComment({
  id: 72,
  issue: 7,
  body:
    "🚀 `2222222` was let through to production under the exception (deployment 145988746). It is not on `master`: a merge-back issue tracks bringing it there.\n\n" +
    `<!-- mainline:deploy sha=${S} env=production deployment=145988746 at=2026-11-20T11%3A30%3A00.000Z -->`,
  createdAt: "2026-11-20T11:30:00Z",
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

async function deliver(payload: ReturnType<typeof issueComment>) {
  const { probot } = await testApp();
  await probot.receive({ id: "c-1", name: "issue_comment", payload: payload as never });
}

type GitHub = ReturnType<typeof mockGitHubWithConfig>;
type Role = "write" | "maintain" | "admin";

/** The dispatcher's look for an earlier answer (none: no 👍, no reply in `thread`), then the actor's role. */
function commandStarts(github: GitHub, { login = "octocat", role = "maintain" as Role, thread = [] as unknown[] } = {}) {
  github.scope.get(GET.reactions).reply(200, []);
  github.scope.get(GET.comments).reply(200, thread);
  github.scope.get(GET.permission(login)).reply(200, { permission: role === "maintain" ? "write" : role, role_name: role, user: null });
}
const commandStartCalls = (login = "octocat", configReads = CONFIG_READS) => [...configReads, `GET ${GET.reactions}`, `GET ${GET.comments}`, `GET ${GET.permission(login)}`];
/** With `.github/mainline.yml` in the repository, the org's is not read. */
const CONFIG_IN_REPO = CONFIG_READS.slice(0, 2);

/** The incident as the app reads it: its thread, the merge-back issues (`mergeBacks`), RCA issue `rca`. */
function incidentView(github: GitHub, thread: unknown[], { mergeBacks = [] as unknown[], rca = RCA as unknown } = {}) {
  github.scope.get(GET.comments).reply(200, thread);
  github.scope.get(GET.mergeBacks).reply(200, mergeBacks);
  github.scope.get(GET.rcas).reply(200, [rca]);
}
const VIEW = incidentViewReads(7);

function writes(github: GitHub) {
  return github.requests.filter((r) => r.method !== "GET" && !r.path.includes("access_tokens")).map((r) => ({ method: r.method, path: r.path, body: r.body }));
}

/** The one reply the app posts on #7 when a command could not run. */
const refusal = (line: string, error: string) =>
  `mainline could not run this command from [your comment](${COMMENT_URL}):\n\n- \`${line}\`: ${error}\n\n<!-- mainline:reply source=9001 -->`;
const REPLY = { method: "POST", path: `${REPO_PATH}/issues/7/comments` };
const THUMBS_UP = { method: "POST", path: REACT, body: { content: "+1" } };

describe("/hotfix allow", () => {
  test("a maintainer's grant resolves the short SHA, writes the exception record, rewrites the ledger, and gets 👍", async () => {
    const record = exceptionRecordBody({ by: "octocat", at: "2026-11-20T12:00:00.000Z", expires: "2026-11-20T16:00:00.000Z" });
    const after = ledgerWithException({ by: "octocat", at: "2026-11-20T12:00:00.000Z", state: "active until 2026-11-20T16:00:00.000Z" });
    const github = mockGitHubWithConfig();
    commandStarts(github, { thread: [ledgerComment(LEDGER_BEFORE)] });
    github.scope.get(GET.commit("2222222")).reply(200, restCommit(S, "Retry payments"));
    incidentView(github, [ledgerComment(LEDGER_BEFORE)]);
    github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, restComment({ id: 73, issue: 7, body: record, createdAt: "2026-11-20T12:00:00Z" }));
    incidentView(github, [ledgerComment(LEDGER_BEFORE), restComment({ id: 73, issue: 7, body: record, createdAt: "2026-11-20T12:00:00Z" })]);
    github.scope.get(GET.deployments).reply(200, []);
    github.scope.patch(`${REPO_PATH}/issues/comments/70`).reply(200, ledgerComment(after));
    github.scope.post(REACT, { content: "+1" }).reply(201, {});

    await deliver(issueComment({ body: "/hotfix allow 2222222 production -- payments down", issue: INCIDENT }));

    expect(github.calls()).toEqual([
      ...commandStartCalls(),
      `GET ${GET.commit("2222222")}`,
      ...VIEW,
      `POST ${REPO_PATH}/issues/7/comments`,
      ...VIEW,
      `GET ${GET.deployments}`,
      `PATCH ${REPO_PATH}/issues/comments/70`,
      `POST ${REACT}`,
    ]);
    expect(writes(github)).toEqual([
      { ...REPLY, body: { body: record } },
      { method: "PATCH", path: `${REPO_PATH}/issues/comments/70`, body: { body: after } },
      THUMBS_UP,
    ]);
    github.done();
  });

  test("an unknown SHA is answered with a reply naming it, and nothing is recorded", async () => {
    const github = mockGitHubWithConfig();
    commandStarts(github);
    github.scope.get(GET.commit("abcdef1")).reply(422, { message: "No commit found for SHA: abcdef1", documentation_url: "https://docs.github.com/rest/commits/commits#get-a-commit" });
    github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, restComment({ id: 73, issue: 7, body: "x" }));

    await deliver(issueComment({ body: "/hotfix allow abcdef1 -- payments down", issue: INCIDENT }));

    expect(github.calls()).toEqual([...commandStartCalls(), `GET ${GET.commit("abcdef1")}`, `POST ${REPO_PATH}/issues/7/comments`]);
    expect(writes(github)).toEqual([{ ...REPLY, body: { body: refusal("/hotfix allow abcdef1 -- payments down", "`abcdef1` is not a commit in this repository") } }]);
    github.done();
  });
});

describe("/hotfix with override.approvals: 2", () => {
  test("the grant says it needs a second person's approval, and the ledger shows it waiting", async () => {
    const record = exceptionRecordBody({ by: "octocat", at: "2026-11-20T12:00:00.000Z", expires: "2026-11-20T16:00:00.000Z", second: true });
    const after = ledgerWithException({ by: "octocat", at: "2026-11-20T12:00:00.000Z", state: "awaiting approval" });
    const github = mockGitHubWithConfig(TWO_APPROVALS);
    commandStarts(github, { thread: [ledgerComment(LEDGER_BEFORE)] });
    github.scope.get(GET.commit("2222222")).reply(200, restCommit(S, "Retry payments"));
    incidentView(github, [ledgerComment(LEDGER_BEFORE)]);
    github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, restComment({ id: 73, issue: 7, body: record, createdAt: "2026-11-20T12:00:00Z" }));
    incidentView(github, [ledgerComment(LEDGER_BEFORE), restComment({ id: 73, issue: 7, body: record, createdAt: "2026-11-20T12:00:00Z" })]);
    github.scope.get(GET.deployments).reply(200, []);
    github.scope.patch(`${REPO_PATH}/issues/comments/70`).reply(200, ledgerComment(after));
    github.scope.post(REACT, { content: "+1" }).reply(201, {});

    await deliver(issueComment({ body: "/hotfix allow 2222222 production -- payments down", issue: INCIDENT }));

    expect(writes(github)).toEqual([
      { ...REPLY, body: { body: record } },
      { method: "PATCH", path: `${REPO_PATH}/issues/comments/70`, body: { body: after } },
      THUMBS_UP,
    ]);
    github.done();
  });

  test("the grantor's own /hotfix approve is refused: a second person must approve", async () => {
    const thread = [ledgerComment(ledgerWithException({ by: "alice", at: "2026-11-20T11:00:00.000Z", state: "awaiting approval" })), aliceGrant(true)];
    const github = mockGitHubWithConfig(TWO_APPROVALS);
    commandStarts(github, { login: "alice", thread });
    github.scope.get(GET.commit("2222222")).reply(200, restCommit(S, "Retry payments"));
    incidentView(github, thread);
    github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, restComment({ id: 73, issue: 7, body: "x" }));

    await deliver(issueComment({ body: "/hotfix approve 2222222", login: "alice", issue: INCIDENT }));

    expect(github.calls()).toEqual([...commandStartCalls("alice", CONFIG_IN_REPO), `GET ${GET.commit("2222222")}`, ...VIEW, `POST ${REPO_PATH}/issues/7/comments`]);
    expect(writes(github)).toEqual([{ ...REPLY, body: { body: refusal("/hotfix approve 2222222", "you granted this exception: a second person must approve it") } }]);
    github.done();
  });

  test("another maintainer's /hotfix approve writes the approval record, makes the exception active, and gets 👍", async () => {
    const thread = [ledgerComment(ledgerWithException({ by: "alice", at: "2026-11-20T11:00:00.000Z", state: "awaiting approval" })), aliceGrant(true)];
    const record = `🟢 Second approval by **bob**: the exception for \`2222222\` may now be used.\n\n<!-- mainline:approval sha=${S} by=bob at=2026-11-20T12%3A00%3A00.000Z source=9001 -->`;
    const approval = restComment({ id: 73, issue: 7, body: record, createdAt: "2026-11-20T12:00:00Z" });
    // The ledger names the approver next to the grantor.
    const after = ledgerWithException({ by: "alice**, approved by **bob", at: "2026-11-20T11:00:00.000Z", state: "active until 2026-11-20T15:00:00.000Z" });
    const github = mockGitHubWithConfig(TWO_APPROVALS);
    commandStarts(github, { login: "bob", thread });
    github.scope.get(GET.commit("2222222")).reply(200, restCommit(S, "Retry payments"));
    incidentView(github, thread);
    github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, approval);
    incidentView(github, [...thread, approval]);
    github.scope.get(GET.deployments).reply(200, []);
    github.scope.patch(`${REPO_PATH}/issues/comments/70`).reply(200, ledgerComment(after));
    github.scope.post(REACT, { content: "+1" }).reply(201, {});

    await deliver(issueComment({ body: "/hotfix approve 2222222", login: "bob", issue: INCIDENT }));

    expect(github.calls()).toEqual([
      ...commandStartCalls("bob", CONFIG_IN_REPO),
      `GET ${GET.commit("2222222")}`,
      ...VIEW,
      `POST ${REPO_PATH}/issues/7/comments`,
      ...VIEW,
      `GET ${GET.deployments}`,
      `PATCH ${REPO_PATH}/issues/comments/70`,
      `POST ${REACT}`,
    ]);
    expect(writes(github)).toEqual([
      { ...REPLY, body: { body: record } },
      { method: "PATCH", path: `${REPO_PATH}/issues/comments/70`, body: { body: after } },
      THUMBS_UP,
    ]);
    github.done();
  });
});

describe("/hotfix revoke", () => {
  test("an unused exception is withdrawn: the revoke record, the ledger, 👍", async () => {
    const thread = [ledgerComment(ledgerWithException({ by: "alice", at: "2026-11-20T11:00:00.000Z", state: "active until 2026-11-20T15:00:00.000Z" })), aliceGrant()];
    const record = `⚪ Exception for \`2222222\` withdrawn by **octocat**.\n\n<!-- mainline:revoke sha=${S} by=octocat at=2026-11-20T12%3A00%3A00.000Z source=9001 -->`;
    const revoke = restComment({ id: 73, issue: 7, body: record, createdAt: "2026-11-20T12:00:00Z" });
    const after = ledgerWithException({ by: "alice", at: "2026-11-20T11:00:00.000Z", state: "revoked" });
    const github = mockGitHubWithConfig();
    commandStarts(github, { thread });
    github.scope.get(GET.commit("2222222")).reply(200, restCommit(S, "Retry payments"));
    incidentView(github, thread);
    github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, revoke);
    incidentView(github, [...thread, revoke]);
    github.scope.get(GET.deployments).reply(200, []);
    github.scope.patch(`${REPO_PATH}/issues/comments/70`).reply(200, ledgerComment(after));
    github.scope.post(REACT, { content: "+1" }).reply(201, {});

    await deliver(issueComment({ body: "/hotfix revoke 2222222", issue: INCIDENT }));

    expect(writes(github)).toEqual([
      { ...REPLY, body: { body: record } },
      { method: "PATCH", path: `${REPO_PATH}/issues/comments/70`, body: { body: after } },
      THUMBS_UP,
    ]);
    github.done();
  });

  test("an exception a deployment already used is not withdrawn: the reply says so", async () => {
    const thread = [ledgerComment(LEDGER_BEFORE), aliceGrant(), DEPLOY_RECORD];
    const github = mockGitHubWithConfig();
    commandStarts(github, { thread });
    github.scope.get(GET.commit("2222222")).reply(200, restCommit(S, "Retry payments"));
    incidentView(github, thread);
    github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, restComment({ id: 73, issue: 7, body: "x" }));

    await deliver(issueComment({ body: "/hotfix revoke 2222222", issue: INCIDENT }));

    expect(github.calls()).toEqual([...commandStartCalls(), `GET ${GET.commit("2222222")}`, ...VIEW, `POST ${REPO_PATH}/issues/7/comments`]);
    expect(writes(github)).toEqual([
      { ...REPLY, body: { body: refusal("/hotfix revoke 2222222", "the exception for 2222222 was already used by a deployment and cannot be withdrawn") } },
    ]);
    github.done();
  });
});

describe("/incident force-close", () => {
  test("an admin's force-close records who and why, closes the incident over its blockers, and rewrites the ledger", async () => {
    const record =
      "⛔ Force-closed by **octocat**. Reason: we accept the risk. Closed over: " +
      'RCA #8: "Timeline", "Root cause", "Action items" have no content yet; RCA #8 is still open (close it when it is written).\n\n' +
      "<!-- mainline:force-close by=octocat at=2026-11-20T12%3A00%3A00.000Z reason=we%20accept%20the%20risk source=9001 -->";
    const forceClose = restComment({ id: 73, issue: 7, body: record, createdAt: "2026-11-20T12:00:00Z" });
    const after = ledgerText({ incident: 7, status: "**Status:** force-closed by **octocat** at 2026-11-20T12:00:00.000Z: we accept the risk", rca: RCA_ROW_UNWRITTEN(8) });
    const github = mockGitHubWithConfig();
    commandStarts(github, { role: "admin", thread: [ledgerComment(LEDGER_BEFORE)] });
    incidentView(github, [ledgerComment(LEDGER_BEFORE)]);
    github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, forceClose);
    github.scope.patch(`${REPO_PATH}/issues/7`).reply(200, restIssue({ ...INCIDENT, state: "closed", closedAt: "2026-11-20T12:00:01Z" }));
    github.scope.get(`${REPO_PATH}/issues/7`).reply(200, restIssue({ ...INCIDENT, state: "closed", closedAt: "2026-11-20T12:00:01Z" }));
    incidentView(github, [ledgerComment(LEDGER_BEFORE), forceClose]);
    github.scope.get(GET.deployments).reply(200, []);
    github.scope.patch(`${REPO_PATH}/issues/comments/70`).reply(200, ledgerComment(after));
    github.scope.post(REACT, { content: "+1" }).reply(201, {});

    await deliver(issueComment({ body: "/incident force-close we accept the risk", issue: INCIDENT }));

    expect(github.calls()).toEqual([
      ...commandStartCalls(),
      ...VIEW,
      `POST ${REPO_PATH}/issues/7/comments`,
      `PATCH ${REPO_PATH}/issues/7`,
      `GET ${REPO_PATH}/issues/7`,
      ...VIEW,
      `GET ${GET.deployments}`,
      `PATCH ${REPO_PATH}/issues/comments/70`,
      `POST ${REACT}`,
    ]);
    expect(writes(github)).toEqual([
      { ...REPLY, body: { body: record } },
      { method: "PATCH", path: `${REPO_PATH}/issues/7`, body: { state: "closed", state_reason: "completed" } },
      { method: "PATCH", path: `${REPO_PATH}/issues/comments/70`, body: { body: after } },
      THUMBS_UP,
    ]);
    github.done();
  });
});

describe("/merge-back", () => {
  test("a writer's /merge-back opens the merge-back issue with the SPEC's marker and label, and the ledger lists it", async () => {
    const body = mergeBackBody({ incident: 7, sha: S, how: "was marked for merge-back by hand in incident #7" });
    const issue = mergeBackIssue({ number: 9, incident: 7, sha: S, body, createdAt: "2026-11-20T12:00:00Z" });
    const after = ledgerText({
      incident: 7,
      status: `**Status:** cannot close yet (3 blocking):\n- merge-back #9: 2222222 is not on master yet\n${RCA_BLOCKERS_UNWRITTEN(8)}`,
      mergeBack: mergeBackTable({ issue: 9, commit: "2222222", state: "open, due 2026-11-21T12:00:00.000Z" }),
      rca: RCA_ROW_UNWRITTEN(8),
    });
    const github = mockGitHubWithConfig();
    commandStarts(github, { role: "write", thread: [ledgerComment(LEDGER_BEFORE)] });
    github.scope.get(GET.commit("2222222")).reply(200, restCommit(S, "Retry payments"));
    github.scope.get(GET.mergeBacks).reply(200, []);
    github.scope.post(`${REPO_PATH}/issues`).reply(201, issue);
    github.scope.get(GET.mergeBacks).reply(200, [issue]);
    incidentView(github, [ledgerComment(LEDGER_BEFORE)], { mergeBacks: [issue] });
    github.scope.get(GET.deployments).reply(200, []);
    github.scope.patch(`${REPO_PATH}/issues/comments/70`).reply(200, ledgerComment(after));
    github.scope.post(REACT, { content: "+1" }).reply(201, {});

    await deliver(issueComment({ body: "/merge-back 2222222", issue: INCIDENT }));

    expect(github.calls()).toEqual([
      ...commandStartCalls(),
      `GET ${GET.commit("2222222")}`,
      `GET ${GET.mergeBacks}`,
      `POST ${REPO_PATH}/issues`,
      `GET ${GET.mergeBacks}`,
      ...VIEW,
      `GET ${GET.deployments}`,
      `PATCH ${REPO_PATH}/issues/comments/70`,
      `POST ${REACT}`,
    ]);
    expect(body.startsWith(`<!-- mainline:merge-back incident=7 sha=${S} -->`)).toBe(true);
    expect(writes(github)).toEqual([
      { method: "POST", path: `${REPO_PATH}/issues`, body: { title: "Merge back 2222222 to master (incident #7)", body, labels: ["merge-back"], assignees: [] } },
      { method: "PATCH", path: `${REPO_PATH}/issues/comments/70`, body: { body: after } },
      THUMBS_UP,
    ]);
    github.done();
  });
});

describe("/incident close", () => {
  test("with nothing blocking it closes the incident as completed, the ledger says it is closed, and 👍", async () => {
    const doneLedger = ledgerText({ incident: 7, status: "**Status:** nothing blocks closing: `/incident close` closes it.", rca: "#8: done." });
    const closedLedger = ledgerText({ incident: 7, status: "**Status:** closed: its fixes are on main and its RCA is written.", rca: "#8: done." });
    const thread = [ledgerComment(doneLedger)];
    const github = mockGitHubWithConfig();
    commandStarts(github, { role: "write", thread });
    github.scope.get(GET.mergeBacks).reply(200, []);
    incidentView(github, thread, { rca: WRITTEN_RCA });
    github.scope.patch(`${REPO_PATH}/issues/7`).reply(200, restIssue({ ...INCIDENT, state: "closed", closedAt: "2026-11-20T12:00:00Z" }));
    github.scope.get(`${REPO_PATH}/issues/7`).reply(200, restIssue({ ...INCIDENT, state: "closed", closedAt: "2026-11-20T12:00:00Z" }));
    incidentView(github, thread, { rca: WRITTEN_RCA });
    github.scope.get(GET.deployments).reply(200, []);
    github.scope.patch(`${REPO_PATH}/issues/comments/70`).reply(200, restComment({ id: 70, issue: 7, body: closedLedger, updatedAt: "2026-11-20T12:00:00Z" }));
    github.scope.post(REACT, { content: "+1" }).reply(201, {});

    await deliver(issueComment({ body: "/incident close", issue: INCIDENT }));

    expect(github.calls()).toEqual([
      ...commandStartCalls(),
      `GET ${GET.mergeBacks}`,
      ...VIEW,
      `PATCH ${REPO_PATH}/issues/7`,
      `GET ${REPO_PATH}/issues/7`,
      ...VIEW,
      `GET ${GET.deployments}`,
      `PATCH ${REPO_PATH}/issues/comments/70`,
      `POST ${REACT}`,
    ]);
    expect(writes(github)).toEqual([
      { method: "PATCH", path: `${REPO_PATH}/issues/7`, body: { state: "closed", state_reason: "completed" } },
      { method: "PATCH", path: `${REPO_PATH}/issues/comments/70`, body: { body: closedLedger } },
      THUMBS_UP,
    ]);
    github.done();
  });

  test("with a blocker it stays open and the reply lists what blocks it", async () => {
    const thread = [ledgerComment(LEDGER_BEFORE)];
    const github = mockGitHubWithConfig();
    commandStarts(github, { role: "write", thread });
    github.scope.get(GET.mergeBacks).reply(200, []);
    incidentView(github, thread);
    github.scope.get(GET.deployments).reply(200, []);
    github.scope.post(`${REPO_PATH}/issues/7/comments`).reply(201, restComment({ id: 73, issue: 7, body: "x" }));

    await deliver(issueComment({ body: "/incident close", issue: INCIDENT }));

    expect(github.calls()).toEqual([...commandStartCalls(), `GET ${GET.mergeBacks}`, ...VIEW, `GET ${GET.deployments}`, `POST ${REPO_PATH}/issues/7/comments`]);
    expect(writes(github)).toEqual([
      {
        ...REPLY,
        body: {
          body: refusal(
            "/incident close",
            'this incident cannot close yet:\n  - RCA #8: "Timeline", "Root cause", "Action items" have no content yet\n  - RCA #8 is still open (close it when it is written)',
          ),
        },
      },
    ]);
    github.done();
  });
});
