import { STATUS_PAGE, type Account, type DeploymentFacts } from "../../src/policy/deployment-history.js";
import { COMMAND_LOOKS, LEDGER_LOOKS, rollbackStep, STATUSES_AT_ONCE, type RollbackStep } from "../../src/policy/rollback.js";

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

/** The search run to its end as the adapter runs it, knowing `deployments`' statuses and ON_MAIN: its answer, and the steps it asked for. */
/** The search run to its end, answering what it asks; `knownOffMain`: commits placed before it starts. */
function search(deployments: readonly DeploymentFacts[], looks = LEDGER_LOOKS, onMain: ReadonlySet<string> = ON_MAIN, knownOffMain: readonly string[] = []) {
  const listed = deployments.map(({ statuses: _, ...d }) => d);
  const statuses = new Map<number, DeploymentFacts["statuses"]>();
  const placed = new Map<string, boolean>(knownOffMain.map((s) => [s, false]));
  const asked: Array<Extract<RollbackStep, { kind: "read-statuses" | "ask-on-main" }>> = [];
  for (;;) {
    const step = rollbackStep({ environment: "production", looks, listed, statuses, onMain: placed });
    if (step.kind === "found" || step.kind === "none") return { step, asked };
    asked.push(step);
    if (step.kind === "ask-on-main") placed.set(step.sha, onMain.has(step.sha));
    else for (const d of step.deployments) statuses.set(d.id, deployments.find((e) => e.id === d.id)!.statuses);
  }
}

/** The candidate's deployment id, or undefined. */
const candidateOf = (deployments: readonly DeploymentFacts[], looks?: number) => {
  const { step } = search(deployments, looks);
  return step.kind === "found" ? step.candidate.deploymentId : undefined;
};

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
      `the ledger looks at the ${LEDGER_LOOKS} newest only`,
      [...Array.from({ length: LEDGER_LOOKS }, (_, i) => dep(10 + i, "production", D, 10 + i, ["success"])), dep(1, "production", A, 9, ["success"])],
      undefined,
    ],
    [
      `the ${LEDGER_LOOKS}th newest is`,
      [...Array.from({ length: LEDGER_LOOKS - 1 }, (_, i) => dep(10 + i, "production", D, 10 + i, ["success"])), dep(1, "production", A, 9, ["success"])],
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
    expect(candidateOf(deployments)).toBe(id);
    // The command looks further, so it finds whatever the ledger finds.
    if (id !== undefined) expect(candidateOf(deployments, COMMAND_LOOKS)).toBe(id);
  });

  test("the candidate as the ledger shows it", () => {
    expect(search([dep(1, "Production", A, 9, ["success"])]).step).toEqual({
      kind: "found",
      candidate: { environment: "Production", sha: A, deploymentId: 1, createdAt: "2026-11-20T09:00:00Z" },
    });
  });
});

/** `count` deployments to production of D (off main), all at hour 23 (the higher id newer): on top of the rest. Their statuses `states`, written by `writers`. */
const junk = (count: number, states: string[], writers?: Account[]) =>
  Array.from({ length: count }, (_, i) => dep(100 + i, "production", D, 23, states, writers));
/** This app refused it; then its creator said it succeeded. */
const REFUSED = ["success", "failure"];
const REFUSED_BY = [TOOL, THIS_APP];

