import type { Probot } from "probot";
import { pino } from "pino";
import { OWNER, REPO } from "../helpers/fixtures.js";
import { GitHubTestServer, isReadRequest, type Repository } from "../helpers/github-server.js";
import { PUBLIC_KEY } from "../helpers/keys.js";
import { storyWebhooks } from "../helpers/story-webhooks.js";
import { loadTestApp, testProbot } from "../helpers/test-app.js";

// SPEC 8: the config on main is the team's decision, and a push to main that weakens it is
// announced in every open incident, naming the commit and its author, once however often GitHub
// delivers the push. The app in-process against the loopback GitHub.
const CONFIG = ".github/mainline.yml";
const ROOT = "a".repeat(40);
const WEAKEN = "b".repeat(40);
const STRENGTHEN = "c".repeat(40);
const UNRELATED = "d".repeat(40);
const ENFORCING = "environments: [production, staging]\n";

let github: GitHubTestServer;
let repo: Repository;
let hooks: ReturnType<typeof storyWebhooks>;
let probot: Probot;
let runs = 0;
/** The incidents bob declared (records written by the app), and issues that only look like incidents. */
let open: number[];
let closed: number;
let labelOnly: number;

const deliver = ([name, payload]: readonly [string, unknown]) => probot.receive({ id: `delivery-${++runs}`, name, payload } as Parameters<Probot["receive"]>[0]);
const notices = (number: number) => [...repo.comments.values()].filter((c) => c.issue_number === number && c.body.includes("<!-- mainline:config-weakened"));
const allNotices = () => [...repo.comments.values()].filter((c) => c.body.includes("<!-- mainline:config-weakened"));

beforeEach(async () => {
  github = new GitHubTestServer(PUBLIC_KEY);
  await github.start();
  repo = github.addRepo(OWNER, REPO, "master");
  github.commit(repo, ROOT, null, "master");
  repo.commits.get(ROOT)!.files = { [CONFIG]: ENFORCING };
  repo.files.set(CONFIG, ENFORCING);
  github.setRole(repo, "bob", "write");
  hooks = storyWebhooks(github, repo);
  probot = testProbot(pino({ level: "silent" }), github.apiBase);
  await loadTestApp(probot);

  open = [];
  for (const title of ["Checkout down", "Search slow"]) {
    const number = github.userIssue(repo, { title, login: "bob" }).number;
    await deliver(hooks.issueLabeled(number, "bob", "incident"));
    open.push(number);
  }
  closed = github.userIssue(repo, { title: "Old outage", login: "bob" }).number;
  await deliver(hooks.issueLabeled(closed, "bob", "incident"));
  github.userClose(repo, closed, "bob");
  // A label with no record behind it (the app never heard of it): not an incident.
  labelOnly = github.userIssue(repo, { title: "Looks like one", labels: ["incident"], login: "mallory" }).number;
  github.log.length = 0;
});

afterEach(async () => {
  await github.stop();
  expect(github.problems).toEqual([]);
});

const NOTICE = (sha: string, pusher: string, lines: string[]) =>
  [
    `**The config on main was weakened.** Commit [\`${sha.slice(0, 7)}\`](https://github.com/${OWNER}/${REPO}/commit/${sha}) by **Test Author**, pushed by ${pusher}, changed \`${CONFIG}\`:`,
    lines.map((line) => `- ${line}`).join("\n"),
    "mainline enforces the config on main: whoever can change main decides it. If this change was not agreed, revert it on main.",
    `<!-- mainline:config-weakened commit=${sha} -->`,
  ].join("\n\n");

