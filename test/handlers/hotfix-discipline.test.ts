import type { RecordFields } from "../../src/records.js";
import { ledgerText, RCA_BLOCKERS_UNWRITTEN, RCA_ROW_UNWRITTEN, rcaTemplateBody } from "../helpers/incident-texts.js";
import { incidentWorld, onLoopbackGitHub, S, type LoopbackWorld } from "../helpers/loopback-world.js";

/**
 * Hotfix discipline (SPEC 11) on `/hotfix allow`, against the loopback GitHub: incident #7
 * "Payments fail" (RCA #8), a command at 12:00. S (2222222) changes 2 lines against main (one
 * added, one deleted). What is asserted is what GitHub holds afterwards: the exact record and
 * reply, the `mainline/exception` check run the gate reads, the ledger; and the reads it took.
 */
const NOW = "2026-11-20T12:00:00.000Z";
const LABELED = "2026-11-20T10:00:00.000Z";
const EXPIRES = "2026-11-20T16:00:00.000Z";
const CRITERIA = 'hotfix:\n  criteria: ["security", "outage", "data loss"]\n';

let world: LoopbackWorld;

onLoopbackGitHub(() => world, { afterAll: "open" });

const RCA_ONLY_BLOCKS = `**Status:** cannot close yet (2 blocking):\n${RCA_BLOCKERS_UNWRITTEN(8)}`;

/** Incident #7 with its record, RCA #8 and its ledger; `config` in the repository; octocat and bob maintainers. */
async function layOut(config: string) {
  world = await incidentWorld({ config });
  world.githubAt(LABELED);
  world.personIssue(7, { title: "Payments fail", labels: ["incident"] });
  world.record(7, "incident", { by: "tess", via: "label", at: LABELED, rca: 8 }, "🚨 This issue is an incident: **tess** added the `incident` label.");
  world.appIssue(8, { title: "RCA: Payments fail", body: rcaTemplateBody({ incident: 7, title: "Payments fail" }), labels: ["rca"] });
  const ledger = world.appComment(7, ledgerText({ incident: 7, status: RCA_ONLY_BLOCKS, rca: RCA_ROW_UNWRITTEN(8) }));
  for (const login of ["octocat", "bob"]) world.role(login, "maintain");
  return ledger;
}

/** `login` comments `body` on #7 at 12:00, and the app handles it. */
async function say(login: string, body: string) {
  world.at(NOW);
  const mark = world.mark();
  const event = world.hooks.comment(7, login, body);
  await world.deliver(event);
  const comment = world.repo.comments.get((event[1] as { comment: { id: number } }).comment.id)!;
  return { comment, source: `${comment.id}:1`, mark };
}

const newBodies = (before: number) => world.appBodies(7).slice(before);

const refusal = (comment: { id: number }, line: string, error: string) =>
  `mainline could not run this command from [your comment](${world.commentUrl(comment as never)}):\n\n- \`${line}\`: ${error}\n\n<!-- mainline:reply source=${comment.id} -->`;

/** The grant's record, as octocat's `/hotfix allow 2222222 production -- <reason>` at 12:00 writes it. */
function grantRecord(source: string, { reason, criterion, approvals, note = "" }: { reason: string; criterion?: string; approvals: 1 | 2; note?: string }) {
  const fields: RecordFields<"exception"> = { sha: S, by: "octocat", at: NOW, source, account: world.github.user("octocat").id, env: "production", expires: EXPIRES, reason, ...(criterion ? { criterion } : {}), approvals };
  const text = `🟠 Exception granted by **octocat**: \`2222222\` may deploy to production until ${EXPIRES} although it is not on \`master\`. Reason: ${reason}.${note ? ` ${note}` : ""}`;
  return world.recordText(7, "exception", fields, text);
}

const SECOND = "It needs a second person's `/hotfix approve 2222222` before it can be used.";

/** The state of the exception's check run after octocat's grant. */
const run = (source: string, approvals: 1 | 2) => ({
  incident: 7,
  sha: S,
  env: "production",
  by: "octocat",
  at: NOW,
  expires: EXPIRES,
  approvals,
  approved: "",
  revoked: "",
  used: "",
  ended: "",
  suspended: "",
  source,
});

/** The requests that read what discipline needs: the compare of main...S and the repository's comments. */
const disciplineReads = (mark: number) => world.calls(mark).filter((c) => c.includes("/compare/") || /\/issues\/comments\?/.test(c));

