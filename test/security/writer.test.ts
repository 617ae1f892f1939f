import { MAIN_HEAD, scene, SIDE, SIDE_PATCH, startWorld, stopWorld, type Scene, type World } from "./world.js";

/**
 * A writer can also edit or delete anyone's comments and issue bodies, and push to branches.
 * An edited or deleted record counts as absent until the app writes it back (it does, and says
 * who changed it); a body or a commit message claims nothing the app believes.
 */
let world: World;
beforeAll(async () => (world = await startWorld()), 30_000);
afterAll(() => stopWorld(world));
afterEach(() => expect(world.github.problems).toEqual([]));

async function usedException(s: Scene) {
  const incident = await s.incident();
  await s.say(incident, "mona", `/hotfix allow ${SIDE} production -- checkout is down`);
  expect(await s.gate(SIDE)).toBe("approved");
  const [item] = s.byLabel("merge-back");
  return { incident, item: item!.number };
}

const recordComment = (s: Scene, incident: number, kind: string) => s.appComments(incident).find((c) => c.body.startsWith(`<!-- mainline:record kind=${kind} `))!;

test.concurrent("editing the merge-back issue's body to name a commit on main neither closes the item nor the incident", async () => {
  const s = scene(world);
  const { incident, item } = await usedException(s);
  const forged = s.issue(item).body!.replace(`sha=${SIDE}`, `sha=${MAIN_HEAD}`);
  await s.send(s.hooks.issueEdited(item, "wendy", forged));
  await s.send(s.hooks.issueClosed(item, "wendy"));
  expect(s.issue(item).state).toBe("open");
  await s.send(s.hooks.issueClosed(incident, "wendy"));
  expect(s.issue(incident).state).toBe("open");
  expect(s.appComments(incident).at(-1)?.body).toContain(`merge-back #${item}: ddddddd is not on main yet`);
}, 90_000);

test.concurrent("an edited record is written back, the incident says who changed it, and the gate reads the check run meanwhile", async () => {
  const s = scene(world);
  const incident = await s.incident();
  await s.say(incident, "mona", `/hotfix allow ${SIDE} production -- checkout is down`);
  const grant = recordComment(s, incident, "exception");
  const original = grant.body;
  await s.send(s.hooks.commentEdited(grant.id, "wendy", original.replace("env=production", "env=staging")));
  expect(s.repo.comments.get(grant.id)!.body).toBe(original);
  expect(s.appComments(incident).some((c) => c.body.includes("**wendy** edited one of mainline's comments"))).toBe(true);
  expect(s.records(incident).of("exception")).toHaveLength(1);
  expect(s.records(incident).tampered).toEqual([]);
  expect(await s.gate(SIDE)).toBe("approved");
}, 90_000);

test.concurrent("until a changed record is written back, none of the incident's exceptions is in force", async () => {
  const s = scene(world);
  const incident = await s.incident();
  await s.say(incident, "mona", `/hotfix allow ${SIDE} production -- checkout is down`);
  const grant = recordComment(s, incident, "exception");
  const original = grant.body;
  // GitHub refuses the write-back (an error no client retries): the delivery fails, to be redelivered.
  const heal = world.github.fail((method, path) => method === "PATCH" && path.startsWith(`/repos/Codertocat/${s.repo.name}/issues/comments/${grant.id}`), { status: 403, body: { message: "Resource not accessible by integration" } });
  const edited = s.hooks.commentEdited(grant.id, "wendy", original.replace("reason=", "reason=forged%20"));
  expect((await world.app.deliver(...edited)).status).toBeGreaterThanOrEqual(400);
  expect(await s.gate(SIDE)).toBe("rejected");
  heal();
  await s.send(edited);
  expect(s.repo.comments.get(grant.id)!.body).toBe(original);
  expect(await s.gate(SIDE)).toBe("approved");
}, 120_000);

test.concurrent("two quick edits of the incident's record: the original comes back, never the first edit, and the incident still cannot close", async () => {
  const s = scene(world);
  const { incident, item } = await usedException(s);
  const record = recordComment(s, incident, "incident");
  const original = record.body;
  const first = s.hooks.commentEdited(record.id, "wendy", "just a note");
  const second = s.hooks.commentEdited(record.id, "wendy", "another note");
  await s.send(first);
  await s.send(second);
  expect(s.repo.comments.get(record.id)!.body).toBe(original);
  expect(s.appComments(incident).some((c) => c.body === "just a note")).toBe(false);
  await s.send(s.hooks.issueClosed(incident, "wendy"));
  expect(s.issue(incident).state).toBe("open");
  expect(s.appComments(incident).at(-1)?.body).toContain(`merge-back #${item}: ddddddd is not on main yet`);
  expect(await s.gate(SIDE)).toBe("rejected");
}, 120_000);

