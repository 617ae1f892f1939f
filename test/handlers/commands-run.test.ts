import type { RecordFields } from "../../src/records.js";
import { exceptionTable, ledgerText, mergeBackBody, mergeBackTable, RCA_BLOCKERS_UNWRITTEN, RCA_ROW_UNWRITTEN, rcaTemplateBody } from "../helpers/incident-texts.js";
import { exceptionRunState, type ExceptionRunState } from "../helpers/exception-fixtures.js";
import { incidentWorld, onLoopbackGitHub, S, type LoopbackWorld } from "../helpers/loopback-world.js";

/**
 * Commands that run, against the loopback GitHub: incident #7 "Payments fail" (made one by tess's
 * label at 10:00, RCA #8 recorded with it), a command comment at 12:00. What is asserted is what
 * GitHub holds afterwards: the exact records and replies written, the `mainline/exception` check
 * run (the exception's state the gate reads), the ledger, 👍; and how many requests it took.
 */
const NOW = "2026-11-20T12:00:00.000Z";
const LABELED = "2026-11-20T10:00:00.000Z";
const ALICE_AT = "2026-11-20T11:00:00.000Z";
const ALICE_EXPIRES = "2026-11-20T15:00:00.000Z";
/** The two-approval policy, in the repository's `.github/mainline.yml`. */
const TWO_APPROVALS = "override:\n  approvals: 2\n";

const WRITTEN_RCA = rcaTemplateBody({
  incident: 7,
  title: "Payments fail",
  sections: { timeline: "16:02 payments fail.", rootCause: "The retry flag was dropped.", actionItems: "- [ ] Test the retry path." },
});

/** What an incident #7 ledger says while RCA #8 is its only blocker. */
const RCA_ONLY_BLOCKS = `**Status:** cannot close yet (2 blocking):\n${RCA_BLOCKERS_UNWRITTEN(8)}`;
const LEDGER_BEFORE = ledgerText({ incident: 7, status: RCA_ONLY_BLOCKS, rca: RCA_ROW_UNWRITTEN(8) });
/** Incident #7's ledger with one exception for 2222222 to production, in `state`, granted by `by` at `at`. */
const ledgerWithException = ({ by, at, state }: { by: string; at: string; state: string }) =>
  ledgerText({
    incident: 7,
    status: RCA_ONLY_BLOCKS,
    exceptions: exceptionTable({ commit: "2222222", environment: "production", by, at, reason: "payments down", state }),
    rca: RCA_ROW_UNWRITTEN(8),
  });

/** What the people read under the record `/hotfix allow 2222222 production -- payments down` writes (ttlHours 4). */
const grantText = ({ by, expires, second = false }: { by: string; expires: string; second?: boolean }) =>
  `🟠 Exception granted by **${by}**: \`2222222\` may deploy to production until ${expires} although it is not on \`master\`. Reason: payments down.` +
  (second ? " It needs a second person's `/hotfix approve 2222222` before it can be used." : "");
/**
 * The exception's fields, in the order the app writes them; `by`'s account as the loopback GitHub
 * knows it; `approvals`: what the grant decided it needs (left out: a grant recorded before that was).
 */
const grantFields = ({ by, at, expires, source, approvals }: { by: string; at: string; expires: string; source: string; approvals?: 1 | 2 }): RecordFields<"exception"> => ({
  sha: S,
  by,
  at,
  source,
  account: world.github.user(by).id,
  env: "production",
  expires,
  reason: "payments down",
  ...(approvals ? { approvals } : {}),
});
/** The state of an exception's check run for alice's grant at 11:00 (from comment 9000, line 1). */
const aliceRun = (over: Partial<ExceptionRunState> = {}): ExceptionRunState =>
  exceptionRunState({ incident: 7, sha: S, at: ALICE_AT, expires: ALICE_EXPIRES, source: "9000:1", ...over });

/**
 * Most requests one command line may cost, token and config included: the thread and the 👍 look,
 * the role, the sha, the exception's check runs, the record and the run, and the ledger's rewrite.
 */
// A short sha is one GraphQL query, which also asks for every ref named like it (a ref named like a
// short sha is refused; REST took 3 reads); a delivery reads a thread once until it writes there.
const BUDGET = { allow: 15, unknownSha: 8, refusedHotfix: 10, approve: 14, revoke: 15, forceClose: 16, mergeBack: 16, close: 15, closeRefused: 10 };

