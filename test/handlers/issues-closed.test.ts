import {
  ledgerText,
  mergeBackBody,
  mergeBackTable,
  RCA_BLOCKERS_UNWRITTEN,
  RCA_PROMPT,
  RCA_ROW_UNWRITTEN,
  rcaTemplateBody,
  type RcaSections,
} from "../helpers/incident-texts.js";
import type { ExceptionRunState } from "../helpers/exception-fixtures.js";
import { DIFF_OF_S, incidentWorld, onLoopbackGitHub, S, type LoopbackWorld } from "../helpers/loopback-world.js";

/**
 * The close gate against the loopback GitHub: incident #7 "Payments fail" (made one by tess's
 * label at 09:00, its RCA #8 and its merge-back item #9 for S recorded then), closed by a person at
 * 11:00; the app handles the event at 12:00. What is asserted is what GitHub holds afterwards (and
 * the exact bodies written), and how many requests it took, not the order of the reads.
 */
const OPENED = "2026-11-20T09:00:00.000Z";
const CLOSED_AT = "2026-11-20T11:00:00Z";
const NOW = "2026-11-20T12:00:00.000Z";

const rcaBody = (sections: RcaSections) => rcaTemplateBody({ incident: 7, title: "Payments fail", sections });
const UNWRITTEN_RCA = rcaTemplateBody({ incident: 7, title: "Payments fail" });
const WRITTEN_RCA = rcaBody({ timeline: "16:02 payments fail.", rootCause: "The retry flag was dropped.", actionItems: "- [ ] Test the retry path." });
const PARTIAL_RCA = rcaBody({ timeline: "16:02 payments fail.", rootCause: "The retry flag was dropped.", actionItems: RCA_PROMPT });

/** The ledger comment with the given status, merge-back and RCA sections (no exceptions, no deployments). */
const ledger = ({ status, mergeBack, rca }: { status: string; mergeBack?: string; rca: string }) => ledgerText({ incident: 7, status, mergeBack, rca });
const OPEN_ITEM = mergeBackTable({ issue: 9, commit: "2222222", state: "open, due 2026-11-21T09:00:00.000Z" });
const DONE_ITEM = mergeBackTable({ issue: 9, commit: "2222222", state: "done (on master)" });
const BLOCKED_LEDGER = ledger({
  status: `**Status:** cannot close yet (3 blocking):\n- merge-back #9: 2222222 is not on master yet\n${RCA_BLOCKERS_UNWRITTEN(8)}`,
  mergeBack: OPEN_ITEM,
  rca: RCA_ROW_UNWRITTEN(8),
});
const READY_LEDGER = ledger({ status: "**Status:** nothing blocks closing: `/incident close` closes it.", mergeBack: DONE_ITEM, rca: "#8: done." });
const DONE_LEDGER = ledger({ status: "**Status:** closed: its fixes are on main and its RCA is written.", mergeBack: DONE_ITEM, rca: "#8: done." });
const FORCE_CLOSED_LEDGER = ledger({
  status: "**Status:** force-closed by **carol** at 2026-11-20T10:59:00.000Z: we accept the risk",
  mergeBack: OPEN_ITEM,
  rca: RCA_ROW_UNWRITTEN(8),
});
const PARTIAL_RCA_LEDGER = ledger({
  status: '**Status:** cannot close yet (2 blocking):\n- RCA #8: "Action items" has no content yet\n- RCA #8 is still open (close it when it is written)',
  rca: "#8: open; to write: Action items.",
});
const MERGE_BACK_LEDGER = ledger({
  status: "**Status:** cannot close yet (1 blocking):\n- merge-back #9: 2222222 is not on master yet",
  mergeBack: OPEN_ITEM,
  rca: "#8: done.",
});

/** The close is identified by its timestamp: a later close is a new one. */
const REOPENED_MARKER = "<!-- mainline:reopened closed=2026-11-20T11%3A00%3A00Z -->";
/** The app's comment on #9 when it closed it: its change reached main. */
const MERGE_BACK_DONE = `✅ Done: 2222222 is on master: it is reachable from master's head 3333333.\n\n<!-- mainline:merge-back-done sha=${S} commit=${S} way=reachable -->`;

/**
 * A commit on main since #9 opened that has nothing to do with it, and its diff: two lines for one, where S changes one
 * line (GitHub's counts: 2 added and 1 removed, against S's 1 and 1), so its patch cannot be S's.
 */
