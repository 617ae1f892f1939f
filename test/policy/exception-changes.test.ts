import { exceptionRunChanges, type GrantedRun } from "../../src/policy/exception-changes.js";
import type { Person } from "../../src/policy/same-person.js";
import { at, grantedRun as state, HOUR, type ExceptionRunState as State } from "../helpers/exception-fixtures.js";

const ALICE: Person = { login: "alice", account: 1 };
const BOB: Person = { login: "bob", account: 2 };
const NOW = new Date(at(HOUR));
const granted = (over: Partial<State>, grantor: Person = ALICE): GrantedRun => ({ run: { id: 500, state: state(over) }, grantor });

describe("exceptionRunChanges: what /hotfix approve and /hotfix revoke change in the runs", () => {
  test.each<[string, "hotfix-approve" | "hotfix-revoke", GrantedRun, Person, Partial<State> | undefined]>([
    // case, command, the run and its grantor, who runs the command, what the run then says (undefined: left alone)
    ["a second person approves a waiting grant", "hotfix-approve", granted({ approvals: 2 }), BOB, { approvals: 2, approved: "bob" }],
    ["the grantor cannot approve their own", "hotfix-approve", granted({ approvals: 2 }), ALICE, undefined],
    ["nor under a new login", "hotfix-approve", granted({ approvals: 2 }), { login: "alice-renamed", account: 1 }, undefined],
    ["a login in other case is the same person (no account recorded)", "hotfix-approve", granted({ approvals: 2 }, { login: "alice" }), { login: "ALICE" }, undefined],
    ["an active grant needs no approval", "hotfix-approve", granted({}), BOB, undefined],
    ["an expired grant is not approved", "hotfix-approve", granted({ approvals: 2, expires: at(HOUR) }), BOB, undefined],
    ["a revoked grant is not approved", "hotfix-approve", granted({ approvals: 2, revoked: "carol" }), BOB, undefined],
    ["revoking an active grant", "hotfix-revoke", granted({}), BOB, { revoked: "bob" }],
    ["revoking a waiting grant, by its grantor", "hotfix-revoke", granted({ approvals: 2 }), ALICE, { approvals: 2, revoked: "alice" }],
    ["a used grant stays used", "hotfix-revoke", granted({ used: at(HOUR / 2) }), BOB, undefined],
    ["an expired grant stays expired", "hotfix-revoke", granted({ expires: at(HOUR) }), BOB, undefined],
    ["a revoked grant is not revoked twice", "hotfix-revoke", granted({ revoked: "carol" }), BOB, undefined],
    ["an ended grant stays ended", "hotfix-revoke", granted({ ended: at(HOUR / 2) }), BOB, undefined],
    ["a suspended grant stays suspended", "hotfix-revoke", granted({ suspended: "mallory" }), BOB, undefined],
  ])("%s", (_case, command, run, actor, after) => {
    const expected = after ? [{ run: run.run, state: state(after) }] : [];
    expect(exceptionRunChanges(command, [run], actor, NOW)).toEqual(expected);
  });

  test("several runs: each judged on its own, in their order", () => {
    const waiting = granted({ approvals: 2 });
    const production = { run: { id: 501, state: state({ env: "production", approvals: 2 }) }, grantor: ALICE };
    const staging = { run: { id: 502, state: state({ env: "staging", approvals: 2, approved: "" }) }, grantor: BOB };
    expect(exceptionRunChanges("hotfix-approve", [production, staging], BOB, NOW)).toEqual([{ run: production.run, state: { ...production.run.state, approved: "bob" } }]);
    expect(exceptionRunChanges("hotfix-revoke", [waiting, granted({ used: at(0) }), staging], BOB, NOW).map(({ state }) => state.revoked)).toEqual(["bob", "bob"]);
  });
});
