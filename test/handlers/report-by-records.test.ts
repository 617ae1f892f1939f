import { mergeBackBody, rcaTemplateBody } from "../helpers/incident-texts.js";
import { incidentWorld, onLoopbackGitHub, S, type LoopbackWorld } from "../helpers/loopback-world.js";

/**
 * `/mainline report` finds its incidents by the app's records (SPEC 8: labels are views), against
 * the loopback GitHub, which lists issues by label as GitHub does: a report that still asked for
 * the `incident` label would lose an incident whose label a triager took off. The report's window
 * is 2026-08-22 12:00 to 2026-11-20 12:00 (UTC).
 */
const OLD_FIX = "3".repeat(40);

let world: LoopbackWorld;

onLoopbackGitHub(() => world, { afterAll: "open" });

/**
 * Incident #7 "Payments fail" (10 November): S granted for an outage, deployed, merged back a day
 * later; RCA #8 not written. Incident #3 "Login loops", opened before the window (1 August), whose
 * records of the window are an exception for OLD_FIX and its deploy (1 September), merged back a
 * day later. tess (triage) labelled both; bob has write.
 */
async function layOut() {
  world = await incidentWorld({ config: 'environments: [production]\nhotfix:\n  criteria: ["outage"]\n' });
  world.role("bob", "write");
  world.role("tess", "triage");

  world.githubAt("2026-08-01T08:00:00.000Z");
  world.personIssue(3, { title: "Login loops", labels: ["incident"], login: "tess" });
  world.record(3, "incident", { by: "tess", via: "label", at: "2026-08-01T08:00:00.000Z", rca: 5 }, "🚨 This issue is an incident.");
  incidentDeploy(3, OLD_FIX, { granted: "2026-09-01T09:00:00.000Z", deployed: "2026-09-01T10:00:00.000Z", deployment: 301, mergeBack: 4 });
  world.githubAt("2026-09-03T00:00:00.000Z");
  Object.assign(world.issue(3), { state: "closed", state_reason: "completed", closed_at: "2026-09-03T00:00:00Z" });

  world.githubAt("2026-11-10T10:00:00.000Z");
  world.personIssue(7, { title: "Payments fail", labels: ["incident"], login: "tess" });
  world.record(7, "incident", { by: "tess", via: "label", at: "2026-11-10T10:00:00.000Z", rca: 8 }, "🚨 This issue is an incident.");
  world.appIssue(8, { title: "RCA: Payments fail", body: rcaTemplateBody({ incident: 7, title: "Payments fail" }), labels: ["rca"] });
  incidentDeploy(7, S, { granted: "2026-11-10T11:00:00.000Z", deployed: "2026-11-10T11:30:00.000Z", deployment: 701, mergeBack: 9 });
}

/** An exception granted by octocat for an outage, its deploy recorded, and the merge-back issue the app opened for it, closed a day later. */
function incidentDeploy(incident: number, sha: string, { granted, deployed, deployment, mergeBack }: { granted: string; deployed: string; deployment: number; mergeBack: number }) {
  const expires = new Date(Date.parse(granted) + 4 * 3_600_000).toISOString();
  world.githubAt(granted);
  world.record(incident, "exception", { sha, env: "production", by: "octocat", at: granted, expires, reason: "outage: it is down", source: "1:1", criterion: "outage", approvals: 1 }, "🟠 Exception granted.");
  world.githubAt(deployed);
  world.record(incident, "deploy", { sha, env: "production", deployment, at: deployed, issue: mergeBack }, "🚀 Deployed under the exception.");
  world.appIssue(mergeBack, { title: `Merge back ${sha.slice(0, 7)}`, body: mergeBackBody({ incident, sha }), labels: ["merge-back"] });
  Object.assign(world.issue(mergeBack), { state: "closed", state_reason: "completed", closed_at: new Date(Date.parse(deployed) + 24 * 3_600_000).toISOString().replace(".000", "") });
}

/** bob's `/mainline report` in a new issue at the window's end: the reply (its marker left out) and the requests it took. */
async function report(): Promise<{ body: string; calls: string[] }> {
  world.at("2026-11-20T12:00:00.000Z");
  const issue = world.personIssue(world.repo.issues.size + 50, { title: "Retrospective", login: "bob" }).number;
  const mark = world.mark();
  await world.deliver(world.hooks.comment(issue, "bob", "/mainline report"));
  const [reply] = world.appBodies(issue);
  expect(world.appBodies(issue)).toHaveLength(1);
  return { body: reply!.replace(/\n\n<!-- mainline:reply source=\d+ -->$/, ""), calls: world.calls(mark) };
}