describe("how deep the search looks: the ledger its 5 newest, /incident rollback its 30 newest", () => {
  test.each<[string, DeploymentFacts[], number, number | undefined]>([
    ["5 refused deployments on top hide the candidate from the ledger", [...junk(5, REFUSED, REFUSED_BY), dep(1, "production", A, 9, ["success"])], LEDGER_LOOKS, undefined],
    ["… not from the command", [...junk(5, REFUSED, REFUSED_BY), dep(1, "production", A, 9, ["success"])], COMMAND_LOOKS, 1],
    [`${COMMAND_LOOKS - 1} refused on top: the command still finds it`, [...junk(COMMAND_LOOKS - 1, REFUSED, REFUSED_BY), dep(1, "production", A, 9, ["success"])], COMMAND_LOOKS, 1],
    [`${COMMAND_LOOKS} refused on top: the command looks no further`, [...junk(COMMAND_LOOKS, REFUSED, REFUSED_BY), dep(1, "production", A, 9, ["success"])], COMMAND_LOOKS, undefined],
    ["statuses that fill the page never count, however deep", [...junk(12, Array.from({ length: STATUS_PAGE }, () => "success")), dep(1, "production", A, 9, ["success"])], COMMAND_LOOKS, 1],
    ["deployments that never reported past", [...junk(8, ["in_progress"]), ...junk(4, ["failure"]), dep(1, "production", A, 9, ["success"])], COMMAND_LOOKS, 1],
  ])("%s", (_case, deployments, looks, id) => {
    expect(candidateOf(deployments, looks)).toBe(id);
  });

  test("no candidate: how many were looked at and how many of them succeeded", () => {
    expect(search([...junk(COMMAND_LOOKS, REFUSED, REFUSED_BY), dep(1, "production", A, 9, ["success"])], COMMAND_LOOKS).step).toEqual({ kind: "none", looked: COMMAND_LOOKS, succeeded: 0 });
    expect(search([dep(3, "production", D, 10, ["success"]), dep(2, "production", C, 9, ["failure"])], COMMAND_LOOKS).step).toEqual({ kind: "none", looked: 2, succeeded: 1 });
    expect(search([dep(4, "staging", A, 11, ["success"])], COMMAND_LOOKS).step).toEqual({ kind: "none", looked: 0, succeeded: 0 });
  });
});

describe("rollbackStep: what the search reads, in order, and where it stops", () => {
  test("statuses newest first, a few at a time, stopping at the batch that decides; then each succeeded commit, newest first, until one is on main", () => {
    // 7 refused on top; D off main, B and A on main below; 20 older ones that are never read.
    const older = junk(20, ["success"]).map((d, i) => ({ ...d, id: 200 + i, createdAt: "2026-11-20T01:00:00Z" }));
    const deployments = [...junk(7, REFUSED, REFUSED_BY), dep(3, "production", D, 12, ["success"]), dep(2, "production", B, 11, ["success"]), dep(1, "production", A, 10, ["success"]), ...older];
    const { step, asked } = search(deployments, COMMAND_LOOKS);

    expect(step).toEqual({ kind: "found", candidate: expect.objectContaining({ deploymentId: 2, sha: B }) });
    expect(asked.map((s) => (s.kind === "ask-on-main" ? s.sha.slice(0, 1) : s.deployments.map((d) => d.id)))).toEqual([[106, 105, 104, 103, 102], [101, 100, 3, 2, 1], "d", "b"]);
    expect(STATUSES_AT_ONCE).toBe(5);
  });

  test("a commit asked about once, however many of its deployments succeeded", () => {
    const { asked } = search([dep(5, "production", D, 14, ["success"]), dep(4, "production", D, 13, ["success"]), dep(1, "production", A, 10, ["success"])]);
    expect(asked.filter((s) => s.kind === "ask-on-main").map((s) => (s as { sha: string }).sha)).toEqual([D, A]);
  });

  test("a deployment of a commit known to be off main (the exception deploy just let through) is passed unread", () => {
    const deployments = [dep(5, "production", D, 14, []), dep(1, "production", A, 10, ["success"])];
    const { step, asked } = search(deployments, LEDGER_LOOKS, ON_MAIN, [D]);
    expect(step).toEqual({ kind: "found", candidate: expect.objectContaining({ deploymentId: 1 }) });
    expect(asked.flatMap((s): Array<number | string> => (s.kind === "read-statuses" ? s.deployments.map((d) => d.id) : [s.sha.slice(0, 1)]))).toEqual([1, "a"]);
    // Unknown, it is read like any other.
    expect(search(deployments).asked.flatMap((s) => (s.kind === "read-statuses" ? s.deployments.map((d) => d.id) : []))).toEqual([5, 1]);
  });

  test("another environment's deployments are never read", () => {
    const { asked } = search([dep(4, "staging", C, 11, ["success"]), dep(1, "production", A, 9, ["success"])]);
    expect(asked.flatMap((s) => (s.kind === "read-statuses" ? s.deployments.map((d) => d.id) : []))).toEqual([1]);
  });
});
