import { INSTALLATION_ID, OWNER, REPO, validPayload, webhookRepository } from "../helpers/fixtures.js";
import { GitHubTestServer, isReadRequest, type Repository } from "../helpers/github-server.js";
import { renderRepository, renderUser } from "../helpers/github-server/render.js";
import { PUBLIC_KEY } from "../helpers/keys.js";
import { credentialsFor, startApp, WITHOUT_WRITE_SPACING, type RunningApp } from "../helpers/start-app.js";
import { storyWebhooks } from "../helpers/story-webhooks.js";

/**
 * SPEC 11, "Merged without review", through the real server (`npm start`) and the loopback GitHub:
 * alice (admin) pushes to main past branch protection; a post-merge review opens once, and only a
 * person other than alice with write access can finish it. The tests run in order, on one review.
 */
const sha = (c: string) => c.repeat(40);
const ROOT = sha("a");
const MAIN_HEAD = sha("b");
const DIRECT_1 = sha("1");
const DIRECT_2 = sha("2");
const FEATURE = sha("3");
const SQUASH = sha("e");

let github: GitHubTestServer;
let app: RunningApp;
let repo: Repository;
let hooks: ReturnType<typeof storyWebhooks>;
let review: number;
/** The first test's push to main, which later tests deliver again. */
let firstPush: ReturnType<typeof hooks.push>;

async function send([event, payload]: readonly [string, unknown], id?: string) {
  const before = github.log.length;
  const res = await app.deliverSettled(event, payload, id ? { id } : {});
  expect({ event, status: res.status, output: res.status === 200 ? "" : app.output().slice(-3000) }).toEqual({ event, status: 200, output: "" });
  return github.calls().slice(before);
}

const reviews = () => [...repo.issues.values()].filter((i) => i.labels.includes("post-merge-review"));
const appComments = (number: number) => [...repo.comments.values()].filter((c) => c.issue_number === number && c.user.type === "Bot");
const BOT = encodeURIComponent("mainline[bot]");
const RULE = "A post-merge review is done when a person with write access other than **alice**, who pushed the commits, closes it.";
const isRead = (call: string) => isReadRequest({ method: call.split(" ")[0]!, path: call.split(" ")[1]! });
/** What a delivery's `calls` read beyond the config (the token, `.github/mainline.yml` of the repository and the org): GETs and GraphQL queries. */
const readsOf = (calls: string[]) => calls.filter((c) => isRead(c) && !c.includes("/contents/"));
/** What a delivery's `calls` wrote (the token exchange aside). */
const writesOf = (calls: string[]) => calls.filter((c) => !isRead(c) && !c.endsWith("/access_tokens"));
/** How a delivery asked for the pushed commits' pull requests: REST's per-commit reads, or GraphQL queries. */
const pullReadsOf = (calls: string[]) => calls.filter((c) => c.endsWith("/graphql") || /\/commits\/[0-9a-f]{40}\/pulls/.test(c));
const reopenedFor = (issue: number) => `\n\n<!-- mainline:reopened closed=${encodeURIComponent(repo.issues.get(issue)!.closed_at ?? "")} -->`;

beforeAll(async () => {
  github = new GitHubTestServer(PUBLIC_KEY);
  await github.start();
  // A minute passes between any two things GitHub stamps: each close has a time of its own.
  let now = Date.parse("2026-11-20T09:00:00Z");
  github.clock = { now: () => new Date((now += 60_000)) };
  repo = github.addRepo(OWNER, REPO, "main");
  github.commit(repo, ROOT, null, "main");
  github.commit(repo, MAIN_HEAD, ROOT, "main");
  for (const [login, role] of [["alice", "admin"], ["bob", "write"], ["carol", "write"], ["tom", "triage"]] as const) github.setRole(repo, login, role);
  hooks = storyWebhooks(github, repo);
  app = await startApp({ ...credentialsFor(github.host), ...WITHOUT_WRITE_SPACING });
}, 30_000);

afterAll(async () => {
  await app?.stop();
  await github?.stop();
});

afterEach(() => expect(github.problems).toEqual([]));

