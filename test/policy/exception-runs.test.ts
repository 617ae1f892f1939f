import { approvers, describeRun, exceptionsInForce, runOf, runStatus, type ExceptionRun, type RunStatus } from "../../src/policy/exception-runs.js";
import type { GrantedException } from "../../src/policy/gate.js";
import { at, EXPIRES, GRANTED, grantedRun as state, HOUR, INCIDENT, OTHER, S, type ExceptionRunState as State } from "../helpers/exception-fixtures.js";

const runs = (...states: State[]): ExceptionRun[] => states.map((s, i) => ({ id: 500 + i, state: s }));

describe("runStatus: an exception's state from its check run", () => {
  test.each<[string, Partial<State>, number, RunStatus]>([
    // case, the run's state, now (ms after the grant), status
    ["just granted", {}, 0, "active"],
    ["one ms before it expires", {}, 4 * HOUR - 1, "active"],
    ["exactly at expires", {}, 4 * HOUR, "expired"],
    ["after expires, unused", {}, 5 * HOUR, "expired"],
    ["used, then past expires: still used", { used: at(HOUR) }, 30 * HOUR, "used"],
    ["revoked before use", { revoked: "carol" }, 2 * HOUR, "revoked"],
    ["revoked, and now past expires", { revoked: "carol" }, 5 * HOUR, "revoked"],
    ["two approvals needed, none given", { approvals: 2 }, HOUR, "awaiting-approval"],
    ["two approvals needed, another person approved", { approvals: 2, approved: "bob" }, HOUR, "active"],
    ["two approvals needed, never approved, now past expires", { approvals: 2 }, 4 * HOUR, "expired"],
    ["two approvals needed, approved, then past expires", { approvals: 2, approved: "bob" }, 4 * HOUR, "expired"],
    ["two approvals needed, revoked while waiting", { approvals: 2, revoked: "carol" }, HOUR, "revoked"],
    ["one approval needed: a stray approval changes nothing", { approved: "bob" }, HOUR, "active"],
    ["its incident closed", { ended: at(HOUR) }, 2 * HOUR, "ended"],
    ["its incident closed after it was used", { used: at(HOUR), ended: at(2 * HOUR) }, 3 * HOUR, "ended"],
    ["its incident closed after it was revoked", { revoked: "carol", ended: at(2 * HOUR) }, 3 * HOUR, "ended"],
    ["its incident closed while a record was tampered with", { suspended: "mallory", ended: at(2 * HOUR) }, 3 * HOUR, "ended"],
    ["a record of its incident tampered with", { suspended: "mallory" }, HOUR, "suspended"],
    ["used, then a record tampered with", { used: at(HOUR), suspended: "mallory" }, 2 * HOUR, "suspended"],
    ["suspended, and now past expires", { suspended: "mallory" }, 5 * HOUR, "suspended"],
    ["revoked while suspended", { revoked: "carol", suspended: "mallory" }, HOUR, "revoked"],
    ["used, then revoked", { used: at(HOUR), revoked: "carol" }, 2 * HOUR, "revoked"],
  ])("%s → %s", (_case, over, now, expected) => {
    expect(runStatus(state(over), new Date(GRANTED + now))).toBe(expected);
  });
});

describe("approvers", () => {
  test.each<[string, string[]]>([
    ["", []],
    ["bob", ["bob"]],
    ["bob,dave", ["bob", "dave"]],
  ])("%j → %j", (approved, expected) => {
    expect(approvers(state({ approved }))).toEqual(expected);
  });
});

