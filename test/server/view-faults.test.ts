import { scene, SIDE, startWorld, stopWorld, type World } from "../security/world.js";

/**
 * One delivery's view of GitHub (src/github/delivery-reads.ts) where it is easiest to get wrong:
 * threads longer than a page (GitHub's page links name the repository by id, which the loopback
 * server does too), and a delivery that failed half way, redelivered.
 */
let world: World;
beforeAll(async () => (world = await startWorld()), 30_000);
afterAll(() => stopWorld(world));

const PROMPT = "<!-- Write this section here. An empty section keeps this RCA, and so the incident, open. -->";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Anyone who may comment makes a thread long: `n` comments before what the test does. */
function padThread(s: ReturnType<typeof scene>, incident: number, n: number) {
  for (let i = 0; i < n; i++) world.github.userComment(s.repo, incident, "rex", `+1 ${i}`);
}

test.each([0, 100])("grant and revoke on two lines of one comment, thread padded by %i comments: both take effect", async (pad) => {
  const s = scene(world);
  const incident = await s.incident();
  padThread(s, incident, pad);
  await s.say(incident, "mona", `/hotfix allow ${SIDE} production -- checkout is down\n/hotfix revoke ${SIDE}`);
  expect(s.records(incident).of("revoke")).toHaveLength(1);
  expect(await s.gate(SIDE)).toBe("rejected");
}, 90_000);

test("closed between the gate's decision and its record: the new merge-back item reopens the incident (thread of 100+ comments)", async () => {
  const s = scene(world);
  const incident = await s.incident();
  const rca = s.byLabel("rca")[0]!;
  world.github.userEditIssue(s.repo, rca.number, "tess", rca.body!.split(PROMPT).join("Written."));
  world.github.userClose(s.repo, rca.number, "tess");
  padThread(s, incident, 100);
  await s.say(incident, "mona", `/hotfix allow ${SIDE} production -- checkout is down`);
  // The answer to GitHub is slow; the incident is closed (and that close judged: nothing blocks yet) meanwhile.
  const release = world.github.hold((m, p) => m === "POST" && p.includes("deployment_protection_rule"), 2_500);
  const gating = s.gate(SIDE);
  await sleep(500);
  await s.send(s.hooks.issueClosed(incident, "wendy"));
  expect(s.issue(incident).state).toBe("closed");
  expect(await gating).toBe("approved");
  release();
  for (const deadline = Date.now() + 20_000; Date.now() < deadline && s.records(incident).of("deploy").length === 0; ) await sleep(100);
  await sleep(3_000);
  expect(s.records(incident).of("deploy")).toHaveLength(1);
  expect(s.byLabel("merge-back")).toHaveLength(1);
  expect(s.issue(incident).state).toBe("open");
}, 90_000);

test.each([0, 100])("an edited grant record (thread padded by %i comments) is written back and the exception is in force again", async (pad) => {
  const s = scene(world);
  const incident = await s.incident();
  padThread(s, incident, pad);
  await s.say(incident, "mona", `/hotfix allow ${SIDE} production -- checkout is down`);
  const grant = s.appComments(incident).find((c) => c.body.startsWith("<!-- mainline:record kind=exception "))!;
  const original = grant.body;
  await s.send(s.hooks.commentEdited(grant.id, "wendy", original.replace("env=production", "env=staging")));
  expect(s.repo.comments.get(grant.id)!.body).toBe(original);
  expect(await s.gate(SIDE)).toBe("approved");
}, 90_000);

test("a delivery that failed after opening the RCA issue: its redelivery opens no second RCA issue", async () => {
  const s = scene(world);
  const number = world.github.userIssue(s.repo, { title: "Payments down", login: "tess" }).number;
  const labeled = s.hooks.issueLabeled(number, "tess", "incident");
  const heal = world.github.fail((m, p) => m === "POST" && p.endsWith(`/${s.repo.name}/issues/${number}/comments`), { status: 403, body: { message: "Resource not accessible by integration" } });
  expect((await world.app.deliverSettled(...labeled)).status).toBeGreaterThanOrEqual(400);
  heal();
  await s.send(labeled);
  const rcas = [...s.repo.issues.values()].filter((i) => i.title.startsWith("RCA"));
  expect(rcas).toHaveLength(1);
}, 90_000);