test("a push to main that no pull request merged opens one post-merge review, listing the commits and the pusher", async () => {
  const push = hooks.push("main", "alice", [
    { sha: DIRECT_1, message: "Retry charges\n\nThe gateway drops the first attempt." },
    { sha: DIRECT_2, message: "Ping @bob: <b>longer</b> timeout" },
  ]);
  firstPush = push;
  const calls = await send(push);

  expect(reviews()).toHaveLength(1);
  const [issue] = reviews();
  review = issue!.number;
  expect(issue).toMatchObject({ title: "Post-merge review: 2222222…", state: "open", labels: ["post-merge-review"] });
  // Who pushed is the app's signed record heading the body (naming this repository and this issue); then what people read.
  const [recordLine, ...text] = issue!.body!.split("\n\n");
  expect(recordLine).toMatch(
    new RegExp(`^<!-- mainline:record kind=post-merge-review repo=${repo.id} incident=${review} after=${DIRECT_2} pusher=alice account=${github.user("alice").id} at=\\S+ sig=[0-9a-f]{64} -->$`),
  );
  expect(text).toEqual([
    "**alice** pushed to `main` commits that no pull request merged, so nobody reviewed them before they landed:",
    [
      `- [\`1111111\`](https://github.com/${OWNER}/${REPO}/commit/${DIRECT_1}) Retry charges`,
      `- [\`2222222\`](https://github.com/${OWNER}/${REPO}/commit/${DIRECT_2}) Ping @\u200bbob: &lt;b&gt;longer&lt;/b&gt; timeout`,
    ].join("\n"),
    `[The push's changes](https://github.com/${OWNER}/${REPO}/compare/${MAIN_HEAD.slice(0, 12)}...${DIRECT_2.slice(0, 12)}) · head \`2222222\``,
    "**To finish:** someone with write access other than **alice** reviews these commits and closes this issue. A close by **alice**, or by someone without write access, reopens it.",
  ]);
  expect(appComments(review)).toEqual([]);
  // The issue, then its record in its body (the record names the issue's number).
  expect(writesOf(calls)).toEqual([`POST /repos/${OWNER}/${REPO}/issues`, `PATCH /repos/${OWNER}/${REPO}/issues/${review}`]);
  // Beyond the config, the merge-back re-check every push to main runs (no open items: 1), then the review: the
  // commits' pull requests (1: one GraphQL query for both), the app's bot login (1, once per process: the creator of
  // its own issues), the app's issues before opening (1) and after, to look again (1).
  expect(pullReadsOf(calls)).toEqual(["POST /api/graphql"]);
  expect(readsOf(calls).length).toBeLessThanOrEqual(5);

  // Redelivered (the same delivery id, then a new one): no second issue, and the first is left as it was.
  const body = issue!.body;
  for (const id of ["push-again", "push-again-2"]) await send(push, id);
  expect(reviews()).toHaveLength(1);
  expect(repo.issues.get(review)!.body).toBe(body);
}, 60_000);

test("a push whose commits all came through pull requests opens nothing, at the cost of one read", async () => {
  github.commit(repo, FEATURE, DIRECT_2, "feature/refunds", "Refund partial payments");
  github.addPull(repo, { number: 50, head: "feature/refunds", base: "main", commits: [FEATURE], merged_at: "2026-11-20T10:00:00Z", merge_commit_sha: SQUASH });
  const before = reviews().length;

  const calls = await send(hooks.push("main", "bob", [{ sha: SQUASH, message: "Refund partial payments (#50)" }]));

  expect(reviews()).toHaveLength(before);
  expect(writesOf(calls)).toEqual([]);
  // Beyond the config (no merge-back item open): the merge-back re-check (1), and the one read of the review, the
  // commit's pull requests (1 GraphQL query). The app's own issues are not looked for.
  expect(pullReadsOf(calls)).toEqual(["POST /api/graphql"]);
  expect(readsOf(calls).length).toBeLessThanOrEqual(2);
  expect(calls.filter((c) => c.includes("creator="))).toEqual([]);
}, 30_000);

test("closed by the pusher: reopened, saying why", async () => {
  const close = hooks.issueClosed(review, "alice");
  const marker = reopenedFor(review);
  const calls = await send(close);

  expect(repo.issues.get(review)!.state).toBe("open");
  expect(appComments(review).at(-1)!.body).toBe(`🔁 Reopened: **alice** pushed these commits, so their close is not a review. ${RULE}${marker}`);
  expect(writesOf(calls).sort()).toEqual([`PATCH /repos/${OWNER}/${REPO}/issues/${review}`, `POST /repos/${OWNER}/${REPO}/issues/${review}/comments`].sort());
  // Who pushed is in the payload's body: no role is asked, and nothing read but the issue (is the close still the latest?) and its comments (said already?).
  expect(calls.filter((c) => c.includes("/collaborators/"))).toEqual([]);
  expect(readsOf(calls).length).toBeLessThanOrEqual(2);
}, 30_000);

