import { OWNER, REPO } from "../helpers/fixtures.js";
import { GitHubTestServer, isReadRequest, type Repository } from "../helpers/github-server.js";
import { PUBLIC_KEY } from "../helpers/keys.js";
import { credentialsFor, startApp, type RunningApp } from "../helpers/start-app.js";
import { storyWebhooks } from "../helpers/story-webhooks.js";

/**
 * A Friday outage, told through the real server (`npm start`) and the loopback GitHub: every
 * webhook is what GitHub would send for what the people (and the app) did just before.
 */
const sha = (c: string) => c.repeat(40);
const ROOT = sha("a");
const MAIN_HEAD = sha("b");
const HOTFIX_1 = sha("1");
const HOTFIX_2 = sha("2");
const CHERRY_PICK = sha("c");
const MERGE = sha("e");

const PATCH_1 = "diff --git a/pay.js b/pay.js\n--- a/pay.js\n+++ b/pay.js\n@@ -1 +1 @@\n-charge()\n+charge({ retry: true })\n";
const PATCH_2 = "diff --git a/pay.js b/pay.js\n--- a/pay.js\n+++ b/pay.js\n@@ -2 +2 @@\n-timeout(1)\n+timeout(5)\n";
const RCA_SECTIONS = { Timeline: "16:02 payments fail; 16:40 hotfix deployed.", "Root cause": "The retry flag was dropped in the refactor." };

let github: GitHubTestServer;
let app: RunningApp;
let repo: Repository;
let hooks: ReturnType<typeof storyWebhooks>;
const delivered: Array<{ event: string; payload: unknown }> = [];

const callsPerStep: Array<{ step: string; calls: string[] }> = [];

/** Sends one webhook and returns the requests it made that GitHub counts (issue 15's budgets). */
async function send([event, payload]: readonly [string, unknown]): Promise<string[]> {
  delivered.push({ event, payload });
  const before = github.log.length;
  const res = await app.deliverSettled(event, payload);
  const action = (payload as { action?: string }).action;
  const made = github.log.slice(before);
  callsPerStep.push({ step: `${event}${action ? `.${action}` : ""}`, calls: made.map((r) => `${r.method} ${r.path}${r.status === 304 ? " (304)" : ""}`) });
  expect({ event, status: res.status, output: res.status === 200 ? "" : app.output().slice(-3000) }).toEqual({ event, status: 200, output: "" });
  return made.filter(isCounted).map((r) => `${r.method} ${r.path}`);
}

/**
 * What counts against an installation's rate limit, per delivery: not a 304 (a conditional read of
 * something unchanged), nor the installation's token and the app's own identity (once an hour,
 * once a process).
 */
function isCounted(r: { method: string; path: string; status: number }): boolean {
  return r.status !== 304 && !r.path.endsWith("/access_tokens") && r.path !== "/app";
}

/** Steps over their budget, with their calls: judged once the story is told, so that one report shows them all. */
const overBudget: Array<{ step: string; budget: number; calls: string[] }> = [];

const isReadCall = (call: string) => isReadRequest({ method: call.split(" ")[0]!, path: call.split(" ")[1]! });

function withinBudget(step: string, calls: string[], budget: number) {
  if (calls.length > budget) overBudget.push({ step, budget, calls });
}

const issues = () => [...repo.issues.values()];
const byLabel = (label: string) => issues().filter((i) => i.labels.includes(label));
const commentsOn = (number: number) => [...repo.comments.values()].filter((c) => c.issue_number === number);
const appComments = (number: number) => commentsOn(number).filter((c) => c.user.type === "Bot");
const ledgerOf = (number: number) => appComments(number).filter((c) => c.body.includes("<!-- mainline:ledger"));

beforeAll(async () => {
  github = new GitHubTestServer(PUBLIC_KEY);
  await github.start();
  repo = github.addRepo(OWNER, REPO, "main");
  github.commit(repo, ROOT, null, "main");
  github.commit(repo, MAIN_HEAD, ROOT, "main");
  github.commit(repo, HOTFIX_1, MAIN_HEAD, "hotfix/payments", "Retry charges", PATCH_1);
  github.commit(repo, HOTFIX_2, HOTFIX_1, "hotfix/payments", "Longer payment timeout", PATCH_2);
  for (const [login, role] of [["alice", "maintain"], ["bob", "write"], ["carol", "admin"]] as const) github.setRole(repo, login, role);
  // A team's own config: read with every delivery, it is answered 304 while unchanged.
  repo.files.set(".github/mainline.yml", "environments: [production]\n");
  hooks = storyWebhooks(github, repo);
  app = await startApp(credentialsFor(github.host));
}, 30_000);

