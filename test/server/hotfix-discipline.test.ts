import { OWNER } from "../helpers/fixtures.js";
import { GitHubTestServer, type Repository } from "../helpers/github-server.js";
import { PUBLIC_KEY } from "../helpers/keys.js";
import { credentialsFor, startApp, WITHOUT_WRITE_SPACING, type RunningApp } from "../helpers/start-app.js";
import { storyWebhooks } from "../helpers/story-webhooks.js";

/**
 * Hotfix discipline (SPEC 11), told through the real server (`npm start`) and the loopback GitHub:
 * what qualifies as a hotfix, how small it must be, and how many are too many. Every webhook is
 * what GitHub would send for what the people (and the app) did just before; each repository has
 * its own `.github/mainline.yml`.
 */
const sha = (c: string) => c.repeat(40);
const ROOT = sha("a");
const MAIN_HEAD = sha("b");
const FIX_1 = sha("1");
const FIX_2 = sha("2");
/** A two-line fix: one line deleted, one added. */
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

/** A repository with `config`, main (ROOT → MAIN_HEAD) and two fixes off it; alice and carol maintainers, bob a writer, tess a triager. */
function repository(config: string) {
  const repo: Repository = github.addRepo(OWNER, `discipline-${++repos}`, "main");
  repo.files.set(".github/mainline.yml", config);
  github.commit(repo, ROOT, null, "main");
  github.commit(repo, MAIN_HEAD, ROOT, "main");
  github.commit(repo, FIX_1, MAIN_HEAD, "hotfix/one", "Retry charges", PATCH);
  github.commit(repo, FIX_2, MAIN_HEAD, "hotfix/two", "Retry charges again", PATCH);
  for (const [login, role] of [["alice", "maintain"], ["carol", "maintain"], ["bob", "write"], ["tess", "triage"]] as const) github.setRole(repo, login, role);
  const hooks = storyWebhooks(github, repo, 200 + repos);
  let runs = 1000 * repos;
  const send = async ([event, payload]: readonly [string, unknown]) => {
    const res = await app.deliverSettled(event, payload);
    expect({ event, status: res.status, output: res.status === 200 ? "" : app.output().slice(-3000) }).toEqual({ event, status: 200, output: "" });
  };
  const appComments = (number: number) => [...repo.comments.values()].filter((c) => c.issue_number === number && c.user.type === "Bot");
  return {
    repo,
    hooks,
    send,
    appComments,
    ledger: (number: number) => appComments(number).find((c) => c.body.startsWith("<!-- mainline:ledger"))!.body,
    records: (number: number, kind: string) => appComments(number).filter((c) => c.body.startsWith(`<!-- mainline:record kind=${kind} `)),
    /** Someone comments on `number`; returns the comment's id. */
    async say(number: number, login: string, body: string) {
      const [event, payload] = hooks.comment(number, login, body);
      await send([event, payload]);
      return (payload as { comment: { id: number } }).comment.id;
    },
    replyTo: (number: number, commentId: number) => appComments(number).find((c) => c.body.includes(`<!-- mainline:reply source=${commentId} -->`))?.body,
    thumbsUp: (commentId: number) => repo.comments.get(commentId)!.reactions.filter((r) => r.content === "+1").map((r) => r.user.login),
    /** tess opens an issue and labels it an incident. */
    async incident(title: string) {
      const number = github.userIssue(repo, { title, login: "tess" }).number;
      await send(hooks.issueLabeled(number, "tess", "incident"));
      return number;
    },
    /** GitHub Actions asks the gate about (commit, production); returns what the app answered. */
    async gate(commit: string) {
      const runId = ++runs;
      await send(hooks.protectionRule(commit, "production", runId, "bob"));
      return repo.protectionRuleAnswers.find((a) => a.runId === runId)?.state;
    },
    exceptionTitles: (commit: string) => [...(repo.checkRuns?.values() ?? [])].filter((r) => r.head_sha === commit && r.name === "mainline/exception").map((r) => r.output.title),
  };
}

