import type { Probot } from "probot";
import { pino } from "pino";
import { OWNER, REPO } from "../helpers/fixtures.js";
import { GitHubTestServer, type Repository } from "../helpers/github-server.js";
import { PUBLIC_KEY } from "../helpers/keys.js";
import { storyWebhooks } from "../helpers/story-webhooks.js";
import { loadTestApp, NOW, testProbot } from "../helpers/test-app.js";

// SPEC 8: `/mainline report` has a line per commit on main, in the report's 90 days, that weakened
// `.github/mainline.yml`, naming it and its author. The app in-process against the loopback GitHub.
const CONFIG = ".github/mainline.yml";
const ENFORCING = "environments: [production, staging]\n";
const PATH = `/repos/${OWNER}/${REPO}`;
const LIST = `GET ${PATH}/commits?path=.github%2Fmainline.yml&sha=heads%2Fmaster&since=2026-08-22T12%3A00%3A00.000Z&per_page=10`;

let github: GitHubTestServer;
let repo: Repository;
let probot: Probot;
let runs = 0;
let head: string;

beforeEach(async () => {
  github = new GitHubTestServer(PUBLIC_KEY);
  await github.start();
  repo = github.addRepo(OWNER, REPO, "master");
  head = commitAt("2026-01-01T00:00:00Z", { [CONFIG]: ENFORCING });
  github.setRole(repo, "bob", "write");
  probot = testProbot(pino({ level: "silent" }), github.apiBase);
  await loadTestApp(probot);
});

afterEach(async () => {
  await github.stop();
  expect(github.problems).toEqual([]);
});

/** A commit on master at a moment, writing these files. */
function commitAt(date: string, files: Record<string, string | null>): string {
  github.clock = { now: () => new Date(date) };
  const sha = (runs++).toString(16).padStart(40, "0");
  github.commit(repo, sha, head ?? null, "master");
  repo.commits.get(sha)!.files = files;
  head = sha;
  return sha;
}

/** bob's `/mainline report` in a fresh issue, and the app's reply. */
async function report(): Promise<string> {
  github.clock = { now: () => NOW };
  const issue = github.userIssue(repo, { title: "Q4 retrospective", login: "bob" }).number;
  github.log.length = 0;
  const [name, payload]: readonly [string, unknown] = storyWebhooks(github, repo).comment(issue, "bob", "/mainline report");
  await probot.receive({ id: `delivery-${++runs}`, name, payload } as Parameters<Probot["receive"]>[0]);
  const replies = [...repo.comments.values()].filter((c) => c.issue_number === issue && c.user.type === "Bot");
  expect(replies).toHaveLength(1);
  return replies[0]!.body;
}

describe("/mainline report: weakenings of the config on main", () => {
  test("a line per weakening commit in the window, newest first; tightening and other changes are not listed", async () => {
    commitAt("2026-08-01T00:00:00Z", { [CONFIG]: `mode: shadow\n${ENFORCING}` }); // before the window
    commitAt("2026-08-02T00:00:00Z", { [CONFIG]: ENFORCING });
    const shadow = commitAt("2026-10-01T09:00:00Z", { [CONFIG]: `mode: shadow\n${ENFORCING}` });
    commitAt("2026-10-05T09:00:00Z", { "src/app.ts": "export {};\n" });
    commitAt("2026-10-10T09:00:00Z", { [CONFIG]: ENFORCING });
    const loosened = commitAt("2026-11-01T09:00:00Z", { [CONFIG]: "environments: [staging]\noverride: { permission: write }\n" });
    commitAt("2026-11-02T09:00:00Z", { [CONFIG]: "environments: [staging]\noverride: { permission: write, approvals: 2 }\n" });

    const body = await report();

    expect(body).toContain(
      [
        "**Weakenings of the config on main:**",
        `- \`${loosened.slice(0, 7)}\` by **Test Author** (2026-11-01): \`production\` is no longer a gated environment: deploys to it are not checked; ` +
          "override.permission lowered from maintain to write: more people can grant an exception",
        `- \`${shadow.slice(0, 7)}\` by **Test Author** (2026-10-01): mode changed from enforce to shadow: mainline now only reports what it would refuse and blocks nothing`,
      ].join("\n") + "\n\n<!-- mainline:reply",
    );
    // One list, then the file at each of the four changes and at its parent, each commit once: two
    // changes in a row share one (a parent is the change before it), so six reads.
    const calls = github.calls();
    expect(calls.filter((c) => c.includes("/commits?"))).toEqual([LIST]);
    expect(calls.filter((c) => c.includes("?ref="))).toHaveLength(6);
  });

  test("changes that only tighten or leave the gate alone: the report has no such section", async () => {
    commitAt("2026-10-01T09:00:00Z", { [CONFIG]: `${ENFORCING}override: { approvals: 2 }\n` });
    commitAt("2026-10-02T09:00:00Z", { [CONFIG]: `${ENFORCING}override: { approvals: 2 }\nrca: { dueDays: 3 }\n` });

    const body = await report();

    expect(body).toContain("Nothing to follow up.\n\n<!-- mainline:reply");
    expect(body).not.toContain("config on main");
  });

  test("past 10 changes in the window only the latest 10 are read, and the report says it could not verify the rest", async () => {
    for (let day = 1; day <= 12; day++) {
      const date = `2026-10-${String(day).padStart(2, "0")}T09:00:00Z`;
      commitAt(date, { [CONFIG]: day % 2 === 1 ? `${ENFORCING}onApiError: approve\n` : ENFORCING });
    }

    const body = await report();

    // Days 3, 5, … 11 weaken (odd days, each after an even one): among the latest ten (days 3 to 12), five.
    const lines = body.split("\n").filter((line) => line.startsWith("- `"));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^- `[0-9a-f]{7}` by \*\*Test Author\*\* \(2026-10-11\): onApiError changed from reject to approve/);
    expect(body).toContain(`- could not verify changes older than the latest 10 of \`${CONFIG}\`\n\n<!-- mainline:reply`);
    expect(github.calls().filter((c) => c.includes("?ref="))).toHaveLength(11);
  });
});
