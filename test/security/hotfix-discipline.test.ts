import { scene, SIDE, startWorld, stopWorld, type Scene, type World } from "./world.js";

/**
 * Hotfix discipline (SPEC 11) against people acting in bad faith. SIDE's change against main is 2
 * lines, over the scenes' `maxChangedLines: 1`, so every grant of it needs a second person whatever
 * `override.approvals` says (1 here): not the grantor, not someone below `override.permission`, and
 * nothing typed, edited or labelled afterwards changes what the app decided.
 */
let world: World;
beforeAll(async () => (world = await startWorld()), 30_000);
afterAll(() => stopWorld(world));
afterEach(() => expect(world.github.problems).toEqual([]));

const DISCIPLINE = 'environments: [production]\nhotfix:\n  criteria: ["outage"]\n  maxChangedLines: 1\n';

/** mona (maintain) grants SIDE in a new incident, with a criterion; the gate still refuses it. */
async function granted(s: Scene) {
  const incident = await s.incident();
  await s.say(incident, "mona", `/hotfix allow ${SIDE} production -- outage: checkout is down`);
  expect(s.records(incident).of("exception")).toMatchObject([{ sha: SIDE, criterion: "outage", approvals: 2 }]);
  expect(await s.gate(SIDE)).toBe("rejected");
  return incident;
}

test.concurrent("the grantor cannot give the second approval discipline asks for, on any line of any comment", async () => {
  const s = scene(world, DISCIPLINE);
  const incident = await granted(s);
  const own = await s.say(incident, "mona", `/hotfix approve ${SIDE}\n/hotfix approve ${SIDE.slice(0, 7)}`);
  expect(s.replyTo(incident, own)).toContain("you granted this exception: a second person must approve it");
  expect(s.records(incident).of("approval")).toEqual([]);
  expect(await s.gate(SIDE)).toBe("rejected");
  await s.say(incident, "max", `/hotfix approve ${SIDE}`);
  expect(await s.gate(SIDE)).toBe("approved");
}, 90_000);

test.concurrent("a writer (not a maintainer) cannot give the second approval", async () => {
  const s = scene(world, DISCIPLINE);
  const incident = await granted(s);
  const writer = await s.say(incident, "wendy", `/hotfix approve ${SIDE}`);
  expect(s.replyTo(incident, writer)).toContain("this needs the maintain role or higher in this repository; **wendy** has write");
  expect(s.records(incident).of("approval")).toEqual([]);
  expect(await s.gate(SIDE)).toBe("rejected");
}, 90_000);

test.concurrent("editing a command after the fact changes nothing: a refused reason given a criterion, an approval turned into a revoke", async () => {
  const s = scene(world, DISCIPLINE);
  const incident = await s.incident();
  // Refused for its reason; the edit that adds a criterion is never run.
  const vague = await s.say(incident, "mona", `/hotfix allow ${SIDE} production -- checkout is down`);
  expect(s.replyTo(incident, vague)).toContain("one of this repository's `hotfix.criteria`: `outage`");
  await s.send(s.hooks.commentEdited(vague, "mona", `/hotfix allow ${SIDE} production -- outage: checkout is down`));
  expect(s.records(incident).of("exception")).toEqual([]);
  expect(await s.gate(SIDE)).toBe("rejected");

  // Granted and approved; wendy turns max's approval into a revoke: the approval stands, nothing is revoked.
  await s.say(incident, "mona", `/hotfix allow ${SIDE} production -- outage: checkout is down`);
  const approval = await s.say(incident, "max", `/hotfix approve ${SIDE}`);
  await s.send(s.hooks.commentEdited(approval, "wendy", `/hotfix revoke ${SIDE}`));
  expect(s.records(incident).of("revoke")).toEqual([]);
  expect(s.records(incident).of("approval")).toMatchObject([{ sha: SIDE, by: "max" }]);
  expect(await s.gate(SIDE)).toBe("approved");
}, 90_000);