let world: LoopbackWorld;

onLoopbackGitHub(() => world, { afterAll: "open" });

/** Incident #7 with its record, RCA #8 and the ledger `ledger`; `config` in the repository; octocat, alice and bob maintainers. */
async function layOut({ config, rca = "open", ledger = LEDGER_BEFORE }: { config?: string; rca?: "open" | "written"; ledger?: string } = {}) {
  world = await incidentWorld(config === undefined ? {} : { config });
  world.githubAt(LABELED);
  world.personIssue(7, { title: "Payments fail", labels: ["incident"] });
  world.record(7, "incident", { by: "tess", via: "label", at: LABELED, rca: 8 }, "🚨 This issue is an incident: **tess** added the `incident` label.");
  world.appIssue(8, rca === "written" ? { title: "RCA: Payments fail", body: WRITTEN_RCA, labels: ["rca"], state: "closed" } : { title: "RCA: Payments fail", body: rcaTemplateBody({ incident: 7, title: "Payments fail" }), labels: ["rca"] });
  const ledgerComment = world.appComment(7, ledger);
  for (const login of ["octocat", "alice", "bob"]) world.role(login, "maintain");
  return ledgerComment;
}

/** alice's `/hotfix allow` at 11:00 as the app recorded it: the record (from comment 9000) and the check run. */
function aliceGranted(run: ExceptionRunState) {
  world.githubAt(ALICE_AT);
  world.record(7, "exception", grantFields({ by: "alice", at: ALICE_AT, expires: ALICE_EXPIRES, source: "9000:1" }), grantText({ by: "alice", expires: ALICE_EXPIRES, second: run.approvals === 2 }));
  world.exceptionRun(run);
}

/** `login` comments `body` on #7 at 12:00, and the app handles it. Returns the comment. */
async function say(login: string, body: string) {
  world.at(NOW);
  const mark = world.mark();
  const event = world.hooks.comment(7, login, body);
  await world.deliver(event);
  const comment = world.repo.comments.get((event[1] as { comment: { id: number } }).comment.id)!;
  return { comment, source: `${comment.id}:1`, mark };
}

/** The one reply the app posts on #7 when a command could not run. */
const refusal = (comment: { id: number }, line: string, error: string) =>
  `mainline could not run this command from [your comment](${world.commentUrl(comment as never)}):\n\n- \`${line}\`: ${error}\n\n<!-- mainline:reply source=${comment.id} -->`;

/** The app's comments on #7 written by the command, and the ledger's body now. */
const newBodies = (before: number) => world.appBodies(7).slice(before);

describe("/hotfix allow", () => {
  test("a maintainer's grant resolves the short SHA, writes the exception record and its check run, rewrites the ledger, and gets 👍", async () => {
    const ledger = await layOut();
    const before = world.appBodies(7).length;

    const { comment, source } = await say("octocat", "/hotfix allow 2222222 production -- payments down");

    const expires = "2026-11-20T16:00:00.000Z";
    expect(newBodies(before)).toEqual([world.recordText(7, "exception", grantFields({ by: "octocat", at: NOW, expires, source, approvals: 1 }), grantText({ by: "octocat", expires }))]);
    expect(world.exceptionRuns()).toEqual([
      { id: expect.any(Number), state: { incident: 7, sha: S, env: "production", by: "octocat", at: NOW, expires, approvals: 1, approved: "", revoked: "", used: "", ended: "", suspended: "", source } },
    ]);
    expect([...world.repo.checkRuns!.values()].map((r) => [r.name, r.head_sha, r.conclusion])).toEqual([["mainline/exception", S, "neutral"]]);
    expect(world.repo.comments.get(ledger.id)!.body).toBe(ledgerWithException({ by: "octocat", at: NOW, state: `active until ${expires}` }));
    expect(world.thumbsUp(comment.id)).toEqual(["mainline[bot]"]);
    // The short sha: one query, for the commit and the refs that could shadow it (no REST read of it).
    expect(world.calls().filter((c) => c.includes("/commits/2222222?") || c.endsWith("/graphql"))).toEqual(["POST /api/graphql"]);
    expect(world.calls().length).toBeLessThanOrEqual(BUDGET.allow);
  });

  test("an unknown SHA is answered with a reply naming it, and nothing is recorded", async () => {
    await layOut();
    const before = world.appBodies(7).length;

    const { comment } = await say("octocat", "/hotfix allow abcdef1 -- payments down");

    expect(newBodies(before)).toEqual([refusal(comment, "/hotfix allow abcdef1 -- payments down", "`abcdef1` is not a commit in this repository")]);
    expect(world.writes()).toEqual([{ method: "POST", path: `${world.api}/issues/7/comments`, body: { body: newBodies(before)[0] } }]);
    expect(world.repo.checkRuns ?? new Map()).toEqual(new Map());
    expect(world.calls().length).toBeLessThanOrEqual(BUDGET.unknownSha);
  });
});

