import { OWNER } from "../helpers/fixtures.js";
import { GitHubTestServer, type Repository } from "../helpers/github-server.js";
import { PUBLIC_KEY } from "../helpers/keys.js";
import { credentialsFor, startApp, WITHOUT_WRITE_SPACING, type RunningApp } from "../helpers/start-app.js";
import { storyWebhooks } from "../helpers/story-webhooks.js";

/**
 * A writer transfers an incident to another repository (SPEC 8): its comments, mainline's records
 * among them, go with it and count nowhere. Its exception deploys must still count for the hotfix
 * budget (SPEC 11), so the app keeps them in an issue of its own here. Told through the real
 * server (`npm start`) and the loopback GitHub, event by event.
 */
const sha = (c: string) => c.repeat(40);
const ROOT = sha("a");
const MAIN_HEAD = sha("b");
const FIX_1 = sha("1");
const FIX_2 = sha("2");
const PATCH = "diff --git a/pay.js b/pay.js\n--- a/pay.js\n+++ b/pay.js\n@@ -1 +1 @@\n-charge()\n+charge({ retry: true })\n";

let github: GitHubTestServer;
let app: RunningApp;
let repos = 0;

beforeAll(async () => {
  github = new GitHubTestServer(PUBLIC_KEY);
  await github.start();
  app = await startApp({ ...credentialsFor(github.host), ...WITHOUT_WRITE_SPACING });
}, 30_000);

afterAll(async () => {
  await app?.stop();
  await github?.stop();
});

afterEach(() => expect(github.problems).toEqual([]));

/** A repository with a hotfix budget of one deploy in 30 days and two fixes off main; alice and carol maintainers, bob a writer, tess a triager. */
function repository() {
  const repo: Repository = github.addRepo(OWNER, `transfer-${++repos}`, "main");
  repo.files.set(".github/mainline.yml", "environments: [production]\nhotfix:\n  budget: { count: 1, days: 30 }\n");
  github.commit(repo, ROOT, null, "main");
  github.commit(repo, MAIN_HEAD, ROOT, "main");
  github.commit(repo, FIX_1, MAIN_HEAD, "hotfix/one", "Retry charges", PATCH);
  github.commit(repo, FIX_2, MAIN_HEAD, "hotfix/two", "Retry charges again", PATCH);
  for (const [login, role] of [["alice", "maintain"], ["carol", "maintain"], ["bob", "write"], ["tess", "triage"]] as const) github.setRole(repo, login, role);
  const elsewhere = github.addRepo(OWNER, `transfer-${repos}-elsewhere`, "main");
  // Not among the repositories the app is installed on: an issue moved there is gone from its sight (its old address answers 404).
  const secret = github.addRepo(OWNER, `transfer-${repos}-secret`, "main");
  secret.appCannotRead = true;
  const hooks = storyWebhooks(github, repo, 300 + repos);
  let runs = 2000 * repos;
  const send = async ([event, payload]: readonly [string, unknown]) => {
    const res = await app.deliverSettled(event, payload);
    expect({ event, status: res.status, output: res.status === 200 ? "" : app.output().slice(-3000) }).toEqual({ event, status: 200, output: "" });
  };
  const appComments = (number: number) => [...repo.comments.values()].filter((c) => c.issue_number === number && c.user.type === "Bot");
  return {
    repo,
    elsewhere,
    secret,
    hooks,
    send,
    appComments,
    records: (number: number, kind: string) => appComments(number).filter((c) => c.body.startsWith(`<!-- mainline:record kind=${kind} `)),
    /** The issues the app opened titled so. */
    appIssues: (title: string) => [...repo.issues.values()].filter((i) => i.user.type === "Bot" && i.title === title),
    async say(number: number, login: string, body: string) {
      const [event, payload] = hooks.comment(number, login, body);
      await send([event, payload]);
      return (payload as { comment: { id: number } }).comment.id;
    },
    replyTo: (number: number, commentId: number) => appComments(number).find((c) => c.body.includes(`<!-- mainline:reply source=${commentId} -->`))?.body,
    async incident(title: string) {
      const number = github.userIssue(repo, { title, login: "tess" }).number;
      await send(hooks.issueLabeled(number, "tess", "incident"));
      return number;
    },
    async gate(commit: string) {
      const runId = ++runs;
      await send(hooks.protectionRule(commit, "production", runId, "bob"));
      return repo.protectionRuleAnswers.find((a) => a.runId === runId)?.state;
    },
  };
}