describe("criteria", () => {
  test("a reason that begins with none of them is refused with the list, and nothing is granted or read", async () => {
    await layOut(`${CRITERIA}  maxChangedLines: 1\n  budget: { count: 1 }\n`);
    const before = world.appBodies(7).length;

    const { comment, mark } = await say("octocat", "/hotfix allow 2222222 production -- payments down");

    expect(newBodies(before)).toEqual([
      refusal(
        comment,
        "/hotfix allow 2222222 production -- payments down",
        "the reason must begin with what makes this a hotfix, one of this repository's `hotfix.criteria`: `security`, `outage`, `data loss`; for example `-- security: <what is broken>`",
      ),
    ]);
    expect(world.repo.checkRuns ?? new Map()).toEqual(new Map());
    expect(world.thumbsUp(comment.id)).toEqual([]);
    expect(disciplineReads(mark)).toEqual([]);
  });

  test("a reason that begins with one is granted; the record and the ledger keep the criterion as the config spells it", async () => {
    const ledger = await layOut(CRITERIA);
    const before = world.appBodies(7).length;

    const { comment, source } = await say("octocat", "/hotfix allow 2222222 production -- Data  Loss: orders vanish");

    expect(newBodies(before)).toEqual([grantRecord(source, { reason: "Data  Loss: orders vanish", criterion: "data loss", approvals: 1 })]);
    expect(world.exceptionRuns().map((r) => r.state)).toEqual([run(source, 1)]);
    expect(world.repo.comments.get(ledger.id)!.body).toBe(
      ledgerText({
        incident: 7,
        status: RCA_ONLY_BLOCKS,
        exceptions:
          "| commit | environment | granted | criterion | reason | state |\n| --- | --- | --- | --- | --- | --- |\n" +
          `| \`2222222\` | production | **octocat** at ${NOW} | data loss | Data  Loss: orders vanish | active until ${EXPIRES} |`,
        rca: RCA_ROW_UNWRITTEN(8),
      }),
    );
    expect(world.thumbsUp(comment.id)).toEqual(["mainline[bot]"]);
  });
});

describe("minimal fix", () => {
  test("a change over maxChangedLines needs a second person whatever override.approvals says: the record says why, the run and the ledger wait", async () => {
    const ledger = await layOut("hotfix:\n  maxChangedLines: 1\n");
    const before = world.appBodies(7).length;

    const { comment, source, mark } = await say("octocat", "/hotfix allow 2222222 production -- payments down");

    const note = `${SECOND} Its change against main is 2 lines (added + deleted), more than \`hotfix.maxChangedLines\` allows (1).`;
    expect(newBodies(before)).toEqual([grantRecord(source, { reason: "payments down", approvals: 2, note })]);
    expect(world.exceptionRuns().map((r) => r.state)).toEqual([run(source, 2)]);
    expect(world.checkRun(world.exceptionRuns()[0]!.id).output.title).toBe("Exception awaiting approval");
    expect(world.repo.comments.get(ledger.id)!.body).toContain(`| \`2222222\` | production | **octocat** at ${NOW} | payments down | awaiting approval |`);
    expect(world.thumbsUp(comment.id)).toEqual(["mainline[bot]"]);
    // One compare gives the size: S is off main, so nothing cached answers it.
    expect(disciplineReads(mark)).toEqual([`GET ${world.api}/compare/heads%2Fmaster...${S}?per_page=1`]);
  });

  test("a change within it needs one person, as the config says", async () => {
    await layOut("hotfix:\n  maxChangedLines: 2\n");
    const before = world.appBodies(7).length;

    const { source } = await say("octocat", "/hotfix allow 2222222 production -- payments down");

    expect(newBodies(before)).toEqual([grantRecord(source, { reason: "payments down", approvals: 1 })]);
    expect(world.exceptionRuns().map((r) => r.state)).toEqual([run(source, 1)]);
  });
});