describe("/hotfix with override.approvals: 2", () => {
  test("the grant says it needs a second person's approval, and its check run and the ledger show it waiting", async () => {
    const ledger = await layOut({ config: TWO_APPROVALS });
    const before = world.appBodies(7).length;

    const { comment, source } = await say("octocat", "/hotfix allow 2222222 production -- payments down");

    const expires = "2026-11-20T16:00:00.000Z";
    expect(newBodies(before)).toEqual([world.recordText(7, "exception", grantFields({ by: "octocat", at: NOW, expires, source, approvals: 2 }), grantText({ by: "octocat", expires, second: true }))]);
    expect(world.exceptionRuns().map((r) => r.state)).toEqual([
      { incident: 7, sha: S, env: "production", by: "octocat", at: NOW, expires, approvals: 2, approved: "", revoked: "", used: "", ended: "", suspended: "", source },
    ]);
    expect(world.repo.comments.get(ledger.id)!.body).toBe(ledgerWithException({ by: "octocat", at: NOW, state: "awaiting approval" }));
    expect(world.thumbsUp(comment.id)).toEqual(["mainline[bot]"]);
  });

  test("the grantor's own /hotfix approve is refused: a second person must approve", async () => {
    await layOut({ config: TWO_APPROVALS, ledger: ledgerWithException({ by: "alice", at: ALICE_AT, state: "awaiting approval" }) });
    aliceGranted(aliceRun({ approvals: 2 }));
    const before = world.appBodies(7).length;

    const { comment } = await say("alice", "/hotfix approve 2222222");

    expect(newBodies(before)).toEqual([refusal(comment, "/hotfix approve 2222222", "you granted this exception: a second person must approve it")]);
    expect(world.writes()).toEqual([{ method: "POST", path: `${world.api}/issues/7/comments`, body: { body: newBodies(before)[0] } }]);
    expect(world.exceptionRuns().map((r) => r.state)).toEqual([aliceRun({ approvals: 2 })]);
    expect(world.calls().length).toBeLessThanOrEqual(BUDGET.refusedHotfix);
  });

  test("the grantor's /hotfix approve under a new login (the account renamed, same id) is still the grantor's own: refused", async () => {
    await layOut({ config: TWO_APPROVALS, ledger: ledgerWithException({ by: "alice", at: ALICE_AT, state: "awaiting approval" }) });
    aliceGranted(aliceRun({ approvals: 2 }));
    world.github.renameUser("alice", "alice-renamed");
    const before = world.appBodies(7).length;

    const { comment } = await say("alice-renamed", "/hotfix approve 2222222");

    expect(newBodies(before)).toEqual([refusal(comment, "/hotfix approve 2222222", "you granted this exception: a second person must approve it")]);
    expect(world.writes()).toEqual([{ method: "POST", path: `${world.api}/issues/7/comments`, body: { body: newBodies(before)[0] } }]);
    expect(world.exceptionRuns().map((r) => r.state)).toEqual([aliceRun({ approvals: 2 })]);
    expect(world.calls().length).toBeLessThanOrEqual(BUDGET.refusedHotfix);
  });

  test("another maintainer's /hotfix approve writes the approval record, makes the exception active, and gets 👍", async () => {
    const ledger = await layOut({ config: TWO_APPROVALS, ledger: ledgerWithException({ by: "alice", at: ALICE_AT, state: "awaiting approval" }) });
    aliceGranted(aliceRun({ approvals: 2 }));
    const before = world.appBodies(7).length;

    const { comment, source } = await say("bob", "/hotfix approve 2222222");

    expect(newBodies(before)).toEqual([
      world.recordText(7, "approval", { sha: S, by: "bob", at: NOW, source, account: world.github.user("bob").id }, "🟢 Second approval by **bob**: the exception for `2222222` may now be used."),
    ]);
    // The gate reads the run: approved by bob, so in force.
    expect(world.exceptionRuns().map((r) => r.state)).toEqual([aliceRun({ approvals: 2, approved: "bob" })]);
    // The ledger names the approver next to the grantor.
    expect(world.repo.comments.get(ledger.id)!.body).toBe(ledgerWithException({ by: "alice**, approved by **bob", at: ALICE_AT, state: `active until ${ALICE_EXPIRES}` }));
    expect(world.thumbsUp(comment.id)).toEqual(["mainline[bot]"]);
    expect(world.calls().length).toBeLessThanOrEqual(BUDGET.approve);
  });
});