const OTHER_COMMIT = "4444444444444444444444444444444444444444";
const DIFF_OF_OTHER = "diff --git a/README.md b/README.md\nindex 3333333..4444444 100644\n--- a/README.md\n+++ b/README.md\n@@ -1 +1,2 @@\n-Helo\n+Hello\n+World\n";

/** #9 reopened, its comment saying how far the look for its change on main got: `patchCheck` is the same-patch part. */
const mergeBackReopenComment = (patchCheck: string) =>
  "🔁 Reopened: 2222222 is not on master yet: it is not reachable from master, no commit on master is a cherry-pick of it, " +
  `no pull request with it was merged into master, and ${patchCheck}. ` +
  `Merge it to \`master\` first; this issue closes by itself when it lands.\n\n${REOPENED_MARKER}`;
/** The incident reopened with one comment listing `blockers`, one line each. */
const incidentReopenComment = (blockers: string) =>
  "🔒 Reopened: an incident closes only when its fixes are on `master` and its RCA is written. Still blocking:\n" +
  `${blockers}\n` +
  // The redesign: any close of an incident ends its exceptions for good, and the comment says so.
  "When nothing blocks, `/incident close` closes it. An admin can `/incident force-close <reason>` (recorded in the ledger). Its exceptions ended with this close: grant again if one is still needed.\n\n" +
  REOPENED_MARKER;

/**
 * Most requests each close may cost (token and config included): the incident's thread, its items'
 * issues and RCA, git for each item, the writes, and the ledger's rewrite.
 */
const BUDGET = { reopenIncident: 22, staysClosed: 18, reopenBoth: 26, reopenMergeBack: 19 };

let world: LoopbackWorld;

onLoopbackGitHub(() => world, { afterAll: "open" });

type Layout = {
  rca: { body: string; state?: "open" | "closed" };
  /** Merge-back item #9 for S, as the app opened it; "closed-by-app" with its done comment. */
  mergeBack?: "open" | "closed-by-person" | "closed-by-app";
  ledger: string;
  sOnMain?: boolean;
};

/** Incident #7 as the app left it at 09:00: its records (incident, and item #9 when there is one), RCA #8, #9, the ledger. */
async function layOut({ rca, mergeBack, ledger: ledgerBody, sOnMain = false }: Layout) {
  world = await incidentWorld({ sOnMain });
  world.githubAt(OPENED);
  world.personIssue(7, { title: "Payments fail", labels: ["incident"] });
  world.record(7, "incident", { by: "tess", via: "label", at: OPENED, rca: 8 }, "🚨 This issue is an incident: **tess** added the `incident` label.");
  world.appIssue(8, { title: "RCA: Payments fail", body: rca.body, labels: ["rca"], state: rca.state });
  if (mergeBack) {
    world.appIssue(9, { title: "Merge back 2222222 to master (incident #7)", body: mergeBackBody({ incident: 7, sha: S }), labels: ["merge-back"] });
    world.record(7, "merge-back", { sha: S, issue: 9, at: OPENED }, "🔁 `2222222` must reach `master`: #9 tracks it.");
    if (mergeBack === "closed-by-app") {
      world.appComment(9, MERGE_BACK_DONE);
      Object.assign(world.issue(9), { state: "closed", state_reason: "completed", closed_at: "2026-11-20T10:00:00Z", closed_by: world.github.app.bot });
    }
  }
  world.appComment(7, ledgerBody);
  if (mergeBack === "closed-by-person") {
    world.githubAt(CLOSED_AT);
    world.github.userClose(world.repo, 9, "bob");
  }
}

/** A person closes issue `number` at 11:00; the app handles the event at 12:00. Returns the event, for redelivery. */
async function personCloses(number: number, login = "bob") {
  world.githubAt(CLOSED_AT);
  const event = world.hooks.issueClosed(number, login);
  world.at(NOW);
  await world.deliver(event);
  return event;
}

/** The comments the app wrote on issue `number` after the layout (the ledger seeded there is not one of them). */
const newAppBodies = (number: number, before: readonly string[]) => world.appBodies(number).slice(before.length);