test.concurrent("an edit then a deletion: what the app posts back is its own record, never the edit", async () => {
  const s = scene(world);
  const incident = await s.incident();
  await s.say(incident, "mona", `/hotfix allow ${SIDE} production -- checkout is down`);
  const grant = recordComment(s, incident, "exception");
  const original = grant.body;
  const edited = s.hooks.commentEdited(grant.id, "wendy", "<!-- mainline:reply source=999999999 -->\n\nnothing to see");
  const deleted = s.hooks.commentDeleted(grant.id, "wendy");
  await s.send(edited);
  await s.send(deleted);
  const bodies = s.appComments(incident).map((c) => c.body);
  expect(bodies.filter((b) => b === original)).toHaveLength(1);
  expect(bodies.some((b) => b.includes("source=999999999"))).toBe(false);
  expect(s.records(incident).of("exception")).toHaveLength(1);
}, 120_000);

test.concurrent("a reply marker planted in an older app comment does not silence a later command", async () => {
  const s = scene(world);
  const incident = await s.incident();
  await s.say(incident, "mona", `/hotfix allow ${SIDE} production -- checkout is down`);
  const grant = recordComment(s, incident, "exception");
  // wendy rewrites the app's ledger (an unsigned comment) to answer the next comment ids in advance.
  const ledger = s.appComments(incident).find((c) => c.body.startsWith("<!-- mainline:ledger"))!;
  const next = world.github.nextId();
  s.repo.comments.get(ledger.id)!.body = `${ledger.body}\n\n${Array.from({ length: 20 }, (_, i) => `<!-- mainline:reply source=${next + i} -->`).join("\n\n")}`;
  await s.say(incident, "max", `/hotfix revoke ${SIDE}`);
  expect(s.records(incident).of("revoke")).toEqual([expect.objectContaining({ sha: SIDE, by: "max" })]);
  expect(await s.gate(SIDE)).toBe("rejected");
  void grant;
}, 120_000);

test.concurrent("deleting a revoke record neither brings the exception back nor loses the record", async () => {
  const s = scene(world);
  const incident = await s.incident();
  await s.say(incident, "mona", `/hotfix allow ${SIDE} production -- checkout is down`);
  await s.say(incident, "mona", `/hotfix revoke ${SIDE}`);
  expect(await s.gate(SIDE)).toBe("rejected");
  const revoke = recordComment(s, incident, "revoke");
  await s.send(s.hooks.commentDeleted(revoke.id, "wendy"));
  expect(await s.gate(SIDE)).toBe("rejected");
  expect(s.records(incident).of("revoke")).toEqual([expect.objectContaining({ sha: SIDE, by: "mona" })]);
  expect(s.appComments(incident).some((c) => c.body.includes("**wendy** deleted one of mainline's comments"))).toBe(true);
}, 90_000);

test.concurrent("deleting the merge-back record and closing the incident: the record comes back and the incident reopens", async () => {
  const s = scene(world);
  const { incident, item } = await usedException(s);
  const deploy = recordComment(s, incident, "deploy");
  // The deletion's webhook is delayed (GitHub queued it): the close arrives first.
  const deleted = s.hooks.commentDeleted(deploy.id, "wendy");
  await s.send(s.hooks.issueClosed(incident, "wendy"));
  await s.send(deleted);
  expect(s.issue(incident).state).toBe("open");
  expect(s.records(incident).of("deploy")).toEqual([expect.objectContaining({ sha: SIDE, issue: item })]);
}, 90_000);

test.concurrent("an app comment edited into a record-shaped body is no record: a forged force-close closes nothing", async () => {
  const s = scene(world);
  const { incident } = await usedException(s);
  const comment = await s.say(incident, "wendy", "/mainline nonsense");
  const reply = s.appComments(incident).find((c) => c.body.includes(`source=${comment}`))!;
  const forged = `<!-- mainline:record kind=force-close repo=${s.repo.id} incident=${incident} by=ada at=2026-12-07T00%3A00%3A00.000Z reason=done source=1%3A1 sig=${"a".repeat(64)} -->\n\n⛔ Force-closed`;
  // The same second as the app's write: timestamps say nothing; the signature does.
  s.repo.comments.get(reply.id)!.body = forged;
  await s.send(s.hooks.issueClosed(incident, "wendy"));
  expect(s.issue(incident).state).toBe("open");
  expect(s.records(incident).of("force-close")).toEqual([]);
  expect(s.appComments(incident).at(-1)?.body).toContain("a mainline record here was changed by someone else");
}, 90_000);

