import { STATUS_PAGE, type Account, type DeploymentFacts } from "../../src/policy/deployment-history.js";
import { ROLLBACK_LOOKS, rollbackCandidate, rollbackOrder } from "../../src/policy/rollback.js";

const sha = (c: string) => c.repeat(40);
const [A, B, C, D] = [sha("a"), sha("b"), sha("c"), sha("d")];
const ON_MAIN = new Set([A, B, C]);

/** The deploy tool's bot, another installed app's bot, this app's bot. */
const TOOL: Account = { id: 41898282, kind: "app" };
const OTHER_APP: Account = { id: 555, kind: "app" };
const THIS_APP: Account = { id: 777, kind: "this-app" };

/** A deployment the deploy tool created `hour` hours into the day, with its statuses' states newest first, written by `writers` (the tool unless told). */
const dep = (id: number, environment: string, commit: string, hour: number, states: string[], writers: Account[] = []): DeploymentFacts => ({
  id,
  environment,
  sha: commit,
  createdAt: `2026-11-20T${String(hour).padStart(2, "0")}:00:00Z`,
  createdBy: TOOL,
  statuses: states.map((state, i) => ({ state, createdAt: `2026-11-20T${String(hour).padStart(2, "0")}:05:00Z`, writtenBy: writers[i] ?? TOOL })),
});

describe("rollbackCandidate: the last deployment of the environment that was on main and succeeded", () => {
  test.each<[string, DeploymentFacts[], number | undefined]>([
    ["no deployment", [], undefined],
    ["the newest one, on main and succeeded (later marked inactive)", [dep(1, "production", A, 9, ["inactive", "success"]), dep(2, "production", B, 8, ["success"])], 1],
    ["a hotfix off main on top: the one before it", [dep(3, "production", D, 10, ["success"]), dep(1, "production", A, 9, ["inactive", "success"])], 1],
    ["a failed one on top: the one that succeeded", [dep(3, "production", C, 10, ["failure"]), dep(1, "production", A, 9, ["inactive", "success"])], 1],
    ["one still running on top", [dep(3, "production", C, 10, ["in_progress"]), dep(1, "production", A, 9, ["success"])], 1],
    ["newest by creation time, not by list order", [dep(1, "production", A, 8, ["success"]), dep(2, "production", B, 9, ["success"])], 2],
    ["the same time: the higher id is newer", [dep(1, "production", A, 9, ["success"]), dep(2, "production", B, 9, ["success"])], 2],
    ["another environment's deployments do not count", [dep(4, "staging", C, 11, ["success"]), dep(1, "production", A, 9, ["success"])], 1],
    ["environment names in another case", [dep(1, "Production", A, 9, ["success"])], 1],
    ["only commits off main", [dep(3, "production", D, 10, ["success"])], undefined],
    ["only failures", [dep(1, "production", A, 9, ["failure"]), dep(2, "production", B, 8, ["error"])], undefined],
    [
      `only the ${ROLLBACK_LOOKS} newest are looked at`,
      [...Array.from({ length: ROLLBACK_LOOKS }, (_, i) => dep(10 + i, "production", D, 10 + i, ["success"])), dep(1, "production", A, 9, ["success"])],
      undefined,
    ],
    [
      `the ${ROLLBACK_LOOKS}th newest is`,
      [...Array.from({ length: ROLLBACK_LOOKS - 1 }, (_, i) => dep(10 + i, "production", D, 10 + i, ["success"])), dep(1, "production", A, 9, ["success"])],
      1,
    ],
    // A deployment this app refused never ran, whoever says it succeeded since (the attack: a planted commit on main).
    ["refused by this app, then another app's success: the one before it", [dep(3, "production", C, 10, ["success", "failure"], [OTHER_APP, THIS_APP]), dep(1, "production", A, 9, ["success"])], 1],
    ["refused by this app, then the deploy tool's success: the one before it", [dep(3, "production", C, 10, ["success", "failure"], [TOOL, THIS_APP]), dep(1, "production", A, 9, ["success"])], 1],
    ["another app's success on the deploy tool's deployment: the one before it", [dep(3, "production", C, 10, ["success", "in_progress"], [OTHER_APP, TOOL]), dep(1, "production", A, 9, ["success"])], 1],
    // The attack: 100 statuses push this app's refusal (written first) off the page read.
    ["its statuses fill the page read (this app's refusal may be past it): the one before it", [dep(3, "production", C, 10, Array.from({ length: STATUS_PAGE }, () => "success")), dep(1, "production", A, 9, ["success"])], 1],
    [`${STATUS_PAGE - 1} statuses and a success: it`, [dep(3, "production", C, 10, Array.from({ length: STATUS_PAGE - 1 }, () => "success")), dep(1, "production", A, 9, ["success"])], 3],
    ["a rollback deployment this app created, reported by the deploy tool", [{ ...dep(3, "production", B, 10, ["success"]), createdBy: THIS_APP }, dep(1, "production", A, 9, ["success"])], 3],
  ])("%s", (_case, deployments, id) => {
    expect(rollbackCandidate("production", deployments, (s) => ON_MAIN.has(s))?.deploymentId).toBe(id);
  });

  test("the candidate as the ledger shows it", () => {
    expect(rollbackCandidate("production", [dep(1, "Production", A, 9, ["success"])], () => true)).toEqual({ environment: "Production", sha: A, deploymentId: 1, createdAt: "2026-11-20T09:00:00Z" });
  });
});

describe("rollbackOrder: whose commit the caller asks about, in order", () => {
  test("succeeded deployments of the environment, newest first: the caller stops at the first on main", () => {
    const deployments = [dep(1, "production", A, 8, ["success"]), dep(2, "production", D, 9, ["success"]), dep(3, "production", B, 10, ["failure"]), dep(4, "staging", C, 11, ["success"])];
    expect(rollbackOrder("production", deployments).map((d) => d.id)).toEqual([2, 1]);
  });
});
