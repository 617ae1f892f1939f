import type { ExceptionRun } from "../../src/policy/exception-runs.js";
import type { GrantedException } from "../../src/policy/gate.js";
import { coveringException, EXCEPTION_LOOKUPS, exceptionsForCommit, offendersToLookUp } from "../../src/policy/pr-exceptions.js";
import { at, EXPIRES, grantedRun as state, HOUR, INCIDENT, OTHER, S, type ExceptionRunState as State } from "../helpers/exception-fixtures.js";

const runs = (...states: State[]): ExceptionRun[] => states.map((s, i) => ({ id: 500 + i, state: s }));
const granted = (over: Partial<GrantedException> = {}): GrantedException => ({ sha: S, environment: "production", incident: INCIDENT, grantedBy: "alice", expiresAt: EXPIRES, ...over });
const NOW = new Date(at(HOUR));

describe("exceptionsForCommit: what may let S into a release branch, in any gated environment", () => {
  test.each<[string, State[], GrantedException[]]>([
    // case, S's runs, the exceptions that may cover it (each still asked whether its incident is open)
    ["none granted", [], []],
    ["one active", [state()], [granted()]],
    ["used: still covers, never expires", [state({ used: at(HOUR / 2) })], [granted({ expiresAt: null })]],
    ["expired", [state({ expires: at(HOUR) })], []],
    ["revoked", [state({ revoked: "carol" })], []],
    ["its incident closed", [state({ ended: at(HOUR / 2) })], []],
    ["suspended", [state({ suspended: "mallory" })], []],
    ["waiting for a second approval", [state({ approvals: 2 })], []],
    ["another commit's", [state({ sha: OTHER })], []],
    ["one per environment, in the order the runs name them", [state({ env: "staging", incident: 13 }), state()], [granted({ environment: "staging", incident: 13 }), granted()]],
    ["expired in one environment, active in another", [state({ expires: at(HOUR) }), state({ env: "staging" })], [granted({ environment: "staging" })]],
    ["one environment in two cases: each run once", [state({ env: "Production" }), state({ incident: 13 })], [granted({ environment: "Production" }), granted({ incident: 13 })]],
  ])("%s", (_case, states, expected) => {
    expect(exceptionsForCommit(runs(...states), S, NOW)).toEqual(expected);
  });
});

describe("offendersToLookUp: each offending commit costs a read", () => {
  const shas = (n: number) => Array.from({ length: n }, (_, i) => i.toString(16).padStart(40, "0"));
  test.each<[string, number, number]>([
    ["none", 0, 0],
    ["one", 1, 1],
    ["at the bound", EXCEPTION_LOOKUPS, EXCEPTION_LOOKUPS],
    ["past the bound: none is looked up, so none is covered", EXCEPTION_LOOKUPS + 1, 0],
  ])("%s", (_case, offenders, looked) => {
    expect(offendersToLookUp(shas(offenders))).toHaveLength(looked);
  });
});

describe("coveringException: every offending commit needs its own", () => {
  const A = granted();
  const B = granted({ sha: OTHER, incident: 13, grantedBy: "bob" });
  test.each<[string, (GrantedException | undefined)[], ReturnType<typeof coveringException>]>([
    // case, each offending commit's exception (undefined: none in force with an open incident), what the check names
    ["no offending commit looked up", [], undefined],
    ["one covered", [A], { incident: INCIDENT, grantedBy: "alice", incidentOf: new Map([[S, INCIDENT]]) }],
    ["several covered, by two incidents: the first is named", [A, B], { incident: INCIDENT, grantedBy: "alice", incidentOf: new Map([[S, INCIDENT], [OTHER, 13]]) }],
    ["several covered, listed the other way", [B, A], { incident: 13, grantedBy: "bob", incidentOf: new Map([[OTHER, 13], [S, INCIDENT]]) }],
    ["one covered does not carry another", [A, undefined], undefined],
    ["the first uncovered", [undefined, B], undefined],
    ["none covered", [undefined], undefined],
  ])("%s", (_case, perOffender, expected) => {
    expect(coveringException(perOffender)).toEqual(expected);
  });
});