test("the pusher edits the description to name someone else, then closes it: the record no longer holds, so it is reopened until the description is restored", async () => {
  const original = repo.issues.get(review)!.body!;
  await send(hooks.issueEdited(review, "alice", original.replaceAll("alice", "bob")));
  const close = hooks.issueClosed(review, "alice");
  const marker = reopenedFor(review);
  await send(close);

  expect(repo.issues.get(review)!.state).toBe("open");
  expect(appComments(review).at(-1)!.body).toBe(
    "🔁 Reopened: the first line of this issue's description is mainline's record of who pushed these commits, and an edit changed it, so mainline cannot tell whether this close counts. " +
      `Restore the description from its edit history ("edited" above it), then close the issue again.${marker}`,
  );
  await send(hooks.issueEdited(review, "alice", original));
}, 30_000);

test("closed by a triager: reopened, saying why", async () => {
  const close = hooks.issueClosed(review, "tom");
  const marker = reopenedFor(review);
  const calls = await send(close);

  expect(repo.issues.get(review)!.state).toBe("open");
  expect(appComments(review).at(-1)!.body).toBe(`🔁 Reopened: **tom** has the triage role here. ${RULE}${marker}`);
  expect(calls.filter((c) => c.includes("/collaborators/"))).toEqual([`GET /repos/${OWNER}/${REPO}/collaborators/tom/permission`]);

  // The same close delivered again neither reopens a later state nor repeats the reason.
  const comments = appComments(review).length;
  await send(close, "close-again");
  expect(appComments(review)).toHaveLength(comments);
}, 30_000);

test("closed by another writer: done, and it stays closed; the close is recorded once", async () => {
  const close = hooks.issueClosed(review, "carol");
  const closedAt = repo.issues.get(review)!.closed_at!;
  await send(close);

  expect(repo.issues.get(review)!.state).toBe("closed");
  const done = appComments(review).at(-1)!.body;
  expect(done).toMatch(
    new RegExp(`^<!-- mainline:record kind=post-merge-reviewed repo=${repo.id} incident=${review} by=carol account=${github.user("carol").id} role=write closed=${encodeURIComponent(closedAt)} sig=[0-9a-f]{64} -->\\n\\n`),
  );
  expect(done.split("\n\n")[1]).toBe("✅ Reviewed: **carol** (write) closed this post-merge review of **alice**'s push.");

  const comments = appComments(review).length;
  await send(close, "done-again");
  expect(appComments(review)).toHaveLength(comments);
  expect(repo.issues.get(review)!.state).toBe("closed");
}, 30_000);

test("in shadow mode a push that no pull request merged opens nothing: it is only said in the log", async () => {
  repo.files.set(".github/mainline.yml", "mode: shadow\n");
  const before = reviews().length;
  try {
    await send(hooks.push("main", "alice", [{ sha: sha("4"), message: "Tweak the timeout" }]));
  } finally {
    repo.files.delete(".github/mainline.yml");
  }
  expect(reviews()).toHaveLength(before);
  const line = "[shadow] enforce mode would open a post-merge review: a push to main carried commits no pull request merged";
  expect(await app.outputWith(line)).toContain(line);
}, 30_000);

test("a triager takes the label off the review, then the push is delivered again: the app finds its own issue, and no second review opens", async () => {
  await send(hooks.issueUnlabeled(review, "tom", "post-merge-review"));
  expect(repo.issues.get(review)!.labels).toEqual([]);
  const ownIssues = () => [...repo.issues.values()].filter((i) => i.user.type === "Bot").map((i) => i.number);
  const before = ownIssues();

  const calls = await send(firstPush, "push-after-unlabel");

  expect(ownIssues()).toEqual(before);
  expect(writesOf(calls)).toEqual([]);
  expect(calls).toContain(`GET /repos/${OWNER}/${REPO}/issues?creator=${BOT}&state=all&since=2024-01-01T00%3A00%3A00.000Z&per_page=100`);
}, 30_000);