test("a writer transfers an incident that had an exception deploy: it still counts for the budget, and a redelivery opens no second issue", async () => {
  const r = repository();
  const first = await r.incident("Login loops");
  await r.say(first, "alice", `/hotfix allow ${FIX_1} production -- sessions expire at once`);
  expect(await r.gate(FIX_1)).toBe("approved");
  const [deploy] = r.records(first, "deploy");
  const deployment = Number(/ deployment=(\d+) /.exec(deploy!.body)![1]);

  // bob, a writer, moves the incident away: its records go with it.
  const transfer = r.hooks.issueTransferred(first, "bob", r.elsewhere);
  const before = github.calls().length;
  await r.send(transfer);
  const transferCalls = github.calls().slice(before);
  const moved = [...r.elsewhere.issues.values()].find((i) => i.title === "Login loops")!;
  expect(r.records(first, "deploy")).toEqual([]);

  // One issue of the app keeps the deploy here, saying who moved the incident and where; no incident label.
  const [trail, ...more] = r.appIssues(`Incident #${first} left this repository`);
  expect(more).toEqual([]);
  expect(trail!.labels).toEqual([]);
  const [head, ...text] = trail!.body!.split("\n");
  expect(head).toMatch(new RegExp(`^<!-- mainline:record kind=transfer repo=${r.repo.id} incident=${first} moved=${first} by=bob to=${OWNER}%2F${r.elsewhere.name} at=\\S+ sig=[0-9a-f]{64} -->$`));
  expect(text.join("\n")).toMatch(
    new RegExp(
      `^\\nIncident #${first} left this repository: \\*\\*bob\\*\\* transferred it to \\[${OWNER}/${r.elsewhere.name}\\\\#${moved.number}\\]\\(https://github.com/${OWNER}/${r.elsewhere.name}/issues/${moved.number}\\)\\. ` +
        "Its comments went with it, mainline's records among them, and a record counts only in the repository it was written in: there they count for nothing\\.\\n\\n" +
        "The incident's exception deploys happened here all the same\\. mainline wrote their records again below, so that the hotfix budget \\(`hotfix\\.budget`\\) and `/mainline report` keep counting them:\\n\\n" +
        `- \`1111111\` to production, deployment ${deployment}: let through at \\S+ \\(no success reported\\)\\n\\n` +
        "Close this issue whenever you like: open or closed, the records below count\\.$",
    ),
  );
  // What it cost: the exception's check run ended, the issue opened, the record written; reading the thread, the check runs and the app's issues (twice: a concurrent delivery may have opened one too).
  const path = `/repos/${OWNER}/${r.repo.name}`;
  expect(transferCalls.filter((c) => !c.startsWith("GET ")).map((c) => c.replace(/check-runs\/\d+$/, "check-runs/N"))).toEqual([
    `PATCH ${path}/check-runs/N`,
    `POST ${path}/issues`,
    `POST ${path}/issues/${trail!.number}/comments`,
  ]);
  expect(transferCalls.length).toBeLessThanOrEqual(9);
  const [copy, ...others] = r.appComments(trail!.number);
  expect(others).toEqual([]);
  expect(copy!.body).toMatch(new RegExp(`^<!-- mainline:record kind=deploy repo=${r.repo.id} incident=${first} sha=${FIX_1} env=production deployment=${deployment} at=\\S+ issue=\\d+ sig=[0-9a-f]{64} -->\\n\\n`));
  expect(copy!.body).toContain(`🚀 \`1111111\` was let through to production under an exception in incident #${first} (deployment ${deployment}): its record, written here again when #${first} left this repository.`);

  // The budget still counts it: the next exception needs a second person.
  const next = await r.incident("Search is down");
  await r.say(next, "alice", `/hotfix allow ${FIX_2} production -- search index is corrupt`);
  const [grant] = r.records(next, "exception");
  expect(grant!.body.split("\n")[0]).toMatch(/ approvals=2 sig=/);
  expect(grant!.body).toContain("This repository already had 1 exception deploy in the last 30 days, the `hotfix.budget` (1)");
  expect(await r.gate(FIX_2)).toBe("rejected");

  // GitHub delivers the transfer again: no second issue, no second copy.
  const again = github.calls().length;
  await r.send(transfer);
  const redeliveryCalls = github.calls().slice(again);
  expect(r.appIssues(`Incident #${first} left this repository`).map((i) => i.number)).toEqual([trail!.number]);
  expect(r.appComments(trail!.number).map((c) => c.id)).toEqual([copy!.id]);
  expect(redeliveryCalls.filter((c) => !c.startsWith("GET "))).toEqual([]);
  expect(redeliveryCalls.length).toBeLessThanOrEqual(6);

  // The trail is no incident, and the report counts one incident, not the trail.
  const inTrail = await r.say(trail!.number, "alice", `/hotfix allow ${FIX_2} production -- try here`);
  expect(r.replyTo(trail!.number, inTrail)).toContain("this command works only in an incident");
  const report = await r.say(next, "alice", "/mainline report");
  const body = r.replyTo(next, report);
  expect(body).toContain("| Incidents | 1 (1 still open) |");
  expect(body).not.toContain(`#${trail!.number}`);

  // bob deletes the kept copy: it is written back where it stood, and the issue says who deleted it.
  await r.send(r.hooks.commentDeleted(copy!.id, "bob"));
  const restored = r.records(trail!.number, "deploy");
  expect(restored.map((c) => c.body)).toEqual([copy!.body]);
  expect(r.appComments(trail!.number).filter((c) => c.body.includes("<!-- mainline:tamper-notice "))).toEqual([
    expect.objectContaining({ body: expect.stringContaining("⚠️ **bob** deleted one of mainline's comments") }),
  ]);
}, 90_000);