describe("/hotfix revoke", () => {
  test("an unused exception is withdrawn: its check run says revoked, the revoke record, the ledger, 👍", async () => {
    const ledger = await layOut({ ledger: ledgerWithException({ by: "alice", at: ALICE_AT, state: `active until ${ALICE_EXPIRES}` }) });
    aliceGranted(aliceRun());
    const before = world.appBodies(7).length;

    const { comment, source } = await say("octocat", "/hotfix revoke 2222222");

    expect(newBodies(before)).toEqual([world.recordText(7, "revoke", { sha: S, by: "octocat", at: NOW, source }, "⚪ Exception for `2222222` withdrawn by **octocat**.")]);
    expect(world.exceptionRuns().map((r) => r.state)).toEqual([aliceRun({ revoked: "octocat" })]);
    expect(world.repo.comments.get(ledger.id)!.body).toBe(ledgerWithException({ by: "alice", at: ALICE_AT, state: "revoked" }));
    expect(world.thumbsUp(comment.id)).toEqual(["mainline[bot]"]);
    expect(world.calls().length).toBeLessThanOrEqual(BUDGET.revoke);
  });

  test("an exception a deployment already used is not withdrawn: the reply says so", async () => {
    await layOut();
    aliceGranted(aliceRun({ used: "2026-11-20T11:30:00.000Z" }));
    world.appIssue(9, { title: "Merge back 2222222 to master (incident #7)", body: mergeBackBody({ incident: 7, sha: S }), labels: ["merge-back"] });
    world.record(
      7,
      "deploy",
      { sha: S, env: "production", deployment: 145988746, at: "2026-11-20T11:30:00.000Z", issue: 9 },
      "🚀 `2222222` was let through to production under the exception (deployment 145988746).",
    );
    const before = world.appBodies(7).length;

    const { comment } = await say("octocat", "/hotfix revoke 2222222");

    expect(newBodies(before)).toEqual([refusal(comment, "/hotfix revoke 2222222", "the exception for 2222222 was already used by a deployment and cannot be withdrawn")]);
    expect(world.writes()).toEqual([{ method: "POST", path: `${world.api}/issues/7/comments`, body: { body: newBodies(before)[0] } }]);
    expect(world.exceptionRuns().map((r) => r.state)).toEqual([aliceRun({ used: "2026-11-20T11:30:00.000Z" })]);
    expect(world.calls().length).toBeLessThanOrEqual(BUDGET.refusedHotfix);
  });
});

describe("/incident force-close", () => {
  test("an admin's force-close records who and why, closes the incident over its blockers, and rewrites the ledger", async () => {
    const ledger = await layOut();
    world.role("octocat", "admin");
    const before = world.appBodies(7).length;

    const { comment, source } = await say("octocat", "/incident force-close we accept the risk");

    expect(newBodies(before)).toEqual([
      world.recordText(
        7,
        "force-close",
        { by: "octocat", at: NOW, reason: "we accept the risk", source },
        "⛔ Force-closed by **octocat**. Reason: we accept the risk. Closed over: " +
          'RCA #8: "Timeline", "Root cause", "Action items" have no content yet; RCA #8 is still open (close it when it is written).',
      ),
    ]);
    expect(world.issue(7)).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(world.repo.comments.get(ledger.id)!.body).toBe(
      ledgerText({ incident: 7, status: "**Status:** force-closed by **octocat** at 2026-11-20T12:00:00.000Z: we accept the risk", rca: RCA_ROW_UNWRITTEN(8) }),
    );
    expect(world.thumbsUp(comment.id)).toEqual(["mainline[bot]"]);
    expect(world.calls().length).toBeLessThanOrEqual(BUDGET.forceClose);
  });
});

