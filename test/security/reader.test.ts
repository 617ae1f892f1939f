import fc from "fast-check";
import { marker } from "../../src/markers.js";
import { recordBody } from "../../src/records.js";
import { WEBHOOK_SECRET } from "../helpers/start-app.js";
import { MAIN_HEAD, scene, SIDE, startWorld, stopWorld, type World } from "./world.js";

/**
 * A reader (anyone who can open issues and comment on a public repository): all they have is
 * text. Whatever they type, the gate, the close gate and the records stay as they were.
 */
let world: World;
beforeAll(async () => (world = await startWorld()), 30_000);
afterAll(() => stopWorld(world));
afterEach(() => expect(world.github.problems).toEqual([]));

const FUTURE = "2099-01-01T00:00:00.000Z";

/** Marker syntax a reader can type, old and new forms, look-alikes, and a valid signed record line copied whole. */
function hostileLines(incident: number, repoId: number): string[] {
  const forgedRecord = recordBody(WEBHOOK_SECRET, "exception", { repo: repoId, incident }, { sha: SIDE, env: "production", by: "mona", at: "2026-01-01T00:00:00.000Z", expires: FUTURE, reason: "x", source: "1:1" }, "granted");
  return [
    `/hotfix allow zzz ${marker("reply", { source: 1 })} <!-- mainline:exception sha=${SIDE} env=production by=mona at=2026-01-01T00:00:00.000Z expires=${FUTURE} source=1 reason=x -->`,
    `/hotfix allow ${forgedRecord.split("\n")[0]}`,
    `/incident force-close <!-- mainline:record kind=force-close repo=${repoId} incident=${incident} by=ada at=2026-01-01T00:00:00.000Z reason=x source=1:1 sig=${"0".repeat(64)} -->`,
    `/merge-back ${SIDE} <!--mainline:merge-back-done sha=${SIDE} commit=${MAIN_HEAD} way=reachable-->`,
    `/mainline nonsense --><!-- mainline:ledger incident=${incident} --><!--`,
  ];
}

test.concurrent("marker syntax in commands the app echoes back gives no record and opens no gate", async () => {
  const s = scene(world);
  const incident = await s.incident();
  const comment = await s.say(incident, "rex", hostileLines(incident, s.repo.id).join("\n"));
  const reply = s.replyTo(incident, comment)!;
  expect(reply).toContain("mainline could not run these commands");
  // Nothing the reader typed stands in the reply as a comment opener or closer.
  const echoed = reply.replace(`<!-- mainline:reply source=${comment} -->`, "");
  expect(echoed).not.toMatch(/<!--|-->/);
  const records = s.records(incident);
  expect([records.of("exception"), records.of("force-close"), records.of("merge-back")]).toEqual([[], [], []]);
  expect(records.tampered).toEqual([]);
  expect(await s.gate(SIDE)).toBe("rejected");
}, 60_000);

test.concurrent("a reader's copy of a genuine record is not a record", async () => {
  const s = scene(world);
  const incident = await s.incident();
  // A real signed record of this very incident, as a maintainer's grant would write it: rex pastes it as a comment.
  const genuine = recordBody(WEBHOOK_SECRET, "exception", { repo: s.repo.id, incident }, { sha: SIDE, env: "production", by: "mona", at: "2026-01-01T00:00:00.000Z", expires: FUTURE, reason: "x", source: "1:1" }, "🟠 Exception granted");
  await s.say(incident, "rex", genuine);
  expect(s.records(incident).of("exception")).toEqual([]);
  expect(await s.gate(SIDE)).toBe("rejected");
}, 60_000);

test.concurrent("commands that need a role answer what is needed, and change nothing", async () => {
  const s = scene(world);
  const incident = await s.incident();
  const comment = await s.say(incident, "rex", [`/hotfix allow ${SIDE} -- trust me`, `/merge-back ${SIDE}`, "/incident close", "/incident force-close it is fine"].join("\n"));
  const reply = s.replyTo(incident, comment)!;
  expect(reply).toContain("this needs the maintain role or higher in this repository; **rex** has read");
  expect(reply).toContain("this needs the write role or higher in this repository; **rex** has read");
  expect(reply).toContain("this needs the admin role or higher in this repository; **rex** has read");
  expect(s.issue(incident).state).toBe("open");
  expect(s.byLabel("merge-back")).toEqual([]);
  expect(await s.gate(SIDE)).toBe("rejected");
}, 60_000);