describe("issues.closed: the incident's close gate", () => {
  test("an incident closed while its merge-back and RCA are not done is reopened with one comment listing exactly what blocks", async () => {
    await layOut({ rca: { body: UNWRITTEN_RCA }, mergeBack: "open", ledger: BLOCKED_LEDGER });
    const before = world.appBodies(7);

    await personCloses(7);

    expect(world.issue(7)).toMatchObject({ state: "open", state_reason: "reopened" });
    expect(newAppBodies(7, before)).toEqual([incidentReopenComment(`- merge-back #9: 2222222 is not on master yet\n${RCA_BLOCKERS_UNWRITTEN(8)}`)]);
    // The ledger says the same as before: not written.
    expect(world.writes()).toEqual([
      { method: "PATCH", path: `${world.api}/issues/7`, body: { state: "open", state_reason: "reopened" } },
      { method: "POST", path: `${world.api}/issues/7/comments`, body: { body: incidentReopenComment(`- merge-back #9: 2222222 is not on master yet\n${RCA_BLOCKERS_UNWRITTEN(8)}`) } },
    ]);
    expect(world.issue(9).state).toBe("open");
    expect(world.calls().length).toBeLessThanOrEqual(BUDGET.reopenIncident);
  });

  test("a redelivered close, after the app reopened the incident and said why, neither reopens nor comments again", async () => {
    await layOut({ rca: { body: UNWRITTEN_RCA }, mergeBack: "open", ledger: BLOCKED_LEDGER });
    const closed = await personCloses(7);
    const mark = world.mark();

    await world.deliver(closed);

    expect(world.writes(mark)).toEqual([]);
    expect(world.issue(7).state).toBe("open");
  });

  test("an incident closed with nothing blocking stays closed, and its ledger says so", async () => {
    await layOut({ rca: { body: WRITTEN_RCA, state: "closed" }, mergeBack: "closed-by-app", ledger: READY_LEDGER, sOnMain: true });
    const ledgerId = world.comments(7).at(-1)!.id;

    await personCloses(7);

    expect(world.issue(7).state).toBe("closed");
    // Whether #9 is done is asked of git at close time (the app's done comment on #9 is a view): S is on main.
    expect(world.writes()).toEqual([{ method: "PATCH", path: `${world.api}/issues/comments/${ledgerId}`, body: { body: DONE_LEDGER } }]);
    expect(world.repo.comments.get(ledgerId)!.body).toBe(DONE_LEDGER);
    expect(world.calls().length).toBeLessThanOrEqual(BUDGET.staysClosed);
  });

  test("an incident closed after a person closed its merge-back issue while the commit is still off main: both are reopened, the incident naming #9 as blocking", async () => {
    await layOut({ rca: { body: WRITTEN_RCA, state: "closed" }, mergeBack: "closed-by-person", ledger: MERGE_BACK_LEDGER });

    await personCloses(7);

    expect(world.issue(9)).toMatchObject({ state: "open", state_reason: "reopened" });
    expect(world.issue(7)).toMatchObject({ state: "open", state_reason: "reopened" });
    expect(world.appBodies(9)).toEqual([mergeBackReopenComment("no commit on master adds and removes as many lines as it does")]);
    expect(world.writes()).toEqual([
      { method: "PATCH", path: `${world.api}/issues/9`, body: { state: "open", state_reason: "reopened" } },
      { method: "POST", path: `${world.api}/issues/9/comments`, body: { body: mergeBackReopenComment("no commit on master adds and removes as many lines as it does") } },
      { method: "PATCH", path: `${world.api}/issues/7`, body: { state: "open", state_reason: "reopened" } },
      { method: "POST", path: `${world.api}/issues/7/comments`, body: { body: incidentReopenComment("- merge-back #9: 2222222 is not on master yet") } },
    ]);
    expect(world.calls().length).toBeLessThanOrEqual(BUDGET.reopenBoth);
  });

  // GitHub failing the query of main's history (an HTTP error, or an answer of GraphQL errors, as when a query runs out
  // of time): the item could not be verified, which is not done, and the close decision is still made.
  test.each([
    ["an HTTP error", { status: 502, body: { message: "Server Error" } }, "HTTP 502: Server Error"],
    ["GraphQL errors", { status: 200, body: { data: null, errors: [{ message: "Something went wrong while executing your query." }] } }, "HTTP 200: the query failed: Something went wrong while executing your query."],
  ])("an incident closed while GitHub answers the query of main's history with %s is reopened: its item could not be verified", async (_case, fault, why) => {
    await layOut({ rca: { body: WRITTEN_RCA, state: "closed" }, mergeBack: "open", ledger: MERGE_BACK_LEDGER });
    world.github.fail((method, path) => method === "POST" && path.endsWith("/graphql"), fault);

    await personCloses(7);

    expect(world.issue(7)).toMatchObject({ state: "open", state_reason: "reopened" });
    expect(world.appBodies(7).at(-1)).toContain(`- merge-back #9: 2222222 is not on master yet (could not verify whether 2222222 is on main: GitHub did not answer (${why}).)`);
    expect(world.issue(9).state).toBe("open");
  });

  test("a force-closed incident stays closed although its merge-back and RCA are not done", async () => {
    await layOut({ rca: { body: UNWRITTEN_RCA }, mergeBack: "open", ledger: FORCE_CLOSED_LEDGER });
    world.githubAt("2026-11-20T10:59:00Z");
    world.record(7, "force-close", { by: "carol", at: "2026-11-20T10:59:00.000Z", reason: "we accept the risk", source: "9100:1" }, "⛔ Force-closed by **carol**. Reason: we accept the risk.");

    await personCloses(7, "mainline[bot]");

    expect(world.issue(7).state).toBe("closed");
    expect(world.writes()).toEqual([]);
  });

  // SPEC 5: force-close closes the incident anyway; it does not switch the close gate off for good.
  test("a force-close does not exempt a later close: reopened at 10:00, closed by a person at 11:00 with blockers, it is reopened", async () => {
    await layOut({ rca: { body: UNWRITTEN_RCA }, mergeBack: "open", ledger: BLOCKED_LEDGER });
    world.record(7, "force-close", { by: "carol", at: OPENED, reason: "we accept the risk", source: "9100:1" }, "⛔ Force-closed by **carol**. Reason: we accept the risk.");

    await personCloses(7);

    expect(world.writes()).toContainEqual({ method: "PATCH", path: `${world.api}/issues/7`, body: { state: "open", state_reason: "reopened" } });
    expect(world.issue(7).state).toBe("open");
  });

  // SPEC 8: an exception lives only while its incident is open; reopening never brings it back.
  test("any close ends the incident's exceptions for good: their check runs say ended, even when the incident is reopened", async () => {
    await layOut({ rca: { body: UNWRITTEN_RCA }, mergeBack: "open", ledger: BLOCKED_LEDGER });
    const grant = { sha: S, env: "production", by: "alice", at: "2026-11-20T10:00:00.000Z", expires: "2026-11-20T14:00:00.000Z", reason: "payments down", source: "9000:1" };
    world.record(7, "exception", grant, "🟠 Exception granted by **alice**.");
    const run: ExceptionRunState = { incident: 7, ...grant, approvals: 1, approved: "", revoked: "", used: "", ended: "", suspended: "" };
    world.exceptionRun(run);
    // Another incident's exception for the same commit is not this close's business.
    world.exceptionRun({ ...run, incident: 12 });

    await personCloses(7);

    expect(world.issue(7).state).toBe("open");
    expect(world.exceptionRuns().map((r) => [r.state?.incident, r.state?.ended])).toEqual([
      [7, NOW],
      [12, ""],
    ]);
  });
});