test("the issue keeping the deploys is transferred too: a new one keeps them; an incident without exception deploys leaves none; one moved where the app cannot read leaves the budget unverified", async () => {
  const r = repository();
  const first = await r.incident("Login loops");
  await r.say(first, "alice", `/hotfix allow ${FIX_1} production -- sessions expire at once`);
  expect(await r.gate(FIX_1)).toBe("approved");
  await r.send(r.hooks.issueTransferred(first, "bob", r.elsewhere));
  const [trail] = r.appIssues(`Incident #${first} left this repository`);

  await r.send(r.hooks.issueTransferred(trail!.number, "bob", r.elsewhere));
  const [again, ...more] = r.appIssues(`Incident #${first} left this repository`);
  expect(more).toEqual([]);
  expect(again!.number).not.toBe(trail!.number);
  expect(again!.body).toContain(`#${trail!.number}, which kept the exception deploys of incident #${first} here, left this repository: **bob** transferred it to`);
  expect(r.records(again!.number, "deploy").map((c) => c.body.split(" ").slice(0, 5).join(" "))).toEqual([`<!-- mainline:record kind=deploy repo=${r.repo.id} incident=${first}`]);

  const next = await r.incident("Search is down");
  await r.say(next, "alice", `/hotfix allow ${FIX_2} production -- search index is corrupt`);
  expect(r.records(next, "exception")[0]!.body.split("\n")[0]).toMatch(/ approvals=2 sig=/);

  // An incident that never deployed under an exception takes nothing the budget counts: no issue for it.
  await r.send(r.hooks.issueTransferred(next, "bob", r.elsewhere));
  expect(r.appIssues(`Incident #${next} left this repository`)).toEqual([]);

  // An incident whose exception let FIX_1 through moves to a repository the app cannot read: GitHub answers its old address 404.
  const third = await r.incident("Checkout fails");
  await r.say(third, "alice", `/hotfix allow ${FIX_1} production -- cards are declined`);
  await r.say(third, "carol", `/hotfix approve ${FIX_1}`);
  expect(await r.gate(FIX_1)).toBe("approved");
  const hidden = r.hooks.issueTransferred(third, "bob", r.secret);
  const before = github.calls().length;
  await r.send(hidden);
  const hiddenCalls = github.calls().slice(before);
  // The delivery succeeds; the exception is honoured no more (the gate asks whether its incident is an open issue here).
  expect(await r.gate(FIX_1)).toBe("rejected");
  // An issue of the app says what left unread, and its record makes the budget unverifiable for its days.
  const [left, ...others] = r.appIssues(`Issue #${third} left this repository unread`);
  expect(others).toEqual([]);
  expect(left!.labels).toEqual([]);
  expect(left!.body!.split("\n")[0]).toMatch(new RegExp(`^<!-- mainline:record kind=transfer repo=${r.repo.id} incident=${third} moved=${third} by=bob to=${OWNER}%2F${r.secret.name} at=\\S+ sig=[0-9a-f]{64} -->$`));
  expect(left!.body).toContain(`#${third} left this repository: **bob** transferred it to [${OWNER}/${r.secret.name}\\#`);
  expect(left!.body).toContain("a repository mainline cannot read (its app is not installed on it), so mainline could not see what it held.");
  expect(left!.body).toContain("Labels are views: mainline cannot know it was not, so any issue that leaves this way counts.");
  const [unread, ...otherComments] = r.appComments(left!.number);
  expect(otherComments).toEqual([]);
  expect(unread!.body).toMatch(new RegExp(`^<!-- mainline:record kind=unread-transfer repo=${r.repo.id} incident=${third} by=bob to=${OWNER}%2F${r.secret.name} at=\\S+ read=none sig=[0-9a-f]{64} -->\n\n⚠️ #${third} left this repository unread: \\*\\*bob\\*\\*`));
  const path = `/repos/${OWNER}/${r.repo.name}`;
  expect(hiddenCalls.filter((c) => !c.startsWith("GET "))).toEqual([`POST ${path}/issues`, `POST ${path}/issues/${left!.number}/comments`]);
  expect(hiddenCalls.length).toBeLessThanOrEqual(7);

  // A redelivery finds both: nothing written twice.
  const redelivered = github.calls().length;
  await r.send(hidden);
  expect(github.calls().slice(redelivered).filter((c) => !c.startsWith("GET "))).toEqual([]);
  expect(r.appIssues(`Issue #${third} left this repository unread`).map((i) => i.number)).toEqual([left!.number]);
  expect(r.appComments(left!.number).map((c) => c.id)).toEqual([unread!.id]);

  // The next grant needs a second person, and says why.
  const fourth = await r.incident("Refunds fail");
  await r.say(fourth, "alice", `/hotfix allow ${FIX_2} production -- refunds time out`);
  const [grant] = r.records(fourth, "exception");
  expect(grant!.body.split("\n")[0]).toMatch(/ approvals=2 sig=/);
  expect(grant!.body).toMatch(
    new RegExp(
      `It needs a second person's \`/hotfix approve 2222222\` before it can be used\\. An issue moved on \\d{4}-\\d{2}-\\d{2} to a repository mainline cannot read ` +
        `\\(#${third}, to ${OWNER}/${r.secret.name}, by \\*\\*bob\\*\\*\\) may have held exception deploys, so until \\d{4}-\\d{2}-\\d{2} mainline cannot tell that the \`hotfix\\.budget\` \\(1\\) is not spent\\.$`,
    ),
  );
}, 180_000);