test.concurrent("a comment of 100 command lines runs 10 distinct ones and says what it skipped, at a bounded cost", async () => {
  const s = scene(world);
  const incident = await s.incident();
  const lines = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? `/hotfix allow ${SIDE} production -- attempt ${i}` : "/mainline help"));
  const before = world.github.log.length;
  const comment = await s.say(incident, "rex", lines.join("\n"));
  const calls = world.github.log.slice(before).filter((r) => r.path.includes(`/${s.repo.name}/`));
  const reply = s.replyTo(incident, comment)!;
  expect(reply).toContain("Skipped: 41 command lines past the first 10 (post them in another comment); 49 repeated lines (each distinct line runs once).");
  // MAINLINE_SECURITY_FIGURES=1 prints the figure quoted in the release note.
  if (process.env.MAINLINE_SECURITY_FIGURES) console.log(`100-line comment by a reader: ${calls.length} API calls`);
  expect(calls.length).toBeLessThanOrEqual(12);
  expect(await s.gate(SIDE)).toBe("rejected");
}, 60_000);

test.concurrent("100 lines of /mainline status (anyone may run it) run once: the 505 calls such a comment cost before are gone", async () => {
  const s = scene(world);
  const incident = await s.incident();
  const before = world.github.log.length;
  const comment = await s.say(incident, "rex", Array.from({ length: 100 }, () => "/mainline status").join("\n"));
  const calls = world.github.log.slice(before).filter((r) => r.path.includes(`/${s.repo.name}/`));
  if (process.env.MAINLINE_SECURITY_FIGURES) console.log(`100 x /mainline status by a reader: ${calls.length} API calls`);
  expect(s.replyTo(incident, comment)).toContain("Skipped: 99 repeated lines (each distinct line runs once).");
  expect(calls.length).toBeLessThanOrEqual(25);
}, 60_000);

test.concurrent("the same command spelt ten ways runs once", async () => {
  const s = scene(world);
  const incident = await s.incident();
  const spellings = ["/mainline status", "/Mainline status", "/MAINLINE STATUS", "/mainline Status", "/mainLine sTatus", "/mainline  status", "/mainline\tstatus", "/MainLine Status", "/mAinline status", "/mainlinE status"];
  const before = world.github.log.length;
  await s.say(incident, "rex", spellings.join("\n"));
  const calls = world.github.log.slice(before).filter((r) => r.path.includes(`/${s.repo.name}/`));
  expect(calls.length).toBeLessThanOrEqual(25);
}, 60_000);

test.concurrent("issues a template labels as incidents or merge-back items do not raise what a reader's command costs", async () => {
  const s = scene(world);
  const incident = await s.incident();
  for (let i = 0; i < 150; i++) {
    const fake = world.github.userIssue(s.repo, { title: `fake ${i}`, login: "rex", labels: [i % 2 ? "incident" : "merge-back"], body: `<!-- mainline:merge-back incident=${incident} sha=${SIDE} -->` });
    void fake;
  }
  const before = world.github.log.length;
  await s.say(incident, "rex", "/mainline status");
  const calls = world.github.log.slice(before).filter((r) => r.path.includes(`/${s.repo.name}/`));
  if (process.env.MAINLINE_SECURITY_FIGURES) console.log(`/mainline status with 150 template-labelled issues: ${calls.length} API calls`);
  expect(calls.length).toBeLessThanOrEqual(25);
}, 60_000);

test.concurrent("an unsigned webhook is refused and changes nothing", async () => {
  const s = scene(world);
  const incident = await s.incident();
  const [event, payload] = s.hooks.comment(incident, "ada", `/incident force-close unsigned`);
  const before = world.github.log.length;
  const res = await world.app.deliver(event, payload, { signature: null });
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  // Other scenes run side by side on the same GitHub: only this repository's requests are this webhook's.
  const installation = (payload as { installation: { id: number } }).installation.id;
  expect(world.github.log.slice(before).filter((r) => r.path.includes(`/${s.repo.name}/`) || r.path.includes(`/installations/${installation}/`))).toEqual([]);
  expect(s.issue(incident).state).toBe("open");
}, 60_000);

test("hostile comments of any shape, through the real server, leave no record and no comment syntax in the replies", async () => {
  const fragment = fc.constantFrom("<!--", "-->", "--!>", "<!-- mainline:record kind=force-close repo=1 incident=1 ", `sig=${"0".repeat(64)} -->`, "/hotfix allow ", "/incident force-close ", "/mainline ", "/merge-back ", "\n", "`", "```\n", "> ", "@ada", SIDE.slice(0, 9), " -- ");
  const comment = fc.array(fc.oneof(fragment, fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 40 }).map((parts) => parts.join(""));
  await fc.assert(
    fc.asyncProperty(comment, async (body) => {
      const s = scene(world);
      const issue = world.github.userIssue(s.repo, { title: "Question", login: "rex" }).number;
      await s.say(issue, "rex", body);
      const records = s.records(issue);
      expect(["incident", "exception", "force-close", "merge-back", "deploy"].flatMap((kind) => records.of(kind as "exception"))).toEqual([]);
      for (const reply of s.appComments(issue)) expect(reply.body.replace(/<!-- mainline:reply source=\d+ -->$/, "")).not.toMatch(/<!--|-->/);
    }),
    { numRuns: 12 },
  );
}, 120_000);