describe("/merge-back", () => {
  test("a writer's /merge-back opens the merge-back issue with the SPEC's marker and label, records the item, and the ledger lists it", async () => {
    const ledger = await layOut();
    world.role("octocat", "write");
    const before = world.appBodies(7).length;

    const { comment } = await say("octocat", "/merge-back 2222222");

    // The body's advice is the redesign's: a cherry-pick counts only when it carries S's change.
    const body = mergeBackBody({ incident: 7, sha: S, how: "was marked for merge-back by hand in incident #7" }).replace(
      "(the `-x` trailer lets mainline recognise it)",
      "(the `-x` trailer lets mainline recognise it; the cherry-pick must carry the change itself)",
    );
    expect(body.startsWith(`<!-- mainline:merge-back incident=7 sha=${S} -->`)).toBe(true);
    const issue = world.issue(9);
    expect({ title: issue.title, body: issue.body, labels: issue.labels, assignees: issue.assignees, by: issue.user.login }).toEqual({
      title: "Merge back 2222222 to master (incident #7)",
      body,
      labels: ["merge-back"],
      assignees: [],
      by: "mainline[bot]",
    });
    // Which items an incident has comes from its records: the item is recorded in #7.
    expect(newBodies(before)).toEqual([
      world.recordText(7, "merge-back", { sha: S, issue: 9, at: NOW }, "🔁 `2222222` must reach `master`: #9 tracks it, and this incident cannot close before it is done."),
    ]);
    expect(world.repo.comments.get(ledger.id)!.body).toBe(
      ledgerText({
        incident: 7,
        status: `**Status:** cannot close yet (3 blocking):\n- merge-back #9: 2222222 is not on master yet\n${RCA_BLOCKERS_UNWRITTEN(8)}`,
        mergeBack: mergeBackTable({ issue: 9, commit: "2222222", state: "open, due 2026-11-21T12:00:00.000Z" }),
        rca: RCA_ROW_UNWRITTEN(8),
      }),
    );
    expect(world.thumbsUp(comment.id)).toEqual(["mainline[bot]"]);
    expect(world.calls().length).toBeLessThanOrEqual(BUDGET.mergeBack);
  });
});

describe("/incident close", () => {
  test("with nothing blocking it closes the incident as completed, the ledger says it is closed, and 👍", async () => {
    const ledger = await layOut({ rca: "written", ledger: ledgerText({ incident: 7, status: "**Status:** nothing blocks closing: `/incident close` closes it.", rca: "#8: done." }) });
    world.role("octocat", "write");

    const { comment } = await say("octocat", "/incident close");

    expect(world.issue(7)).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(world.repo.comments.get(ledger.id)!.body).toBe(ledgerText({ incident: 7, status: "**Status:** closed: its fixes are on main and its RCA is written.", rca: "#8: done." }));
    expect(world.writes().map((w) => `${w.method} ${w.path}`)).toEqual([
      `PATCH ${world.api}/issues/7`,
      `PATCH ${world.api}/issues/comments/${ledger.id}`,
      `POST ${world.api}/issues/comments/${comment.id}/reactions`,
    ]);
    expect(world.writes()[0]!.body).toEqual({ state: "closed", state_reason: "completed" });
    expect(world.thumbsUp(comment.id)).toEqual(["mainline[bot]"]);
    expect(world.calls().length).toBeLessThanOrEqual(BUDGET.close);
  });

  test("with a blocker it stays open and the reply lists what blocks it", async () => {
    await layOut();
    world.role("octocat", "write");
    const before = world.appBodies(7).length;

    const { comment } = await say("octocat", "/incident close");

    const reply = refusal(
      comment,
      "/incident close",
      'this incident cannot close yet:\n  - RCA #8: "Timeline", "Root cause", "Action items" have no content yet\n  - RCA #8 is still open (close it when it is written)',
    );
    expect(world.issue(7).state).toBe("open");
    expect(newBodies(before)).toEqual([reply]);
    // The ledger already says so: only the reply is written.
    expect(world.writes()).toEqual([{ method: "POST", path: `${world.api}/issues/7/comments`, body: { body: reply } }]);
    expect(world.thumbsUp(comment.id)).toEqual([]);
    expect(world.calls().length).toBeLessThanOrEqual(BUDGET.closeRefused);
  });
});