const FIGURES = [
  "| | last 90 days |",
  "| --- | --- |",
  "| Incidents | 1 (1 still open) |",
  "| Exceptions granted | 2 (2 used) |",
  "| Commits deployed under an exception | 2 |",
  "| Exception deploys per 30 days, oldest first | 1, 0, 1 |",
  "| Median time from exception deploy to merge-back | 24 hours (2 done) |",
  "| RCAs done on time | 0 of 1 due |",
  "| Incidents in a hotfix cascade | 0 |",
  "| Incidents force-closed | 0 |",
  "| Rollbacks from incidents | 0 |",
  "| Days since the last hotfix | 10 |",
  "| Post-merge reviews (pushes to main that no pull request merged) | 0 opened, 0 done |",
].join("\n");

describe("/mainline report finds incidents by the app's records, not by label", () => {
  test("a triager takes `incident` off both incidents: the report's figures stay the same, and no label is asked", async () => {
    await layOut();
    const before = await report();

    await world.deliver(world.hooks.issueUnlabeled(7, "tess", "incident"));
    await world.deliver(world.hooks.issueUnlabeled(3, "tess", "incident"));
    const after = await report();

    expect(after.body).toBe(before.body);
    expect(after.body).toContain(FIGURES);
    expect(after.body).toContain("**Exceptions by criterion:**\n- `outage`: 2 granted, 2 used");
    expect(after.body).toContain("**To follow up:**\n- #7 Payments fail: RCA overdue by 5 days");
    // One page of the repository's comments names #7 and #3 (#3 by its records of September): each issue and its thread are read.
    expect(after.calls.filter((c) => c.includes("labels=incident"))).toEqual([]);
    expect(after.calls.filter((c) => /\/issues\/comments\?|\/issues\/[37](\/comments\?|$)/.test(c)).sort()).toEqual(
      [
        `GET ${world.api}/issues/comments?since=2026-08-22T12%3A00%3A00.000Z&sort=created&direction=desc&per_page=100&page=1`,
        `GET ${world.api}/issues/3`,
        `GET ${world.api}/issues/3/comments?per_page=100`,
        `GET ${world.api}/issues/7`,
        `GET ${world.api}/issues/7/comments?per_page=100`,
      ].sort(),
    );
  });

  // SPEC 8: labels are views. Which issue is an incident's merge-back item or RCA is what its records name, and whether it
  // was in a hotfix cascade is what its deploys' records tell: no label is asked for any figure.
  test("a triager takes `merge-back` and `rca` off the app's issues and puts `merge-back` and `hotfix-cascade` on others: the report is the same, and no label is asked", async () => {
    await layOut();
    // A person's issue with the marker of #7's merge-back copied in, closed an hour after its deploy.
    world.githubAt("2026-11-10T12:00:00.000Z");
    world.personIssue(20, { title: "Flaky test", body: mergeBackBody({ incident: 7, sha: S }), login: "tess" });
    world.githubAt("2026-11-10T12:30:00.000Z");
    Object.assign(world.issue(20), { state: "closed", state_reason: "completed", closed_at: "2026-11-10T12:30:00Z" });
    const before = await report();

    await world.deliver(world.hooks.issueUnlabeled(9, "tess", "merge-back"));
    await world.deliver(world.hooks.issueUnlabeled(8, "tess", "rca"));
    await world.deliver(world.hooks.issueLabeled(20, "tess", "merge-back"));
    await world.deliver(world.hooks.issueLabeled(7, "tess", "hotfix-cascade"));
    const after = await report();

    expect(after.body).toBe(before.body);
    expect(after.body).toContain(FIGURES);
    expect(after.body).toContain("**To follow up:**\n- #7 Payments fail: RCA overdue by 5 days");
    expect(after.calls.filter((c) => c.includes("labels="))).toEqual([]);
    // The merge-back (#4, #9) and RCA (#8) issues are among the app's issues of the window, listed by creator: none is read on its own.
    expect(after.calls.filter((c) => /\/issues\/(4|5|8|9|20)$/.test(c))).toEqual([]);
  });

  test("incidents whose exception deploys came within `cascade.windowHours` of each other are in a hotfix cascade, labelled or not", async () => {
    await layOut();
    // #11: another commit deployed under an exception 9 hours after #7's, and no `hotfix-cascade` label on either.
    world.githubAt("2026-11-10T19:00:00.000Z");
    world.personIssue(11, { title: "Cart empty", labels: ["incident"], login: "tess" });
    world.record(11, "incident", { by: "tess", via: "label", at: "2026-11-10T19:00:00.000Z", rca: 14 }, "🚨 This issue is an incident.");
    world.appIssue(14, { title: "RCA: Cart empty", body: rcaTemplateBody({ incident: 11, title: "Cart empty" }), labels: ["rca"] });
    incidentDeploy(11, "4".repeat(40), { granted: "2026-11-10T20:00:00.000Z", deployed: "2026-11-10T20:30:00.000Z", deployment: 1101, mergeBack: 13 });

    const { body } = await report();

    expect(body).toContain("| Incidents in a hotfix cascade | 2 |");
    expect(body).toContain("**To follow up:**\n- #7 Payments fail: part of a hotfix cascade; RCA overdue by 5 days\n- #11 Cart empty: part of a hotfix cascade");
  });

  // SPEC 8: a record counts only in the repository it was written in; an incident transferred away takes its records along,
  // and the app writes its exception deploys again in an issue of this repository (issues-transferred.ts).
  test("an incident transferred away is no incident here, and its exception deploy, written again here by the app, still counts", async () => {
    await layOut();
    world.githubAt("2026-11-12T09:00:00.000Z");
    world.personIssue(11, { title: "Cart empty", labels: ["incident"], login: "tess" });
    world.record(11, "incident", { by: "tess", via: "label", at: "2026-11-12T09:00:00.000Z", rca: 14 }, "🚨 This issue is an incident.");
    incidentDeploy(11, "4".repeat(40), { granted: "2026-11-12T10:00:00.000Z", deployed: "2026-11-12T11:00:00.000Z", deployment: 1101, mergeBack: 13 });
    const [deploy] = world.comments(11).filter((c) => c.body.startsWith("<!-- mainline:record kind=deploy "));
    world.githubAt("2026-11-13T12:00:00.000Z");
    world.github.userTransfer(world.repo, 11, world.github.addRepo(world.repo.owner, `${world.repo.name}-elsewhere`, "main"));
    world.appIssue(12, { title: "Incident #11 left this repository", body: "Its exception deploys, written again below." });
    world.appComment(12, deploy!.body);

    const { body, calls } = await report();

    expect(body).toContain(
      [
        "| Incidents | 1 (1 still open) |",
        "| Exceptions granted | 2 (2 used) |",
        "| Commits deployed under an exception | 3 |",
        "| Exception deploys per 30 days, oldest first | 1, 0, 2 |",
        "| Median time from exception deploy to merge-back | 24 hours (3 done) |",
      ].join("\n"),
    );
    expect(body).toContain("| Days since the last hotfix | 8 |");
    // #11's old address answers with its new place: it is asked once, and its thread (now elsewhere) is not read.
    expect(calls.filter((c) => /\/issues\/1[12](\/comments\?|$)/.test(c))).toEqual([`GET ${world.api}/issues/11`]);
  });

  test("more comments in the window than the 1,000 the report reads for records: the incidents' figures are lower bounds, and the report says why", async () => {
    await layOut();
    world.githubAt("2026-11-19T00:00:00.000Z");
    for (let i = 0; i < 1_000; i++) world.personComment(7, "octocat", `log line ${i}`);

    const { body, calls } = await report();

    expect(calls.filter((c) => c.includes("/issues/comments?"))).toHaveLength(10);
    expect(calls.filter((c) => /\/issues\/[37](\/comments\?|$)/.test(c))).toEqual([]);
    expect(body).toContain("| Incidents | at least 0 |\n| Exceptions granted | at least 0 |\n| Commits deployed under an exception | at least 0 |");
    expect(body).toContain("| Median time from exception deploy to merge-back | could not verify |");
    expect(body).toContain("| Days since the last hotfix | could not verify |");
    expect(body).toEqual(expect.stringMatching(/\*\*Could not verify:\*\*\n- incidents whose records are not among the latest 1000 comments of these 90 days \(the most mainline reads\)$/));
  });
});