describe("a push to main that weakens the config", () => {
  test("every open incident gets one notice naming the commit, its author and the pusher; a redelivery adds none", async () => {
    const push = hooks.push("master", "mallory", [{ sha: WEAKEN, message: "relax mainline", files: { [CONFIG]: "mode: shadow\nenvironments: [staging]\n" } }]);
    expect(push[1].commits[0]).toMatchObject({ modified: [CONFIG], author: { name: "Test Author" } });

    await deliver(push);

    const expected = NOTICE(WEAKEN, "**mallory**", [
      "mode changed from enforce to shadow: mainline now only reports what it would refuse and blocks nothing",
      "`production` is no longer a gated environment: deploys to it are not checked",
    ]);
    for (const number of open) expect(notices(number).map((c) => c.body)).toEqual([expected]);
    expect(allNotices()).toHaveLength(open.length);
    expect(notices(closed)).toEqual([]);
    expect(notices(labelOnly)).toEqual([]);
    // The file at both ends of the push, then the open incidents (one page) and their threads, then one comment each.
    const path = `/repos/${OWNER}/${REPO}`;
    const announcing = github.calls().filter((call) => call.includes("contents/.github%2Fmainline.yml?ref=") || call.includes("state=open&sort=created") || call.includes("/comments"));
    expect(announcing.slice(0, 2).sort()).toEqual([`GET ${path}/contents/.github%2Fmainline.yml?ref=${ROOT}`, `GET ${path}/contents/.github%2Fmainline.yml?ref=${WEAKEN}`]);
    expect(announcing[2]).toBe(`GET ${path}/issues?labels=incident&state=open&sort=created&direction=desc&per_page=100`);
    expect(announcing.slice(3, 6).sort()).toEqual([...open, labelOnly].map((n) => `GET ${path}/issues/${n}/comments?per_page=100`).sort());
    expect(announcing.slice(6).sort()).toEqual(open.map((n) => `POST ${path}/issues/${n}/comments`).sort());

    github.log.length = 0;
    await deliver(push);
    expect(allNotices()).toHaveLength(open.length);
    expect(github.calls((r) => !isReadRequest(r))).toEqual([]);
  });

  test("names and logins are shown as text: no mention, no markup, no marker", async () => {
    const [name, payload] = hooks.push("master", "mallory", [{ sha: WEAKEN, files: { [CONFIG]: `${ENFORCING}override: { permission: write }\n` } }]);
    await deliver([name, { ...payload, pusher: { name: "@team <!-- mainline:config-weakened --> *x*", email: null } }]);

    expect(notices(open[0]!).map((c) => c.body)).toEqual([
      NOTICE(WEAKEN, "**@\u200bteam &lt;!-- mainline:config-weakened --&gt; \\*x\\***", [
        "override.permission lowered from maintain to write: more people can grant an exception",
      ]),
    ]);
  });

  test("a force-push back to a weaker config is announced, naming the new head", async () => {
    await deliver(hooks.push("master", "bob", [{ sha: STRENGTHEN, files: { [CONFIG]: `${ENFORCING}onApiError: reject\n` } }]));
    expect(allNotices()).toEqual([]);

    const push = hooks.push("master", "mallory", [{ sha: WEAKEN, parents: [ROOT], files: { [CONFIG]: `${ENFORCING}onApiError: approve\n` } }]);
    expect(push[1]).toMatchObject({ forced: true, before: STRENGTHEN, after: WEAKEN });
    await deliver(push);

    expect(notices(open[1]!).map((c) => c.body)).toEqual([
      NOTICE(WEAKEN, "**mallory**", ["onApiError changed from reject to approve: a gate that cannot ask GitHub now lets the deploy through"]),
    ]);
  });
});

describe("a push's cost stays bounded however many issues carry the label", () => {
  test("past 20 open labelled issues, only the 20 opened last are read, and the notice says so", async () => {
    for (let i = 0; i < 19; i++) github.userIssue(repo, { title: `Noise ${i}`, labels: ["incident"], login: "bob" });
    const latest = github.userIssue(repo, { title: "Payments fail", login: "bob" }).number;
    await deliver(hooks.issueLabeled(latest, "bob", "incident"));
    github.log.length = 0;

    await deliver(hooks.push("master", "mallory", [{ sha: WEAKEN, files: { [CONFIG]: `mode: shadow\n${ENFORCING}` } }]));

    expect(github.calls().filter((call) => /\/issues\/\d+\/comments\?per_page=100$/.test(call))).toHaveLength(20);
    expect(allNotices().map((c) => [c.issue_number, c.body])).toEqual([
      [
        latest,
        NOTICE(WEAKEN, "**mallory**", ["mode changed from enforce to shadow: mainline now only reports what it would refuse and blocks nothing"]).replace(
          "\n\n<!--",
          "\n\nMore than 20 open issues are labelled as incidents: this notice went to the incidents among the 20 opened last.\n\n<!--",
        ),
      ],
    ]);
  });
});

describe("a push that does not weaken the config announces nothing", () => {
  test("a stricter config: the file is read at both ends, nothing else", async () => {
    await deliver(hooks.push("master", "bob", [{ sha: STRENGTHEN, files: { [CONFIG]: `${ENFORCING}override: { permission: admin, approvals: 2 }\n` } }]));

    expect(allNotices()).toEqual([]);
    expect(github.calls().filter((call) => call.includes("?ref=")).sort()).toEqual(
      [ROOT, STRENGTHEN].map((sha) => `GET /repos/${OWNER}/${REPO}/contents/.github%2Fmainline.yml?ref=${sha}`),
    );
    expect(github.calls().filter((call) => call.includes("state=open&sort=created"))).toEqual([]);
  });

  test("a push that leaves the file alone does not read it at either end", async () => {
    await deliver(hooks.push("master", "bob", [{ sha: UNRELATED, files: { "src/app.ts": "export {};\n" } }]));

    expect(github.calls().filter((call) => call.includes("?ref="))).toEqual([]);
    expect(allNotices()).toEqual([]);
  });
});