afterAll(async () => {
  await app?.stop();
  await github?.stop();
  // MAINLINE_STORY_CALLS=1 prints the API calls each step made (the figures quoted in release notes).
  if (process.env.MAINLINE_STORY_CALLS) {
    const reads = (calls: string[]) => calls.filter(isReadCall).length;
    console.log(callsPerStep.map(({ step, calls }, i) => `${i + 1}. ${step}: ${calls.length} calls (${reads(calls)} reads, ${calls.length - reads(calls)} writes)\n   ${calls.join("\n   ")}`).join("\n"));
  }
});

test("a Friday outage, from the first alert to the incident's close", async () => {
  // 16:02 — payments fail; bob opens an issue and labels it an incident.
  const incident = github.userIssue(repo, { title: "Payments fail at checkout", body: "Card payments time out.", login: "bob" }).number;
  await send(hooks.issueLabeled(incident, "bob", "payments"));
  withinBudget("incident labeled", await send(hooks.issueLabeled(incident, "bob", "incident")), 8);
  const [rca] = byLabel("rca");
  expect(rca?.title).toBe("RCA: Payments fail at checkout");
  expect(rca?.body).toContain(`<!-- mainline:rca incident=${incident} -->`);
  expect(ledgerOf(incident)).toHaveLength(1);
  expect(ledgerOf(incident)[0]!.body).toContain(`#${rca!.number}: open; to write: Timeline, Root cause, Action items.`);

  // 16:20 — alice (maintain) grants an exception for the hotfix commit.
  // Issue 15 asks 9, met; each is a distinct fact: the thread, alice's role, the short sha with every ref git would read
  // before it (one GraphQL query: a ref named like it would grant another commit), S's exception runs (what the gate
  // believes, whatever the thread shows), the RCA issue (first read since it opened), the record, the run, the ledger, the 👍.
  withinBudget("/hotfix allow", await send(hooks.comment(incident, "alice", `/hotfix allow ${HOTFIX_1.slice(0, 7)} production -- card payments down, fix needs to ship now`)), 9);
  expect(appComments(incident).some((c) => c.body.startsWith("<!-- mainline:record kind=exception "))).toBe(true);
  expect(ledgerOf(incident)[0]!.body).toMatch(/\| `1111111` \| production \| \*\*alice\*\* at .* \| card payments down, fix needs to ship now \| active until /);

  // 16:40 — the deploy of the hotfix passes the gate; a merge-back issue appears at once.
  withinBudget("deploy under an exception", await send(hooks.protectionRule(HOTFIX_1, "production", 101, "bob")), 12);
  expect(repo.protectionRuleAnswers.find((a) => a.runId === 101)).toMatchObject({ state: "approved" });
  const [mergeBack1] = byLabel("merge-back");
  expect(mergeBack1?.body).toContain(`<!-- mainline:merge-back incident=${incident} sha=${HOTFIX_1} -->`);

  // 17:05 — someone closes the incident early: it is reopened, listing what blocks it.
  // Issue 15's 10, each a distinct fact: the thread, the exception's run (read, ended), the items' issues, main's history
  // with each commit's line counts and S's (one GraphQL query: its notes, and which commits may have S's patch; none
  // here adds and removes as many lines as S, so no diff is read), S's pull requests, the incident now (is this close
  // still the latest?), the reopen and its comment, the incidents around it (the ledger's cascade).
  withinBudget("incident closed early", await send(hooks.issueClosed(incident, "bob")), 10);
  expect(repo.issues.get(incident)!.state).toBe("open");
  const blocked = appComments(incident).find((c) => c.body.startsWith("🔒 Reopened"));
  expect(blocked?.body).toContain(`merge-back #${mergeBack1!.number}: 1111111 is not on main yet`);
  expect(blocked?.body).toContain(`RCA #${rca!.number}: "Timeline", "Root cause", "Action items" have no content yet`);
  // Any close ends the incident's exceptions for good (reopening never brings one back): the gate's check run says so.
  expect(blocked?.body).toContain("Its exceptions ended with this close: grant again if one is still needed.");
  expect([...(repo.checkRuns?.values() ?? [])].filter((r) => r.head_sha === HOTFIX_1).map((r) => r.output.title)).toEqual(["Exception ended"]);

  // 17:30 — a second hotfix goes out under another exception (a new grant: the close ended the first) within the window: a cascade.
  await send(hooks.comment(incident, "alice", `/hotfix allow ${HOTFIX_2} -- timeouts still too short`));
  await send(hooks.protectionRule(HOTFIX_2, "production", 102, "bob"));
  expect(repo.protectionRuleAnswers.find((a) => a.runId === 102)).toMatchObject({ state: "approved" });
  expect(repo.issues.get(incident)!.labels).toContain("hotfix-cascade");
  expect(ledgerOf(incident)[0]!.body).toContain("**Hotfix cascade:** 2 hotfix deploys within the cascade window");
  expect(byLabel("merge-back")).toHaveLength(2);

  // Monday — the fixes land on main: 1111111 cherry-picked with -x (its change with it), then the hotfix branch merged;
  // both items close by themselves. The merge brings 1111111 itself too (2222222's parent): git shows it reachable from
  // main's head, the strongest evidence, named ahead of the cherry-pick's note.
  const pushCalls = await send(
    hooks.push("main", "bob", [
      { sha: CHERRY_PICK, message: `Retry charges\n\n(cherry picked from commit ${HOTFIX_1})`, diff: PATCH_1 },
      { sha: MERGE, message: "Merge branch 'hotfix/payments'", parents: [CHERRY_PICK, HOTFIX_2] },
    ]),
  );
  // Two open items: one read each and 6 more is issue 15's budget, met by a push that merges a pull request (pinned in
  // test/handlers/push.test.ts). This push is bob's own, of two commits no pull request merged, so it also opens a
  // post-merge review (SPEC 11), whose find and look again are 2 more: N+6+2. It costs 9: the open items (1, also the
  // items the ledger shows), a compare each (2), the incident and its thread for its ledger (2), the ledger's rollback
  // search through the deployment now on main that never reported success (1), the pushed commits' pull requests (1:
  // one GraphQL query for all of them, shared by the items and the review), and the review's find and look again (2).
  withinBudget("push to main by hand (reads)", pushCalls.filter(isReadCall), 2 + 6 + 2);
  for (const item of byLabel("merge-back")) expect({ number: item.number, state: item.state }).toEqual({ number: item.number, state: "closed" });
  expect(appComments(mergeBack1!.number).at(-1)?.body).toContain("✅ Done: 1111111 is on main: it is reachable from main's head eeeeeee.");

  // The RCA is closed with a section empty: reopened, naming it; then written and closed.
  // bob writes under the template's headings, as people do, leaving "Action items" for later.
  const rcaNumber = rca!.number;
  const template = repo.issues.get(rcaNumber)!.body!;
  const partial = Object.entries(RCA_SECTIONS).reduce((body, [heading, text]) => body.replace(`## ${heading}\n`, `## ${heading}\n${text}\n`), template);
  withinBudget("RCA edited", await send(hooks.issueEdited(rcaNumber, "bob", partial)), 6);
  await send(hooks.issueClosed(rcaNumber, "bob"));
  expect(repo.issues.get(rcaNumber)!.state).toBe("open");
  expect(appComments(rcaNumber).at(-1)?.body).toContain('📝 Reopened: the RCA is not written yet. "Action items" needs content under its heading.');
  await send(hooks.issueEdited(rcaNumber, "bob", partial.replace("## Action items\n", "## Action items\n- [ ] Contract test for the retry flag\n")));
  await send(hooks.issueClosed(rcaNumber, "bob"));
  expect(repo.issues.get(rcaNumber)!.state).toBe("closed");

  // Nothing blocks any more: /incident close closes it.
  withinBudget("/incident close", await send(hooks.comment(incident, "bob", "/incident close")), 10);
  expect(repo.issues.get(incident)!.state).toBe("closed");
  expect(ledgerOf(incident)).toHaveLength(1);
  expect(ledgerOf(incident)[0]!.body).toContain("**Status:** closed: its fixes are on main and its RCA is written.");
  expect(github.problems).toEqual([]);
  expect(overBudget).toEqual([]);
}, 60_000);

test("redelivering every webhook of the story (same delivery id, then a new one) changes nothing", async () => {
  const snapshot = () =>
    JSON.stringify({
      issues: issues().map((i) => ({ number: i.number, title: i.title, state: i.state, labels: [...i.labels].sort(), body: i.body })),
      comments: [...repo.comments.values()].map((c) => ({ id: c.id, body: c.body, reactions: c.reactions.map((r) => `${r.user.login}:${r.content}`) })),
    });
  const before = snapshot();
  for (const [i, { event, payload }] of delivered.entries()) {
    for (const id of [`story-${i}`, `story-${i}-again`]) {
      const res = await app.deliver(event, payload, { id });
      expect({ event, i, status: res.status }).toEqual({ event, i, status: 200 });
    }
  }
  expect(snapshot()).toEqual(before);
  expect(github.problems).toEqual([]);
}, 120_000);