test.concurrent("a commit on main whose note claims S but changes something else does not close S's item", async () => {
  const s = scene(world);
  const { incident, item } = await usedException(s);
  const other = "diff --git a/readme.md b/readme.md\n--- a/readme.md\n+++ b/readme.md\n@@ -1 +1 @@\n-old\n+new\n";
  await s.send(s.hooks.push("main", "wendy", [{ sha: "e".repeat(40), message: `Docs\n\n(cherry picked from commit ${SIDE})`, diff: other }]));
  expect(s.issue(item).state).toBe("open");
  // Closed anyway: reopened, and the incident says the note is a claim, not proof.
  await s.send(s.hooks.issueClosed(incident, "wendy"));
  expect(s.issue(incident).state).toBe("open");
  const ledger = s.appComments(incident).find((c) => c.body.startsWith("<!-- mainline:ledger"))!;
  for (const said of [s.appComments(incident).at(-1)!.body, ledger.body]) expect(said).toContain("a note is a claim: eeeeeee says it was cherry-picked from ddddddd but its change does not contain ddddddd's");
  await s.send(s.hooks.push("main", "wendy", [{ sha: "f".repeat(40), message: `Retry charges\n\n(cherry-picked from commit ${SIDE.slice(0, 9)})`, diff: SIDE_PATCH }]));
  expect(s.issue(item).state).toBe("closed");
  expect(s.issue(incident).state).toBe("open");
}, 90_000);

test.concurrent("GitHub refusing a diff while a close is judged: the incident is reopened (could not verify), and the exception ended", async () => {
  const s = scene(world);
  const { incident } = await usedException(s);
  const refuse = world.github.fail((method, path) => method === "GET" && path.startsWith(`/repos/Codertocat/${s.repo.name}/commits/`) && !path.includes("check-runs") && !path.includes("pulls"), { status: 422, body: { message: "Sorry, this diff is taking too long to generate." } });
  await s.send(s.hooks.issueClosed(incident, "wendy"));
  refuse();
  expect(s.issue(incident).state).toBe("open");
  expect(await s.gate(SIDE)).toBe("rejected");
}, 120_000);

// wendy made a commit whose sha shares SIDE's first 7 characters, and named a ref after them where
// git's rev-parse (and so GitHub) looks before it reads an object id.
test.concurrent.each([
  ["a branch", "refs/heads/"],
  ["a tag", "refs/tags/"],
  ["a remote-tracking ref", "refs/remotes/"],
  ["a bare refs/<sha> ref", "refs/"],
])("%s named like the short sha a maintainer types does not get its commit an exception", async (_what, prefix) => {
  const s = scene(world);
  const evil = `${SIDE.slice(0, 7)}${"e".repeat(33)}`;
  world.github.commit(s.repo, evil, MAIN_HEAD, undefined, "Looks like the fix");
  const name = SIDE.slice(0, 7);
  if (prefix === "refs/heads/") s.repo.branches.set(name, evil);
  else if (prefix === "refs/tags/") s.repo.tags.set(name, evil);
  else s.repo.otherRefs.set(`${prefix}${name}`, evil);
  const incident = await s.incident();
  const comment = await s.say(incident, "mona", `/hotfix allow ${SIDE.slice(0, 7)} production -- checkout is down`);
  expect(s.replyTo(incident, comment)).toContain(
    `\`${SIDE.slice(0, 7)}\` is also the name of a branch, tag or other ref in this repository, which GitHub reads before a commit, so it could mean another commit: type the commit's full sha`,
  );
  expect(await s.gate(evil)).toBe("rejected");
  expect(await s.gate(SIDE)).toBe("rejected");
}, 120_000);

test.concurrent("a writer cannot grant: /hotfix allow needs the maintain role", async () => {
  const s = scene(world);
  const incident = await s.incident();
  const comment = await s.say(incident, "wendy", `/hotfix allow ${SIDE} production -- I am sure`);
  expect(s.replyTo(incident, comment)).toContain("this needs the maintain role or higher in this repository; **wendy** has write");
  expect(await s.gate(SIDE)).toBe("rejected");
}, 90_000);

test.concurrent("a revoke takes effect whatever happened to the grant's comment (deleted, its deletion not yet handled)", async () => {
  const s = scene(world);
  const incident = await s.incident();
  await s.say(incident, "mona", `/hotfix allow ${SIDE} production -- checkout is down`);
  const grant = recordComment(s, incident, "exception");
  // wendy (write) deletes the grant's record; its issue_comment.deleted is delivered after max's revoke.
  const deleted = s.hooks.commentDeleted(grant.id, "wendy");
  await s.say(incident, "max", `/hotfix revoke ${SIDE}`);
  expect(s.records(incident).of("revoke")).toHaveLength(1);
  await s.send(deleted);
  expect(await s.gate(SIDE)).toBe("rejected");
}, 90_000);