describe("issues.closed: RCA and merge-back issues closed too early", () => {
  test("an RCA closed with an empty section is reopened, naming the section", async () => {
    await layOut({ rca: { body: PARTIAL_RCA }, ledger: PARTIAL_RCA_LEDGER });

    await personCloses(8);

    const comment = `📝 Reopened: the RCA is not written yet. "Action items" needs content under its heading.\n\n${REOPENED_MARKER}`;
    expect(world.issue(8)).toMatchObject({ state: "open", state_reason: "reopened" });
    expect(world.appBodies(8)).toEqual([comment]);
    expect(world.writes()).toEqual([
      { method: "PATCH", path: `${world.api}/issues/8`, body: { state: "open", state_reason: "reopened" } },
      { method: "POST", path: `${world.api}/issues/8/comments`, body: { body: comment } },
    ]);
  });

  test("an early close redelivered after the RCA was written and closed again in the same second does not reopen it", async () => {
    await layOut({ rca: { body: PARTIAL_RCA }, ledger: PARTIAL_RCA_LEDGER });
    const early = await personCloses(8);
    // Within the same second (GitHub's closed_at has no finer grain): written, and closed again.
    world.githubAt(CLOSED_AT);
    world.github.userEditIssue(world.repo, 8, "bob", WRITTEN_RCA);
    world.github.userClose(world.repo, 8, "bob");
    const from = world.mark();

    await world.deliver(early);

    expect(world.issue(8)).toMatchObject({ state: "closed", body: WRITTEN_RCA });
    expect(world.writes(from).filter((w) => w.path.startsWith(`${world.api}/issues/8`))).toEqual([]);
  });

  test("a merge-back issue closed by a person while its commit is not on main is reopened with the explanation", async () => {
    await layOut({ rca: { body: WRITTEN_RCA, state: "closed" }, mergeBack: "open", ledger: MERGE_BACK_LEDGER });
    // Something else landed on main since #9 opened: its patch is compared with S's, and differs.
    world.githubAt("2026-11-20T10:00:00Z");
    world.commitOnMain(OTHER_COMMIT, "Fix a typo in the README", DIFF_OF_OTHER);

    await personCloses(9);

    expect(world.issue(9)).toMatchObject({ state: "open", state_reason: "reopened" });
    expect(world.writes()).toEqual([
      { method: "PATCH", path: `${world.api}/issues/9`, body: { state: "open", state_reason: "reopened" } },
      { method: "POST", path: `${world.api}/issues/9/comments`, body: { body: mergeBackReopenComment("no commit on master adds and removes as many lines as it does") } },
    ]);
    // No diff is read: the other commit adds and removes other numbers of lines than S (GitHub's counts, in the query of
    // main's history), so its patch cannot be S's.
    expect(world.calls().filter((c) => c.endsWith(`/commits/${S}`) || c.endsWith(`/commits/${OTHER_COMMIT}`))).toEqual([]);
    expect(world.calls().length).toBeLessThanOrEqual(BUDGET.reopenMergeBack);
  });

  test("a commit on main that changes as many lines as S but another change: its diff and S's are read, the patches differ, and #9 is reopened", async () => {
    await layOut({ rca: { body: WRITTEN_RCA, state: "closed" }, mergeBack: "open", ledger: MERGE_BACK_LEDGER });
    world.githubAt("2026-11-20T10:00:00Z");
    const LOOKALIKE = "6".repeat(40);
    // One line out, one in, in S's file: what S's counts are, but not S's change.
    world.commitOnMain(LOOKALIKE, "Charge once", DIFF_OF_S.replace("+charge({ retry: true })", "+charge({ retry: false })"));

    await personCloses(9);

    expect(world.issue(9)).toMatchObject({ state: "open", state_reason: "reopened" });
    expect(world.appBodies(9)).toEqual([mergeBackReopenComment("no commit on master has the same patch")]);
    expect(world.calls().filter((c) => /\/commits\/[0-9a-f]{40}$/.test(c)).sort()).toEqual([`GET ${world.api}/commits/${S}`, `GET ${world.api}/commits/${LOOKALIKE}`].sort());
  });

  test("a merge-back issue closed by a person when a commit on main has S's patch (cherry-picked without -x) is confirmed; a commit changing other numbers of lines is never read", async () => {
    await layOut({ rca: { body: WRITTEN_RCA, state: "closed" }, mergeBack: "open", ledger: MERGE_BACK_LEDGER });
    world.githubAt("2026-11-20T10:00:00Z");
    world.commitOnMain(OTHER_COMMIT, "Fix a typo in the README", DIFF_OF_OTHER);
    const TWIN = "5".repeat(40);
    // The same change on a main that moved on: other blob names, the same lines.
    world.commitOnMain(TWIN, "Retry payments", DIFF_OF_S.replace("index 1111111..2222222", "index 7777777..8888888"));

    await personCloses(9);

    expect(world.issue(9).state).toBe("closed");
    expect(world.appBodies(9)).toEqual([expect.stringContaining("5555555 has the same patch (git patch-id).")]);
    expect(world.calls().filter((c) => /\/commits\/[0-9a-f]{40}$/.test(c)).sort()).toEqual([`GET ${world.api}/commits/${S}`, `GET ${world.api}/commits/${TWIN}`].sort());
  });

  test("a merge-back issue closed by a person when its commit is on main gets a confirmation and stays closed", async () => {
    await layOut({ rca: { body: WRITTEN_RCA, state: "closed" }, mergeBack: "open", ledger: READY_LEDGER, sOnMain: true });

    await personCloses(9);

    const confirmation = `✅ Confirmed: 2222222 is on master: it is reachable from master's head 3333333.\n\n<!-- mainline:merge-back-done sha=${S} commit=${S} way=reachable -->`;
    expect(world.issue(9).state).toBe("closed");
    expect(world.writes()).toEqual([{ method: "POST", path: `${world.api}/issues/9/comments`, body: { body: confirmation } }]);
  });
});