describe("exceptionsInForce: what the gate may honour", () => {
  // The table grantedExceptions had, on the check runs: "incident closed" is now the run's `ended` (any close of the
  // incident writes it); the gate also confirms the incident is an open issue here (test/server, src/procedures/decide-gate.ts).
  test.each<[string, Partial<State>, number, string | null | undefined]>([
    // case, the run's state, now, expiresAt given to the gate (undefined = not granted, null = used, no expiry)
    ["active, incident open", {}, HOUR, EXPIRES],
    ["active, incident closed", { ended: at(HOUR) }, 2 * HOUR, undefined],
    ["used, incident open: still valid after the ttl", { used: at(HOUR) }, 30 * HOUR, null],
    ["used, incident closed", { used: at(HOUR), ended: at(2 * HOUR) }, 30 * HOUR, undefined],
    ["expired", {}, 4 * HOUR, undefined],
    ["revoked", { revoked: "carol" }, 2 * HOUR, undefined],
    ["awaiting approval", { approvals: 2 }, HOUR, undefined],
    ["approved by a second person", { approvals: 2, approved: "bob" }, 2 * HOUR, EXPIRES],
    ["suspended: a record of its incident was tampered with", { suspended: "mallory" }, HOUR, undefined],
    ["used, then suspended", { used: at(HOUR), suspended: "mallory" }, 2 * HOUR, undefined],
  ])("%s", (_case, over, now, expiresAt) => {
    const granted = exceptionsInForce(runs(state(over)), S, "production", new Date(GRANTED + now));
    expect(granted).toEqual<GrantedException[]>(expiresAt === undefined ? [] : [{ sha: S, environment: "production", incident: INCIDENT, grantedBy: "alice", expiresAt }]);
  });

  test("only the runs for this commit and environment count; the environment is matched whatever its case", () => {
    const all = runs(state({ sha: OTHER }), state({ env: "staging" }), state({ env: "Production", incident: 13, by: "bob" }));
    expect(exceptionsInForce(all, S, "PRODUCTION", new Date(GRANTED + HOUR))).toEqual<GrantedException[]>([
      { sha: S, environment: "Production", incident: 13, grantedBy: "bob", expiresAt: EXPIRES },
    ]);
    expect(exceptionsInForce(all, S, "canary", new Date(GRANTED + HOUR))).toEqual([]);
  });

  test("exceptions of several incidents are each listed, with their incident", () => {
    const all = runs(state(), state({ incident: 13, revoked: "carol" }), state({ incident: 14, used: at(HOUR) }));
    expect(exceptionsInForce(all, S, "production", new Date(GRANTED + 2 * HOUR)).map((e) => [e.incident, e.expiresAt])).toEqual([
      [INCIDENT, EXPIRES],
      [14, null],
    ]);
  });

  test("no runs, no exceptions", () => {
    expect(exceptionsInForce([], S, "production", new Date(GRANTED))).toEqual([]);
  });
});

describe("runOf: one incident's run for an environment", () => {
  const all = runs(state({ incident: 13 }), state({ env: "staging" }), state({ env: "Production" }));
  test.each<[string, number, string, number | undefined]>([
    ["this incident, the environment in another case", INCIDENT, "production", 502],
    ["this incident, another environment", INCIDENT, "staging", 501],
    ["another incident", 13, "PRODUCTION", 500],
    ["an incident without a run", 14, "production", undefined],
    ["an environment without a run", INCIDENT, "canary", undefined],
  ])("%s", (_case, incident, environment, id) => {
    expect(runOf(all, incident, environment)?.id).toBe(id);
  });
});

describe("describeRun: what people see on the check run", () => {
  test("an exception waiting for its second approval", () => {
    expect(describeRun(state({ approvals: 2 }), new Date(GRANTED + HOUR))).toEqual({
      title: "Exception awaiting approval",
      summary: [
        "Exception for `5b3c9d1` to production in incident #12: **awaiting approval**.",
        `Granted by **alice** at ${at(0)}; expires ${EXPIRES} unless used.`,
        "Waits for a second person's `/hotfix approve`.",
      ].join("\n\n"),
    });
  });

  test("an approved, used exception whose incident closed says each of those", () => {
    const { title, summary } = describeRun(state({ approvals: 2, approved: "bob", used: at(HOUR), ended: at(2 * HOUR) }), new Date(GRANTED + 3 * HOUR));
    expect(title).toBe("Exception ended");
    expect(summary.split("\n\n")).toEqual([
      "Exception for `5b3c9d1` to production in incident #12: **ended**.",
      `Granted by **alice** at ${at(0)}; expires ${EXPIRES} unless used.`,
      "Approved by **bob**.",
      `Used by a deployment at ${at(HOUR)}.`,
      `Ended at ${at(2 * HOUR)}: its incident was closed, and reopening it never brings an exception back.`,
    ]);
  });

  test("names in it are user text: escaped, and no marker syntax gets through", () => {
    const { summary } = describeRun(state({ env: "prod <!-- x --> @team", revoked: "carol", suspended: "mal<!--lory" }), new Date(GRANTED + HOUR));
    expect(summary).not.toMatch(/<!--|-->/);
    expect(summary).toContain("to prod &lt;!-- x --&gt; @\u200bteam in incident #12: **revoked**.");
    expect(summary).toContain("Revoked by **carol**.");
    expect(summary).toContain("Suspended: mal&lt;!--lory changed one of the incident's records");
  });
});
