import { loopbackWorld, onLoopbackGitHub, S, type LoopbackWorld } from "../helpers/loopback-world.js";

/**
 * `issues.transferred` where mainline cannot see all that left (SPEC 8, 11), against the loopback
 * GitHub: what the app writes here so that the hotfix budget does not forget what may have left.
 * (A move to a repository the app cannot read at all is told end to end in
 * test/server/transferred-incident.test.ts.)
 */
const NOW = "2026-11-20T12:00:00.000Z";
const EARLIER = "2026-11-10T09:00:00.000Z";

let world: LoopbackWorld;

onLoopbackGitHub(() => world, { afterAll: "open" });

const appIssues = (title: string) => [...world.repo.issues.values()].filter((i) => i.user.type === "Bot" && i.title === title);
const recordLines = (number: number) => world.appBodies(number).map((b) => b.split("\n")[0]!.replace(/ sig=[0-9a-f]{64} -->$/, ""));

test("an incident with more comments than mainline reads: the deploys it read are kept, and a record says the rest left unread", async () => {
  world = await loopbackWorld({ config: "hotfix:\n  budget: { count: 3, days: 30 }\n" });
  const elsewhere = world.github.addRepo(world.repo.owner, "elsewhere");
  world.githubAt(EARLIER);
  world.personIssue(7, { title: "Payments fail", labels: ["incident"] });
  world.record(7, "incident", { by: "tess", via: "label", at: EARLIER, rca: 8 }, "🚨 This issue is an incident.");
  world.record(7, "deploy", { sha: S, env: "production", deployment: 71, at: EARLIER, issue: 9 }, "🚀 Let through.");
  for (let i = 0; i < 3_000; i++) world.personComment(7, "bob", `noise ${i}`);
  world.at(NOW);

  await world.deliver(world.hooks.issueTransferred(7, "bob", elsewhere));

  const [trail, ...more] = appIssues("Incident #7 left this repository");
  expect(more).toEqual([]);
  expect(recordLines(trail!.number)).toEqual([
    `<!-- mainline:record kind=deploy repo=${world.repo.id} incident=7 sha=${S} env=production deployment=71 at=${encodeURIComponent(EARLIER)} issue=9`,
    `<!-- mainline:record kind=unread-transfer repo=${world.repo.id} incident=7 by=bob to=${encodeURIComponent(`${world.repo.owner}/elsewhere`)} at=${encodeURIComponent(NOW)} read=part`,
  ]);
  expect(world.appBodies(trail!.number)[1]).toContain(`(more comments than mainline reads)`);
});

test("the issue keeping the record that an issue left unread is moved in turn: the record is written again here", async () => {
  world = await loopbackWorld({ config: "hotfix:\n  budget: { count: 3, days: 30 }\n" });
  const elsewhere = world.github.addRepo(world.repo.owner, "elsewhere");
  world.githubAt(EARLIER);
  const body = world.recordText(4, "transfer", { moved: 4, by: "bob", to: "acme/secret", at: EARLIER }, "#4 left this repository.");
  world.appIssue(12, { title: "Issue #4 left this repository unread", body });
  world.record(4, "unread-transfer", { by: "bob", to: "acme/secret", at: EARLIER, read: "none" }, "⚠️ #4 left this repository unread.", 12);
  world.at(NOW);

  const transfer = world.hooks.issueTransferred(12, "carol", elsewhere);
  await world.deliver(transfer);

  const [kept, ...more] = appIssues("Issue #4 left this repository unread");
  expect(more).toEqual([]);
  expect(kept!.number).not.toBe(12);
  expect(kept!.body).toContain(`#12, which kept mainline's record that #4 left unread here, left this repository: **carol** transferred it to`);
  expect(kept!.body).toContain("\n\n- #4, transferred to acme/secret by **bob**; mainline heard of it at 2026-11-10T09:00:00.000Z: a repository mainline cannot read\n\n");
  expect(recordLines(kept!.number)).toEqual([`<!-- mainline:record kind=unread-transfer repo=${world.repo.id} incident=4 by=bob to=acme%2Fsecret at=${encodeURIComponent(EARLIER)} read=none`]);
  expect(world.appBodies(kept!.number)[0]).toMatch(/Its record, written here again when #12 left this repository\.$/);

  // A redelivery writes nothing twice.
  const mark = world.mark();
  await world.deliver(transfer);
  expect(world.writes(mark)).toEqual([]);
});