test("criteria and a fix over maxChangedLines: the list when no criterion leads the reason; then a second person, and the grantor is not one", async () => {
  const r = repository('environments: [production]\nhotfix:\n  criteria: ["security", "outage"]\n  maxChangedLines: 1\n');
  const incident = await r.incident("Checkout returns 500");

  // No criterion: the reply lists them, nothing is granted.
  const vague = await r.say(incident, "alice", `/hotfix allow ${FIX_1.slice(0, 7)} production -- checkout is down`);
  expect(r.replyTo(incident, vague)).toContain(
    "the reason must begin with what makes this a hotfix, one of this repository's `hotfix.criteria`: `security`, `outage`; for example `-- security: <what is broken>`",
  );
  expect(r.thumbsUp(vague)).toEqual([]);
  expect(r.records(incident, "exception")).toEqual([]);
  expect(await r.gate(FIX_1)).toBe("rejected");

  // With one: granted, but the fix is 2 lines and the limit 1, so it waits for a second person, everywhere.
  const granted = await r.say(incident, "alice", `/hotfix allow ${FIX_1.slice(0, 7)} production -- outage: checkout is down`);
  expect(r.thumbsUp(granted)).toEqual(["mainline[bot]"]);
  const [record] = r.records(incident, "exception");
  expect(record!.body.split("\n")[0]).toMatch(/ criterion=outage approvals=2 sig=/);
  expect(record!.body).toContain(
    "Reason: outage: checkout is down. It needs a second person's `/hotfix approve 1111111` before it can be used. " +
      "Its change against main is 2 lines (added + deleted), more than `hotfix.maxChangedLines` allows (1).",
  );
  expect(r.ledger(incident)).toContain("| commit | environment | granted | criterion | reason | state |");
  expect(r.ledger(incident)).toMatch(/\| `1111111` \| production \| \*\*alice\*\* at \S+ \| outage \| outage: checkout is down \| awaiting approval \|/);
  expect(r.exceptionTitles(FIX_1)).toEqual(["Exception awaiting approval"]);
  expect(await r.gate(FIX_1)).toBe("rejected");

  // The grantor cannot be the second person.
  const own = await r.say(incident, "alice", `/hotfix approve ${FIX_1.slice(0, 7)}`);
  expect(r.replyTo(incident, own)).toContain("you granted this exception: a second person must approve it");
  expect(await r.gate(FIX_1)).toBe("rejected");

  // carol is: the exception is in force, and the deploy goes through under it.
  const second = await r.say(incident, "carol", `/hotfix approve ${FIX_1.slice(0, 7)}`);
  expect(r.thumbsUp(second)).toEqual(["mainline[bot]"]);
  expect(r.exceptionTitles(FIX_1)).toEqual(["Exception active"]);
  expect(r.ledger(incident)).toMatch(/\| \*\*alice\*\*, approved by \*\*carol\*\* at \S+ \| outage \| outage: checkout is down \| active until /);
  expect(await r.gate(FIX_1)).toBe("approved");
  expect(r.ledger(incident)).toMatch(/\| outage \| outage: checkout is down \| used: deployment \d+ allowed at /);
}, 90_000);