describe("budget", () => {
  /** A deploy under an exception of incident `incident`, recorded there by the app at `at`. */
  function deployed(incident: number, sha: string, deployment: number, at: string) {
    world.githubAt(at);
    world.record(incident, "deployed", { sha, env: "production", deployment, at, issue: 90 + incident }, `🚀 \`${sha.slice(0, 7)}\` reached production under the exception.`);
  }

  /** Two earlier incidents: #3 (someone took its `incident` label off since) and #5, each with a deploy under an exception. */
  function earlierIncidents(times: { three: string; five: string }) {
    world.githubAt("2026-10-01T00:00:00.000Z");
    world.personIssue(3, { title: "Login loops" });
    world.personIssue(5, { title: "Search down", labels: ["incident"] });
    deployed(3, "a".repeat(40), 301, times.three);
    deployed(5, "b".repeat(40), 501, times.five);
    // Re-running a deploy of the same commit in the same incident is not another hotfix.
    deployed(5, "b".repeat(40), 502, new Date(Date.parse(times.five) + 3_600_000).toISOString());
  }

  test("already `count` exception deploys in the last `days` (read from the app's records, not labels): a second person, and hotfixes have become a habit", async () => {
    await layOut("hotfix:\n  budget: { count: 2, days: 30 }\n");
    earlierIncidents({ three: "2026-11-01T09:00:00.000Z", five: "2026-11-15T09:00:00.000Z" });
    const before = world.appBodies(7).length;

    const { comment, source, mark } = await say("octocat", "/hotfix allow 2222222 production -- payments down");

    const note = `${SECOND} This repository already had 2 exception deploys in the last 30 days, the \`hotfix.budget\` (2): hotfixes have become a habit (\`/mainline report\` shows the trend).`;
    expect(newBodies(before)).toEqual([grantRecord(source, { reason: "payments down", approvals: 2, note })]);
    expect(world.exceptionRuns().map((r) => r.state)).toEqual([run(source, 2)]);
    expect(world.thumbsUp(comment.id)).toEqual(["mainline[bot]"]);
    expect(disciplineReads(mark)).toEqual([`GET ${world.api}/issues/comments?since=2026-10-21T12%3A00%3A00.000Z&sort=created&direction=desc&per_page=100&page=1`]);
  });

  test("deploys older than `days` do not count: one person", async () => {
    await layOut("hotfix:\n  budget: { count: 2, days: 30 }\n");
    earlierIncidents({ three: "2026-10-20T09:00:00.000Z", five: "2026-11-15T09:00:00.000Z" });
    const before = world.appBodies(7).length;

    const { source } = await say("octocat", "/hotfix allow 2222222 production -- payments down");

    expect(newBodies(before)).toEqual([grantRecord(source, { reason: "payments down", approvals: 1 })]);
  });

  test("a record someone changed in the window could have been a deploy: not verified, so a second person", async () => {
    await layOut("hotfix:\n  budget: { count: 2, days: 30 }\n");
    earlierIncidents({ three: "2026-10-20T09:00:00.000Z", five: "2026-11-15T09:00:00.000Z" });
    const changed = world.appBodies(5).length;
    const record = world.comments(5).filter((c) => c.user.type === "Bot")[changed - 1]!;
    world.github.userEditComment(world.repo, record.id, record.body.replace("reached", "did not reach"));
    const before = world.appBodies(7).length;

    const { source } = await say("octocat", "/hotfix allow 2222222 production -- payments down");

    const note = `${SECOND} mainline could not count this repository's exception deploys of the last 30 days (someone changed one of mainline's comments in that time), so it cannot tell that the \`hotfix.budget\` (2) is not spent.`;
    expect(newBodies(before)).toEqual([grantRecord(source, { reason: "payments down", approvals: 2, note })]);
  });

  test("a grant still in force and not yet used is a deploy to come; a used, revoked or expired one is not", async () => {
    await layOut("hotfix:\n  budget: { count: 2, days: 30 }\n");
    world.githubAt("2026-11-20T06:00:00.000Z");
    world.personIssue(3, { title: "Login loops", labels: ["incident"] });
    world.personIssue(5, { title: "Search down", labels: ["incident"] });
    const granted = (sha: string, at: string, expires: string, source: string) => ({ sha: sha.repeat(40), env: "production", by: "bob", at, expires, reason: "hurry", source, approvals: 1 as const });
    // #3: aaaaaaa let through under its grant; ccccccc granted, then revoked.
    world.record(3, "exception", granted("a", "2026-11-20T09:00:00.000Z", "2026-11-20T13:00:00.000Z", "1:1"), "🟠 Exception granted.");
    world.record(3, "deploy", { sha: "a".repeat(40), env: "production", deployment: 301, at: "2026-11-20T09:30:00.000Z", issue: 93 }, "🚀 Let through.");
    world.record(3, "exception", granted("c", "2026-11-20T09:00:00.000Z", "2026-11-20T13:00:00.000Z", "1:2"), "🟠 Exception granted.");
    world.record(3, "revoke", { sha: "c".repeat(40), by: "bob", at: "2026-11-20T10:00:00.000Z", source: "2:1" }, "⚪ Exception withdrawn.");
    // #5: ddddddd's grant expired at 11:00, eeeeeee's is in force until 15:00 and not used.
    world.record(5, "exception", granted("d", "2026-11-20T07:00:00.000Z", "2026-11-20T11:00:00.000Z", "3:1"), "🟠 Exception granted.");
    world.record(5, "exception", granted("e", "2026-11-20T11:00:00.000Z", "2026-11-20T15:00:00.000Z", "3:2"), "🟠 Exception granted.");
    const before = world.appBodies(7).length;

    const { source } = await say("octocat", "/hotfix allow 2222222 production -- payments down");

    const note =
      `${SECOND} This repository already had 1 exception deploy and 1 exception granted and not yet used in the last 30 days, ` +
      "the `hotfix.budget` (2): hotfixes have become a habit (`/mainline report` shows the trend).";
    expect(newBodies(before)).toEqual([grantRecord(source, { reason: "payments down", approvals: 2, note })]);
  });

  test("an issue moved where mainline could not read it, within `days`: not verified, so a second person, saying why and until when", async () => {
    await layOut("hotfix:\n  budget: { count: 2, days: 30 }\n");
    world.githubAt("2026-11-02T08:00:00.000Z");
    world.appIssue(12, { title: "Issue #4 left this repository unread" });
    world.record(4, "unread-transfer", { by: "bob", to: "acme/secret", at: "2026-11-02T08:00:00.000Z", read: "none" }, "⚠️ #4 left this repository unread.", 12);
    const before = world.appBodies(7).length;

    const { source } = await say("octocat", "/hotfix allow 2222222 production -- payments down");

    const note =
      `${SECOND} An issue moved on 2026-11-02 to a repository mainline cannot read (#4, to acme/secret, by **bob**) may have held exception deploys, ` +
      "so until 2026-12-02 mainline cannot tell that the `hotfix.budget` (2) is not spent.";
    expect(newBodies(before)).toEqual([grantRecord(source, { reason: "payments down", approvals: 2, note })]);
  });

  test("more comments in the window than mainline reads (5 pages of 100): not verified, so a second person; the read stops there", async () => {
    await layOut("hotfix:\n  budget: { count: 2, days: 30 }\n");
    world.githubAt("2026-11-19T00:00:00.000Z");
    for (let i = 0; i < 500; i++) world.personComment(8, "octocat", `note ${i}`);
    const before = world.appBodies(7).length;

    const { source, mark } = await say("octocat", "/hotfix allow 2222222 production -- payments down");

    const note = `${SECOND} mainline could not count this repository's exception deploys of the last 30 days (more than mainline reads), so it cannot tell that the \`hotfix.budget\` (2) is not spent.`;
    expect(newBodies(before)).toEqual([grantRecord(source, { reason: "payments down", approvals: 2, note })]);
    expect(disciplineReads(mark)).toHaveLength(5);
  });
});

describe("what /hotfix allow costs", () => {
  /** Requests GitHub counts against the rate limit (a 304 is free), token and config included. */
  const countedSince = (mark: number) => world.github.log.slice(mark).filter((r) => r.status !== 304).length;

  test.each([
    ["no rule", ""],
    ["every rule on: one compare and one page of the repository's comments more", `${CRITERIA}  maxChangedLines: 50\n  budget: { count: 3, days: 30 }\n`],
  ])("%s", async (_case, config) => {
    await layOut(config);

    const { comment, mark } = await say("octocat", "/hotfix allow 2222222 production -- outage: payments down");

    expect(world.thumbsUp(comment.id)).toEqual(["mainline[bot]"]);
    expect(disciplineReads(mark)).toHaveLength(config === "" ? 0 : 2);
    // 12 without discipline (token, config, thread, role, the sha with the refs named like it in one query, the
    // runs, record, run, the ledger's reads and rewrite, 👍: no one reacted yet, so the 👍 look needs no read); the
    // rules add the compare and one page of comments.
    expect(countedSince(mark)).toBe(config === "" ? 12 : 14);
  });
});
