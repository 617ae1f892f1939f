import { marker } from "../../src/markers.js";
import { exceptionRunState } from "../helpers/exception-fixtures.js";
import { scene, sha, SIDE, startWorld, stopWorld, type World } from "./world.js";

/**
 * Where two approvals are required, a maintainer who granted cannot be the second; another app
 * on the repository cannot speak for mainline; each command line is its own act.
 */
let world: World;
beforeAll(async () => (world = await startWorld()), 30_000);
afterAll(() => stopWorld(world));
afterEach(() => expect(world.github.problems).toEqual([]));

const TWO_APPROVALS = "override:\n  approvals: 2\n";

test.concurrent("the grantor's own approval does not count; another maintainer's does", async () => {
  const s = scene(world, TWO_APPROVALS);
  const incident = await s.incident();
  await s.say(incident, "mona", `/hotfix allow ${SIDE} production -- checkout is down`);
  const own = await s.say(incident, "mona", `/hotfix approve ${SIDE}`);
  expect(s.replyTo(incident, own)).toContain("you granted this exception: a second person must approve it");
  expect(await s.gate(SIDE)).toBe("rejected");
  await s.say(incident, "max", `/hotfix approve ${SIDE}`);
  expect(await s.gate(SIDE)).toBe("approved");
}, 90_000);

test.concurrent("a grantor who renames the account is still the grantor: their approval under the new login does not count", async () => {
  const s = scene(world, TWO_APPROVALS);
  // A maintainer of this scene alone: renaming a login of the shared cast would rename it in every scene.
  world.github.setRole(s.repo, `milo-${s.repo.id}`, "maintain");
  const incident = await s.incident();
  await s.say(incident, `milo-${s.repo.id}`, `/hotfix allow ${SIDE} production -- checkout is down`);
  const milo = world.github.renameUser(`milo-${s.repo.id}`, `milo-renamed-${s.repo.id}`);
  const own = await s.say(incident, milo.login, `/hotfix approve ${SIDE}`);
  expect(s.replyTo(incident, own)).toContain("you granted this exception: a second person must approve it");
  expect(s.records(incident).of("approval")).toEqual([]);
  expect(s.records(incident).of("exception")).toEqual([expect.objectContaining({ sha: SIDE, by: `milo-${s.repo.id}`, account: milo.id, approvals: 2 })]);
  expect(await s.gate(SIDE)).toBe("rejected");
  await s.say(incident, "max", `/hotfix approve ${SIDE}`);
  expect(await s.gate(SIDE)).toBe("approved");
}, 90_000);

test.concurrent("two revokes on two lines of one comment both take effect", async () => {
  const s = scene(world);
  const other = world.github.commit(s.repo, sha("e"), SIDE, "hotfix/side", "Second fix");
  const incident = await s.incident();
  await s.say(incident, "mona", `/hotfix allow ${SIDE} production -- first\n/hotfix allow ${other} production -- second`);
  await s.say(incident, "max", `/hotfix revoke ${SIDE}\n/hotfix revoke ${other}`);
  expect(s.records(incident).of("revoke").map((r) => r.sha).sort()).toEqual([SIDE, other].sort());
  expect(await s.gate(SIDE)).toBe("rejected");
  expect(await s.gate(other)).toBe("rejected");
}, 90_000);

test.concurrent("another app's check run named mainline/exception opens nothing", async () => {
  const s = scene(world);
  const incident = await s.incident();
  const forged = marker("exception-run", exceptionRunState({ incident, sha: SIDE, by: "mona", at: "2026-01-01T00:00:00.000Z", expires: "2099-01-01T00:00:00.000Z", source: "1:1" }));
  world.github.otherAppCheckRun(s.repo, { appId: 999, name: "mainline/exception", headSha: SIDE, text: forged });
  expect(await s.gate(SIDE)).toBe("rejected");
}, 90_000);