test("the budget: past `count` exception deploys and grants not yet used in `days`, every new exception needs a second person, even once the first incident lost its label", async () => {
  const r = repository("environments: [production]\nhotfix:\n  budget: { count: 1, days: 30 }\n");

  // The first hotfixes of the month, two lines of one comment: the first needs one person; the second
  // sees the first, a grant not yet used being a deploy to come, so it needs two.
  const first = await r.incident("Login loops");
  await r.say(first, "alice", `/hotfix allow ${FIX_1} production -- sessions expire at once\n/hotfix allow ${FIX_2} production -- tokens leak`);
  const [firstGrant, secondGrant] = r.records(first, "exception");
  expect(firstGrant!.body.split("\n")[0]).toMatch(/ approvals=1 sig=/);
  expect(firstGrant!.body).not.toContain("second person");
  expect(secondGrant!.body.split("\n")[0]).toMatch(/ approvals=2 sig=/);
  expect(secondGrant!.body).toContain(
    "It needs a second person's `/hotfix approve 2222222` before it can be used. " +
      "This repository already had 1 exception granted and not yet used in the last 30 days, the `hotfix.budget` (1): hotfixes have become a habit (`/mainline report` shows the trend).",
  );
  expect(await r.gate(FIX_2)).toBe("rejected");
  // Withdrawn, it is no deploy to come; FIX_1's grant, used, is a deploy.
  await r.say(first, "alice", `/hotfix revoke ${FIX_2}`);
  expect(await r.gate(FIX_1)).toBe("approved");

  // A triager takes the label off: labels are views, the deploy record still counts.
  await r.send(r.hooks.issueUnlabeled(first, "tess", "incident"));

  const next = await r.incident("Search is down");
  const granted = await r.say(next, "alice", `/hotfix allow ${FIX_2} production -- search index is corrupt`);
  expect(r.thumbsUp(granted)).toEqual(["mainline[bot]"]);
  const [grant] = r.records(next, "exception");
  expect(grant!.body.split("\n")[0]).toMatch(/ approvals=2 sig=/);
  expect(grant!.body).toContain(
    "It needs a second person's `/hotfix approve 2222222` before it can be used. " +
      "This repository already had 1 exception deploy in the last 30 days, the `hotfix.budget` (1): hotfixes have become a habit (`/mainline report` shows the trend).",
  );
  expect(r.ledger(next)).toMatch(/\| `2222222` \| production \| \*\*alice\*\* at \S+ \| search index is corrupt \| awaiting approval \|/);
  expect(await r.gate(FIX_2)).toBe("rejected");

  const own = await r.say(next, "alice", `/hotfix approve ${FIX_2}`);
  expect(r.replyTo(next, own)).toContain("you granted this exception: a second person must approve it");
  expect(await r.gate(FIX_2)).toBe("rejected");

  await r.say(next, "carol", `/hotfix approve ${FIX_2}`);
  expect(await r.gate(FIX_2)).toBe("approved");
}, 90_000);

test("a fix that changes files GitHub counts no lines in (a binary, a `-diff` file) could be of any size: it needs a second person, saying why", async () => {
  const r = repository("environments: [production]\nhotfix:\n  maxChangedLines: 50\n");
  const FIX = sha("3");
  const RENAME = "diff --git a/old.js b/new.js\nsimilarity index 100%\nrename from old.js\nrename to new.js\n";
  const BINARY = "diff --git a/vendor/pay.wasm b/vendor/pay.wasm\nindex 1111111..2222222 100644\nBinary files a/vendor/pay.wasm and b/vendor/pay.wasm differ\n";
  github.commit(r.repo, sha("4"), MAIN_HEAD, "hotfix/rename", "Rename only", RENAME);
  github.commit(r.repo, FIX, sha("4"), "hotfix/rename", "Swap the payment module", `${PATCH}${BINARY}`);
  const incident = await r.incident("Checkout returns 500");

  await r.say(incident, "alice", `/hotfix allow ${FIX.slice(0, 7)} production -- swap the module`);
  const [record] = r.records(incident, "exception");
  expect(record!.body.split("\n")[0]).toMatch(/ approvals=2 sig=/);
  expect(record!.body).toContain(
    "It needs a second person's `/hotfix approve 3333333` before it can be used. " +
      "mainline could not count the lines it changes against main (GitHub gives no line count for 1 of its files, binary or not shown as a diff), " +
      "so it cannot tell that it is within `hotfix.maxChangedLines` (50).",
  );
  expect(await r.gate(FIX)).toBe("rejected");

  // A pure rename changes no line: a fix of 2 lines and a rename is within the limit, one person's grant.
  const renamed = sha("5");
  github.commit(r.repo, renamed, sha("4"), "hotfix/renamed", "Retry charges after the rename", PATCH);
  const other = await r.incident("Refunds fail");
  await r.say(other, "alice", `/hotfix allow ${renamed.slice(0, 7)} production -- retry charges`);
  const [small] = r.records(other, "exception");
  expect(small!.body.split("\n")[0]).toMatch(/ approvals=1 sig=/);
  expect(small!.body).not.toContain("second person");
}, 90_000);
