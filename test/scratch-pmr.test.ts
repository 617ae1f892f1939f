import { OWNER, REPO } from "./helpers/fixtures.js";
import { GitHubTestServer, type Repository } from "./helpers/github-server.js";
import { PUBLIC_KEY } from "./helpers/keys.js";
import { credentialsFor, startApp, type RunningApp } from "./helpers/start-app.js";
import { storyWebhooks } from "./helpers/story-webhooks.js";

const sha = (c: string) => c.repeat(40);
let github: GitHubTestServer;
let app: RunningApp;
let repo: Repository;
let hooks: ReturnType<typeof storyWebhooks>;

async function send([event, payload]: readonly [string, unknown], id?: string) {
  const res = await app.deliver(event, payload, id ? { id } : {});
  expect({ event, status: res.status, output: res.status === 200 ? "" : app.output().slice(-3000) }).toEqual({ event, status: 200, output: "" });
}
const reviews = () => [...repo.issues.values()].filter((i) => i.labels.includes("post-merge-review"));
const appComments = (number: number) => [...repo.comments.values()].filter((c) => c.issue_number === number && c.user.type === "Bot");

beforeAll(async () => {
  github = new GitHubTestServer(PUBLIC_KEY);
  await github.start();
  let now = Date.parse("2026-11-20T09:00:00Z");
  github.clock = { now: () => new Date((now += 60_000)) };
  repo = github.addRepo(OWNER, REPO, "main");
  github.commit(repo, sha("a"), null, "main");
  github.commit(repo, sha("b"), sha("a"), "main");
  for (const [login, role] of [["alice", "admin"], ["bob", "write"], ["carol", "write"], ["tom", "triage"]] as const) github.setRole(repo, login, role);
  hooks = storyWebhooks(github, repo);
  app = await startApp(credentialsFor(github.host));
}, 30_000);
afterAll(async () => { await app?.stop(); await github?.stop(); });

async function report(): Promise<string> {
  const n = github.userIssue(repo, { title: "report", login: "bob" }).number;
  await send(hooks.comment(n, "bob", "/mainline report"));
  return appComments(n).at(-1)!.body;
}

test("pusher strips the record line from the body, then closes: stays closed, report forgets it", async () => {
  await send(hooks.push("main", "alice", [{ sha: sha("1"), message: "evil direct push" }]));
  const [r] = reviews();
  const n = r!.number;
  console.log("REPORT BEFORE\n" + (await report()).split("\n").filter((l) => /review/i.test(l)).join("\n"));
  const body = repo.issues.get(n)!.body!;
  await send(hooks.issueEdited(n, "alice", body.split("\n\n").slice(1).join("\n\n")));
  await send(hooks.issueClosed(n, "alice"));
  console.log("STATE after alice closed stripped review:", repo.issues.get(n)!.state, appComments(n).map((c) => c.body.slice(0, 80)));
  console.log("REPORT AFTER\n" + (await report()).split("\n").filter((l) => /review/i.test(l)).join("\n"));
}, 60_000);

test("pusher pastes another review's body (record of another issue): close not judged", async () => {
  await send(hooks.push("main", "alice", [{ sha: sha("2"), message: "second direct push" }]));
  const all = reviews().sort((a, b) => a.number - b.number);
  const first = all[0]!, second = all.at(-1)!;
  // the first review's body was stripped above; use a fresh third one as the donor
  await send(hooks.push("main", "alice", [{ sha: sha("3"), message: "third direct push" }]));
  const third = reviews().sort((a, b) => a.number - b.number).at(-1)!;
  await send(hooks.issueEdited(second.number, "alice", repo.issues.get(third.number)!.body!));
  await send(hooks.issueClosed(second.number, "alice"));
  console.log("STATE second after alice closed w/ third's body:", repo.issues.get(second.number)!.state, appComments(second.number).length, first.number);
}, 60_000);

test("review labelled incident by a triager, then pusher (admin) force-closes: review never judged", async () => {
  await send(hooks.push("main", "alice", [{ sha: sha("4"), message: "fourth direct push" }]));
  const r = reviews().sort((a, b) => a.number - b.number).at(-1)!;
  await send(hooks.issueLabeled(r.number, "tom", "incident"));
  await send(hooks.comment(r.number, "alice", "/incident force-close not needed"));
  console.log("STATE after force-close:", repo.issues.get(r.number)!.state, appComments(r.number).map((c) => c.body.slice(0, 90)));
}, 60_000);