/** The app's own close of `number` (what `/incident force-close` did), as GitHub's webhook tells it. */
const closedByApp = (number: number) =>
  [
    "issues",
    validPayload("issues", {
      action: "closed",
      issue: github.issueForWebhook(repo, number),
      repository: webhookRepository(renderRepository(github, repo)),
      sender: renderUser(github, github.app.bot),
      installation: { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMg==" },
    }),
  ] as const;

const RECORD_CHANGED =
  "🔁 Reopened: the first line of this issue's description is mainline's record of who pushed these commits, and an edit changed it, so mainline cannot tell whether this close counts. " +
  'Restore the description from its edit history ("edited" above it), then close the issue again.';

describe("a second push's review, which the pusher tries to end without a review", () => {
  let second: number;
  let original: string;

  beforeAll(async () => {
    await send(hooks.push("main", "alice", [{ sha: sha("6"), message: "Raise the pool size" }]));
    second = [...repo.issues.values()].find((i) => i.title === "Post-merge review: 6666666…")!.number;
    original = repo.issues.get(second)!.body!;
  }, 30_000);

  test("the label taken off and the record line deleted, then closed by the pusher: still the app's review, reopened until the description is restored", async () => {
    await send(hooks.issueUnlabeled(second, "tom", "post-merge-review"));
    await send(hooks.issueEdited(second, "alice", original.split("\n\n").slice(1).join("\n\n")));
    const close = hooks.issueClosed(second, "alice");
    const marker = reopenedFor(second);
    const calls = await send(close);

    expect(repo.issues.get(second)!.state).toBe("open");
    expect(appComments(second).map((c) => c.body)).toEqual([`${RECORD_CHANGED}${marker}`]);
    // As any reopen: the reopen, and the comment saying why; read: the issue (is the close still the latest?) and its comments (said already?).
    expect(writesOf(calls).sort()).toEqual([`PATCH /repos/${OWNER}/${REPO}/issues/${second}`, `POST /repos/${OWNER}/${REPO}/issues/${second}/comments`].sort());
    expect(readsOf(calls).length).toBeLessThanOrEqual(2);
    await send(hooks.issueEdited(second, "alice", original));
  }, 30_000);

  test("another review's description pasted over it, then closed by the pusher: its record names another issue, so it is reopened", async () => {
    await send(hooks.issueEdited(second, "alice", repo.issues.get(review)!.body!));
    const close = hooks.issueClosed(second, "alice");
    const marker = reopenedFor(second);
    await send(close);

    expect(repo.issues.get(second)!.state).toBe("open");
    expect(appComments(second).at(-1)!.body).toBe(`${RECORD_CHANGED}${marker}`);
    await send(hooks.issueEdited(second, "alice", original));
  }, 30_000);

  test("made an incident by a triager, then force-closed by the pusher (an admin): the app's close is no review, so it is reopened", async () => {
    // The force-close record carries the app's time, which must be the close's: GitHub's clock is the real one from here.
    github.clock = { now: () => new Date() };
    await send(hooks.issueLabeled(second, "tom", "incident"));
    await send(hooks.comment(second, "alice", "/incident force-close nothing to review"));
    expect(repo.issues.get(second)!.state).toBe("closed");
    const marker = reopenedFor(second);
    await send(closedByApp(second));

    expect(repo.issues.get(second)!.state).toBe("open");
    expect(appComments(second).at(-1)!.body).toBe(`🔁 Reopened: **mainline\\[bot\\]** is an app, not a person. ${RULE}${marker}`);

    // bob (write) closes it: the review is done, incident or not.
    await send(hooks.issueClosed(second, "bob"));
    expect(appComments(second).some((c) => c.body.includes("✅ Reviewed: **bob** (write) closed this post-merge review of **alice**'s push."))).toBe(true);
  }, 60_000);
});

describe("a third push's review, which people move out of the repository instead of reviewing it", () => {
  let third: number;
  let recordAt: string;
  let listed: string;
  const titled = "Post-merge review: 7777777…";
  const reviewsOfPush = () => [...repo.issues.values()].filter((i) => i.user.type === "Bot" && i.title === titled);
  /** The record heading a review's body, up to its time; and the text people read under it. */
  const recordOf = (number: number) => repo.issues.get(number)!.body!.split("\n\n")[0]!;
  const textOf = (number: number) => repo.issues.get(number)!.body!.split("\n\n").slice(1).join("\n\n");
  const openedAgain = (what: string) =>
    `🔁 ${what} A post-merge review stays in the repository the commits landed in until someone reviews them, so mainline opened it again here: the review is still to do.`;

  beforeAll(async () => {
    await send(hooks.push("main", "alice", [{ sha: sha("7"), message: "Drop the retry cap" }]));
    third = reviewsOfPush()[0]!.number;
    recordAt = / at=(\S+) /.exec(recordOf(third))![1]!;
    listed = textOf(third);
  }, 30_000);

  test("a writer transfers it to another repository: it opens here again, saying who moved it where; a redelivery opens no second", async () => {
    const elsewhere = github.addRepo(OWNER, "elsewhere", "main");
    const transfer = hooks.issueTransferred(third, "bob", elsewhere);
    const moved = (transfer[1] as { changes: { new_issue: { number: number; html_url: string } } }).changes.new_issue;
    const calls = await send(transfer);

    const [again, ...more] = reviewsOfPush();
    expect(more).toEqual([]);
    expect(again).toMatchObject({ state: "open", labels: ["post-merge-review"] });
    expect(again!.number).not.toBe(third);
    // The same push, pusher and time, signed for this issue: the close gate and the report take it as the review it replaces.
    expect(recordOf(again!.number)).toMatch(
      new RegExp(`^<!-- mainline:record kind=post-merge-review repo=${repo.id} incident=${again!.number} after=${sha("7")} pusher=alice account=${github.user("alice").id} at=${recordAt} sig=[0-9a-f]{64} -->$`),
    );
    expect(textOf(again!.number)).toBe(
      `${openedAgain(`**bob** transferred #${third}, the post-merge review of this push, to [${OWNER}/elsewhere\\#${moved.number}](${moved.html_url}).`)}\n\n${listed}`,
    );
    // Its writes: the issue and its record. Its reads: the moved issue's thread (through GitHub's redirect), the app's issues twice (before and after opening).
    const path = `/repos/${OWNER}/${REPO}`;
    expect(calls.filter((c) => !c.startsWith("GET "))).toEqual([`POST ${path}/issues`, `PATCH ${path}/issues/${again!.number}`]);
    expect(calls.filter((c) => !c.includes("/contents/") && !c.includes("/access_tokens")).length).toBeLessThanOrEqual(7);

    const redelivered = await send(transfer, "transfer-again");
    expect(reviewsOfPush().map((i) => i.number)).toEqual([again!.number]);
    expect(redelivered.filter((c) => !c.startsWith("GET "))).toEqual([]);
  }, 30_000);

  test("the pusher (an admin) deletes the review opened again: it opens again likewise, saying who deleted it, and only the latest move is told", async () => {
    const [current] = reviewsOfPush();
    const removal = hooks.issueDeleted(current!.number, "alice");
    await send(removal);

    const [again, ...more] = reviewsOfPush();
    expect(more).toEqual([]);
    expect(again).toMatchObject({ state: "open", labels: ["post-merge-review"] });
    expect(recordOf(again!.number)).toMatch(new RegExp(`^<!-- mainline:record kind=post-merge-review repo=${repo.id} incident=${again!.number} after=${sha("7")} pusher=alice .* at=${recordAt} sig=`));
    expect(textOf(again!.number)).toBe(`${openedAgain(`**alice** deleted #${current!.number}, the post-merge review of this push.`)}\n\n${listed}`);

    await send(removal, "delete-again");
    expect(reviewsOfPush().map((i) => i.number)).toEqual([again!.number]);
  }, 30_000);

  test("it is a review like the first: the pusher's close reopens it, a writer's finishes it, and a done review transferred opens nothing", async () => {
    const [current] = reviewsOfPush();
    await send(hooks.issueClosed(current!.number, "alice"));
    expect(repo.issues.get(current!.number)!.state).toBe("open");
    await send(hooks.issueClosed(current!.number, "carol"));
    expect(appComments(current!.number).at(-1)!.body).toContain("✅ Reviewed: **carol** (write) closed this post-merge review of **alice**'s push.");

    const calls = await send(hooks.issueTransferred(current!.number, "bob", github.addRepo(OWNER, "archive", "main")));
    expect(reviewsOfPush()).toEqual([]);
    expect(calls.filter((c) => !c.startsWith("GET "))).toEqual([]);
  }, 30_000);
});

test("a push of 25 commits no pull request merged: one query asks about the newest 20 (the head among them), and the review says 5 were not checked", async () => {
  const commits = Array.from({ length: 25 }, (_, i) => ({ sha: `c0ffee${i.toString(16).padStart(2, "0")}`.padEnd(40, "9"), message: `Direct change ${i}` }));
  const head = commits.at(-1)!.sha;
  const before = github.log.length;

  const calls = await send(hooks.push("main", "alice", commits));

  expect(pullReadsOf(calls)).toEqual(["POST /api/graphql"]);
  const query = github.log.slice(before).find((r) => r.path === "/api/graphql")!.body as { variables: Record<string, string> };
  const { owner: _owner, name: _name, ...asked } = query.variables;
  expect(Object.values(asked).sort()).toEqual(commits.slice(-20).map((c) => c.sha).sort());
  const opened = reviews().find((i) => i.title === `Post-merge review: ${head.slice(0, 7)}…`);
  expect(opened?.body).toContain("- and 5 older commits of this push, not checked (mainline asks about the newest 20 of a push): review them too");
  expect(opened?.body).toContain(`[\`${head.slice(0, 7)}\`]`);
}, 30_000);
