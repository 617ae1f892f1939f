import { helpText, parseCommands, USAGE } from "../../src/commands/parse.js";
import { defaultConfig } from "../../src/config.js";
import { requiredRole, wrongPlace } from "../../src/policy/command-rules.js";
import { renderLedger, type LedgerFacts } from "../../src/policy/ledger.js";
import { readRecord } from "../../src/records.js";
import { rcaTemplateBody } from "../helpers/incident-texts.js";
import { incidentWorld, MAIN_HEAD, ON_MAIN, onLoopbackGitHub, S, type LoopbackWorld } from "../helpers/loopback-world.js";
import { TEST_RECORD_KEY } from "../helpers/test-app.js";

/**
 * `/incident rollback [env]`: its form, where and by whom it runs, and the cases the server story
 * (test/server/rollback.test.ts) cannot reach: a second replica's deployment slipping in between
 * the look and the create, and a deployment someone else made that names the command line.
 */
describe("parsing /incident rollback", () => {
  test.each([
    ["/incident rollback", { name: "incident-rollback" }],
    ["/incident rollback staging", { name: "incident-rollback", environment: "staging" }],
    ["/INCIDENT Rollback Prod-EU.1", { name: "incident-rollback", environment: "Prod-EU.1" }],
    ["/incident rollbacks are scary", { name: "incident", title: "rollbacks are scary" }],
  ])("%s", (line, command) => {
    expect(parseCommands(line)).toEqual([{ ok: true, line, lineNumber: 1, command }]);
  });

  test.each([
    ["/incident rollback production now", "`/incident rollback` takes at most one environment, but got 2 words (a title cannot start with the word rollback)"],
    ["/incident rollback prod/eu", "`prod/eu` is not an environment name: use at most 255 letters, digits, `-`, `_` or `.`"],
    ["/incident rollback <!--x-->", "`<!-\u200b-x-\u200b->` is not an environment name: use at most 255 letters, digits, `-`, `_` or `.`"],
  ])("%s is refused, saying how to write it", (line, error) => {
    expect(parseCommands(line)).toEqual([{ ok: false, line, lineNumber: 1, error, usage: "/incident rollback [env]" }]);
  });

  test("/mainline help lists it: an open incident, the write role", () => {
    expect(USAGE["incident-rollback"]).toBe("/incident rollback [env]");
    expect(helpText()).toContain(
      "| `/incident rollback [env]` | open incident | write | deploys the rollback candidate (the last deployment of env, default the first gated environment, that was on main and succeeded) |",
    );
  });

  test("it runs in an open incident only, for the write role", () => {
    const place = (isIncident: boolean, isOpen: boolean, isPullRequest = false) => wrongPlace("incident-rollback", { isIncident, isOpen, isPullRequest });
    expect([place(true, true), place(true, false), place(false, true), place(false, true, true)]).toEqual([
      undefined,
      "this incident is closed",
      "this command works only in an incident (an issue labelled as one: run `/incident` first)",
      "this command works only in an incident (an issue labelled as one: run `/incident` first)",
    ]);
    expect(requiredRole("incident-rollback", defaultConfig)).toBe("write");
  });
});

describe("the ledger lists the rollbacks made from the incident", () => {
  test("under the rollback candidates", () => {
    const facts: LedgerFacts = {
      incident: 7,
      mainBranch: "main",
      exceptions: [],
      mergeBacks: [],
      rca: { exists: false },
      blockers: [],
      rollback: [{ environment: "production", sha: ON_MAIN, deploymentId: 41, createdAt: "2026-11-20T09:00:00Z" }],
      rollbacks: [{ sha: ON_MAIN, env: "prod<b>", deployment: 57, of: 41, by: "@bob", at: "2026-11-20T12:00:00.000Z", source: "9000:1" }],
    };
    expect(renderLedger(facts)).toContain(
      "| production | `1111111` | deployment 41 at 2026-11-20T09:00:00Z |\n\n" +
        "Rolled back from this incident (`/incident rollback`):\n- prod&lt;b&gt; back to `1111111` (the commit of deployment 41): deployment 57, by **@\u200bbob** at 2026-11-20T12:00:00.000Z",
    );
  });
});

const LABELED = "2026-11-20T10:00:00.000Z";
const DEPLOYED = "2026-11-20T11:00:00.000Z";
const NOW = "2026-11-20T12:00:00.000Z";
/** The deploy tool's app, which creates each deployment and reports how it went. */
const DEPLOY_TOOL = { login: "deploy-tool[bot]", id: 7000, type: "Bot" } as const;

let world: LoopbackWorld;

