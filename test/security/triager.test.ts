import { MAIN_HEAD, scene, SIDE, startWorld, stopWorld, type World } from "./world.js";

/**
 * A triager can label, close, reopen, lock and transfer issues. None of it drops a blocker,
 * revives an exception or makes an issue an incident the records do not call one.
 */
let world: World;
beforeAll(async () => (world = await startWorld()), 30_000);
afterAll(() => stopWorld(world));
afterEach(() => expect(world.github.problems).toEqual([]));

/** An incident whose exception for SIDE was used by a deploy: it has a merge-back item. */
async function usedException(s: ReturnType<typeof scene>) {
  const incident = await s.incident();
  await s.say(incident, "mona", `/hotfix allow ${SIDE} production -- checkout is down`);
  expect(await s.gate(SIDE)).toBe("approved");
  const [item] = s.byLabel("merge-back");
  return { incident, item: item!.number };
}

test.concurrent("removing the labels and closing the item and the incident drops no blocker", async () => {
  const s = scene(world);
  const { incident, item } = await usedException(s);
  await s.send(s.hooks.issueUnlabeled(item, "tess", "merge-back"));
  await s.send(s.hooks.issueClosed(item, "tess"));
  await s.send(s.hooks.issueUnlabeled(incident, "tess", "incident"));
  await s.send(s.hooks.issueClosed(incident, "tess"));
  expect(s.issue(incident).state).toBe("open");
  expect(s.appComments(incident).at(-1)?.body).toContain(`merge-back #${item}: ddddddd is not on main yet`);
  expect(s.issue(item).state).toBe("open");
}, 90_000);

test.concurrent("closing and reopening an incident never brings its exception back", async () => {
  const s = scene(world);
  const { incident } = await usedException(s);
  await s.send(s.hooks.issueClosed(incident, "tess"));
  expect(s.issue(incident).state).toBe("open"); // reopened by the close gate: blockers remain
  expect(await s.gate(SIDE)).toBe("rejected");
  await s.send(s.hooks.issueClosed(incident, "tess"));
  await s.send(s.hooks.issueReopened(incident, "tess"));
  expect(await s.gate(SIDE)).toBe("rejected");
}, 90_000);

test.concurrent("an incident closed while its close event is lost: the gate still refuses its exception", async () => {
  const s = scene(world);
  const incident = await s.incident();
  await s.say(incident, "mona", `/hotfix allow ${SIDE} production -- checkout is down`);
  world.github.userClose(s.repo, incident, "tess"); // GitHub never delivers the issues.closed webhook
  expect(await s.gate(SIDE)).toBe("rejected");
}, 90_000);

test.concurrent("an incident transferred to another repository takes its exception nowhere", async () => {
  const s = scene(world);
  const incident = await s.incident();
  await s.say(incident, "mona", `/hotfix allow ${SIDE} production -- checkout is down`);
  expect(await s.gate(SIDE)).toBe("approved");
  const elsewhere = world.github.addRepo("Codertocat", `elsewhere-${s.repo.id}`);
  await s.send(s.hooks.issueTransferred(incident, "tess", elsewhere));
  expect(await s.gate(SIDE)).toBe("rejected");
}, 90_000);

test.concurrent("a lock never silences a record: the app unlocks, writes and locks again", async () => {
  const s = scene(world);
  const incident = await s.incident();
  world.github.userLock(s.repo, incident, "too heated");
  await s.say(incident, "mona", `/hotfix allow ${SIDE} production -- checkout is down`);
  expect(s.records(incident).of("exception")).toEqual([expect.objectContaining({ sha: SIDE, env: "production", by: "mona" })]);
  expect(s.issue(incident)).toMatchObject({ locked: true, active_lock_reason: "too heated" });
  expect([...s.repo.checkRuns!.values()].filter((r) => r.name === "mainline/exception" && r.head_sha === SIDE)).toHaveLength(1);
}, 90_000);

test.concurrent("the incident label from someone without the triage role (an issue template) makes no incident", async () => {
  const s = scene(world);
  const number = world.github.userIssue(s.repo, { title: "Looks urgent", login: "rex" }).number;
  await s.send(s.hooks.issueLabeled(number, "rex", "incident"));
  expect(s.records(number).of("incident")).toEqual([]);
  expect(s.byLabel("rca")).toEqual([]);
  const comment = await s.say(number, "mona", `/hotfix allow ${SIDE} production -- the reader said so`);
  expect(s.replyTo(number, comment)).toContain("this command works only in an incident");
  expect(await s.gate(SIDE)).toBe("rejected");
}, 90_000);


test.concurrent("a labelled issue naming a missing incident does not hold back the announcement of a weakened config", async () => {
  const s = scene(world, "environments: [production]\n");
  const incident = await s.incident();
  world.github.userIssue(s.repo, { title: "fake", login: "tess", labels: ["merge-back"], body: `<!-- mainline:merge-back incident=9999 sha=${MAIN_HEAD} -->` });
  await s.send(s.hooks.push("main", "wendy", [{ sha: "f".repeat(40), message: "Relax the gate", files: { ".github/mainline.yml": "mode: shadow\nenvironments: [production]\n" } }]));
  expect(s.appComments(incident).some((c) => c.body.includes("The config on main was weakened"))).toBe(true);
}, 90_000);