describe("one deployment per command line, against the loopback GitHub", () => {
  onLoopbackGitHub(() => world, { afterAll: "open" });

  /** Incident #7 (its record, RCA #8); production ran ON_MAIN (deployment returned), then S off main; bob has write. */
  async function layOut(): Promise<number> {
    world = await incidentWorld();
    world.githubAt(LABELED);
    world.personIssue(7, { title: "Payments fail", labels: ["incident"] });
    world.record(7, "incident", { by: "tess", via: "label", at: LABELED, rca: 8 }, "🚨 This issue is an incident: **tess** added the `incident` label.");
    world.appIssue(8, { title: "RCA: Payments fail", body: rcaTemplateBody({ incident: 7, title: "Payments fail" }), labels: ["rca"] });
    world.role("bob", "write");
    world.githubAt(DEPLOYED);
    const candidate = deployed(ON_MAIN);
    deployed(S);
    world.at(NOW);
    return candidate;
  }

  function deployed(sha: string): number {
    const { id } = world.github.addDeployment(world.repo, { sha, environment: "production" });
    world.repo.deployments.get(id)!.creator = DEPLOY_TOOL;
    const status = { id: world.github.mint.id(), deployment_id: id, state: "success", description: "", environment: "production", log_url: "", environment_url: "", creator: DEPLOY_TOOL, created_at: DEPLOYED, updated_at: DEPLOYED };
    world.repo.deploymentStatuses.set(id, [status]);
    return id;
  }

  /** A rollback deployment to production made by `creator` (the app: another replica), with the payload the app gives one. */
  function rollbackBy(creator: "app" | string, sha: string, source: string, rollbackOf: number): number {
    const { id } = world.github.addDeployment(world.repo, { sha, environment: "production", task: "deploy:rollback", creator: creator === "app" ? world.github.app.bot.login : creator });
    const deployment = world.repo.deployments.get(id)!;
    if (creator === "app") deployment.creator = world.github.app.bot;
    deployment.payload = { mainline: { incident: 7, source, rollbackOf } };
    return id;
  }

  const rollbacks = () => [...world.repo.deployments.values()].filter((d) => d.task === "deploy:rollback");
  const recordsOf = () => world.appBodies(7).flatMap((b) => readRecord(TEST_RECORD_KEY, b) ?? []).filter((r) => r.kind === "rollback");
  const reply = () => world.appBodies(7).find((b) => b.includes("<!-- mainline:reply "));

  test("a second replica's deployment made between the look and the create: the older counts, this one is marked inactive", async () => {
    const candidate = await layOut();
    const event = world.hooks.comment(7, "bob", "/incident rollback");
    const commentId = (event[1] as { comment: { id: number } }).comment.id;
    let other: number | undefined;
    // The other replica's POST lands just before this one's (its lock expired while it ran).
    world.github.injectFault((method, path) => {
      if (method === "POST" && path.endsWith("/deployments") && other === undefined) other = rollbackBy("app", ON_MAIN, `${commentId}:1`, candidate);
      return undefined;
    });
    const mark = world.mark();

    await world.deliver(event);

    const [kept, retired, ...more] = rollbacks();
    expect([kept?.id, more]).toEqual([other, []]);
    expect(world.repo.deploymentStatuses.get(retired!.id)?.map((s) => [s.state, s.description])).toEqual([["inactive", `Duplicate of deployment ${other}: one /incident rollback makes one deployment.`]]);
    expect(world.repo.deploymentStatuses.get(other!) ?? []).toEqual([]);
    expect(recordsOf().map((r) => r.fields)).toEqual([{ sha: ON_MAIN, env: "production", deployment: other, of: candidate, by: "bob", at: NOW, source: `${commentId}:1` }]);
    expect(reply()).toContain(`deployment ${other} (task \`deploy:rollback\`)`);
    expect(world.thumbsUp(commentId)).toEqual([world.github.app.bot.login]);
    expect(world.writes(mark).map((w) => `${w.method} ${w.path}`)).toEqual([
      `POST ${world.api}/deployments`,
      `POST ${world.api}/deployments/${retired!.id}/statuses`,
      `POST ${world.api}/issues/7/comments`,
      `POST ${world.api}/issues/7/comments`,
      `POST ${world.api}/issues/7/comments`,
      `POST ${world.api}/issues/comments/${commentId}/reactions`,
    ]);
  });

  test("a deployment someone else made whose payload names the command line is not taken: the app deploys the candidate itself", async () => {
    const candidate = await layOut();
    const event = world.hooks.comment(7, "bob", "/incident rollback");
    const commentId = (event[1] as { comment: { id: number } }).comment.id;
    const planted = rollbackBy("mallory", MAIN_HEAD, `${commentId}:1`, candidate);

    await world.deliver(event);

    const made = rollbacks().filter((d) => d.id !== planted);
    expect(made.map((d) => ({ sha: d.sha, creator: d.creator.login }))).toEqual([{ sha: ON_MAIN, creator: world.github.app.bot.login }]);
    expect(recordsOf().map((r) => r.fields)).toEqual([expect.objectContaining({ sha: ON_MAIN, deployment: made[0]!.id, of: candidate })]);
    expect(world.appBodies(7).find((b) => b.startsWith("<!-- mainline:ledger "))).toContain(`- production back to \`1111111\` (the commit of deployment ${candidate}): deployment ${made[0]!.id}, by **bob** at ${NOW}`);
  });
});
