import { runStatus } from "../../src/policy/exception-runs.js";
import {
  decideAllow,
  decideApprove,
  decideRevoke,
  exceptionStates,
  type ExceptionInForce,
  type ExceptionState,
  type IncidentRecords,
} from "../../src/policy/exceptions.js";
import type { Person } from "../../src/policy/same-person.js";
import type { RecordFields } from "../../src/records.js";
import { at, EXPIRES, GRANTED, grantedRun as run, HOUR, INCIDENT, OTHER, S, type ExceptionRunState as Run } from "../helpers/exception-fixtures.js";

const grant = (over: Partial<RecordFields<"exception">> = {}): RecordFields<"exception"> => ({
  sha: S,
  env: "production",
  by: "alice",
  at: at(0),
  expires: EXPIRES,
  source: "101:1",
  reason: "checkout is down",
  ...over,
});
const approval = (by: string, when: number, sha = S, account?: number): RecordFields<"approval"> => ({ sha, by, ...(account ? { account } : {}), at: at(when), source: "102:1" });
/** alice's account; her grant names it unless recorded before accounts were. */
const ALICE = 501;
const revoke = (when: number, sha = S): RecordFields<"revoke"> => ({ sha, by: "carol", at: at(when), source: "103:1" });
const deploy = (when: number, env = "production", sha = S): RecordFields<"deploy"> => ({ sha, env, deployment: 9001, at: at(when), issue: 40 });

function records(over: Partial<IncidentRecords> = {}): IncidentRecords {
  return { incident: INCIDENT, exceptions: [grant()], approvals: [], revokes: [], deploys: [], deployed: [], ...over };
}

/**
 * The commands judge an exception by its `mainline/exception` check run (what the gate believes),
 * as src/procedures/commands/hotfix.ts does: each run of this incident with its status `nowMs` after
 * the first grant, its grantor's account (`account`) from the grant's record. Runs are written by
 * the same commands that write the records above.
 */
function judged(runs: readonly Run[], nowMs: number, account?: number): ExceptionInForce[] {
  return runs.map((state) => ({ sha: state.sha, environment: state.env, grantor: { login: state.by, account }, status: runStatus(state, new Date(GRANTED + nowMs)) }));
}
const person = (login: string, account?: number): Person => ({ login, account });

/** The exception states of an incident's records, `nowMs` after the first grant. */
function stateAt(over: Partial<IncidentRecords>, approvals: 1 | 2, nowMs: number): ExceptionState[] {
  return exceptionStates(records(over), approvals, new Date(GRANTED + nowMs));
}

describe("exceptionStates: the status of one grant", () => {
  test.each<[string, string, Partial<IncidentRecords>, 1 | 2, number]>([
    // case, status, records, approvals needed, now (ms after the grant)
    ["just granted", "active", {}, 1, 0],
    ["one ms before it expires", "active", {}, 1, 4 * HOUR - 1],
    ["exactly at expiresAt", "expired", {}, 1, 4 * HOUR],
    ["after expiresAt, unused", "expired", {}, 1, 5 * HOUR],
    ["deployed, then past expiresAt", "used", { deploys: [deploy(HOUR)] }, 1, 30 * HOUR],
    ["deployed to the environment spelt in another case", "used", { deploys: [deploy(HOUR, "PRODUCTION")] }, 1, HOUR],
    ["deployed to another environment only", "active", { deploys: [deploy(HOUR, "staging")] }, 1, HOUR],
    ["deployed another commit only", "active", { deploys: [deploy(HOUR, "production", OTHER)] }, 1, HOUR],
    ["a deploy recorded before the grant", "active", { deploys: [deploy(-HOUR)] }, 1, HOUR],
    ["revoked before use", "revoked", { revokes: [revoke(HOUR)] }, 1, 2 * HOUR],
    ["revoked, and now past expiresAt", "revoked", { revokes: [revoke(HOUR)] }, 1, 5 * HOUR],
    ["used, then a revoke", "used", { deploys: [deploy(HOUR)], revokes: [revoke(2 * HOUR)] }, 1, 3 * HOUR],
    ["a revoke of another commit", "active", { revokes: [revoke(HOUR, OTHER)] }, 1, 2 * HOUR],
    [
      "revoked, then granted again",
      "active",
      { exceptions: [grant(), grant({ at: at(2 * HOUR), expires: at(6 * HOUR) })], revokes: [revoke(HOUR)] },
      1,
      3 * HOUR,
    ],
    [
      "revoked, granted again, and that grant expired",
      "expired",
      { exceptions: [grant(), grant({ at: at(2 * HOUR), expires: at(6 * HOUR) })], revokes: [revoke(HOUR)] },
      1,
      6 * HOUR,
    ],
    ["two approvals needed, none given", "awaiting-approval", {}, 2, HOUR],
    ["two approvals needed, another person approved", "active", { approvals: [approval("bob", HOUR)] }, 2, 2 * HOUR],
    ["two approvals needed, only the grantor approved", "awaiting-approval", { approvals: [approval("alice", HOUR)] }, 2, 2 * HOUR],
    ["two approvals needed, approval recorded before the grant", "awaiting-approval", { approvals: [approval("bob", -HOUR)] }, 2, HOUR],
    ["two approvals needed, approval of another commit", "awaiting-approval", { approvals: [approval("bob", HOUR, OTHER)] }, 2, 2 * HOUR],
    // A person is their account: a login can be renamed, and a freed one claimed by someone else.
    [
      "two approvals needed, the grantor approved after renaming the account",
      "awaiting-approval",
      { exceptions: [grant({ account: ALICE })], approvals: [approval("alice-renamed", HOUR, S, ALICE)] },
      2,
      2 * HOUR,
    ],
    [
      "two approvals needed, someone who claimed the grantor's freed login approved",
      "active",
      { exceptions: [grant({ account: ALICE })], approvals: [approval("alice", HOUR, S, 999)] },
      2,
      2 * HOUR,
    ],
    // Records written before accounts were: the logins are all there is.
    ["two approvals needed, a grant without account, the grantor's login approved", "awaiting-approval", { approvals: [approval("alice", HOUR, S, ALICE)] }, 2, 2 * HOUR],
    ["two approvals needed, an approval without account under the grantor's login", "awaiting-approval", { exceptions: [grant({ account: ALICE })], approvals: [approval("alice", HOUR)] }, 2, 2 * HOUR],
    // A grant needs what it recorded (hotfix discipline may ask two where the config asks one), as its check run does.
    ["the grant recorded two, the config asks one: none given", "awaiting-approval", { exceptions: [grant({ approvals: 2 })] }, 1, HOUR],
    ["the grant recorded two, the config asks one: only the grantor approved", "awaiting-approval", { exceptions: [grant({ approvals: 2 })], approvals: [approval("alice", HOUR)] }, 1, 2 * HOUR],
    ["the grant recorded two, the config asks one: another person approved", "active", { exceptions: [grant({ approvals: 2 })], approvals: [approval("bob", HOUR)] }, 1, 2 * HOUR],
    ["the grant recorded one, the config asks two since", "active", { exceptions: [grant({ approvals: 1 })] }, 2, HOUR],
    ["two approvals needed, never approved, now past expiresAt", "expired", {}, 2, 4 * HOUR],
    ["two approvals needed, approved, then past expiresAt", "expired", { approvals: [approval("bob", HOUR)] }, 2, 4 * HOUR],
    ["two approvals needed, revoked while waiting", "revoked", { revokes: [revoke(HOUR)] }, 2, 2 * HOUR],
    ["one approval needed: a stray approval changes nothing", "active", { approvals: [approval("bob", HOUR)] }, 1, 2 * HOUR],
  ])("%s → %s", (_case, expected, over, approvals, now) => {
    expect(stateAt(over, approvals, now).map((state) => state.status)).toEqual([expected]);
  });
});

describe("exceptionStates: what each state carries", () => {
  test("an approved, used exception lists its approvers and deploys", () => {
    expect(stateAt({ approvals: [approval("bob", HOUR)], deploys: [deploy(2 * HOUR)] }, 2, 3 * HOUR)).toEqual<ExceptionState[]>([
      {
        incident: INCIDENT,
        sha: S,
        environment: "production",
        grantedBy: "alice",
        reason: "checkout is down",
        grantedAt: "2026-11-20T10:00:00.000Z",
        expiresAt: "2026-11-20T14:00:00.000Z",
        approvedBy: ["bob"],
        deploys: [{ sha: S, env: "production", deployment: 9001, at: "2026-11-20T12:00:00.000Z", reached: false }],
        status: "used",
      },
    ]);
  });

  test("approvers are listed once each, without the grantor", () => {
    const approvals = [approval("bob", HOUR), approval("alice", HOUR), approval("carol", 2 * HOUR), approval("bob", 3 * HOUR)];
    expect(stateAt({ approvals }, 2, 3 * HOUR)[0]?.approvedBy).toEqual(["bob", "carol"]);
  });

  test("an approver who renamed the account between two approvals is listed once, under the first login", () => {
    const approvals = [approval("bob", HOUR, S, 502), approval("bob-renamed", 2 * HOUR, S, 502), approval("carol", 2 * HOUR, S, 503)];
    expect(stateAt({ exceptions: [grant({ account: ALICE })], approvals }, 2, 3 * HOUR)[0]?.approvedBy).toEqual(["bob", "carol"]);
  });

  test("the latest grant for a commit and environment is the one shown, whatever order the records came in", () => {
    const later = grant({ at: at(HOUR), expires: at(5 * HOUR), reason: "second try", by: "dave" });
    const [state, ...rest] = stateAt({ exceptions: [later, grant()] }, 1, 2 * HOUR);
    expect(rest).toEqual([]);
    expect(state).toMatchObject({ grantedBy: "dave", reason: "second try", grantedAt: at(HOUR), expiresAt: at(5 * HOUR), status: "active" });
  });

  test("grants for the same environment in another case are one exception", () => {
    const upper = grant({ env: "Production", at: at(HOUR), expires: at(5 * HOUR) });
    const states = stateAt({ exceptions: [grant(), upper] }, 1, 2 * HOUR);
    expect(states.map((s) => [s.environment, s.grantedAt])).toEqual([["Production", at(HOUR)]]);
  });

  test("grants for other environments or commits are separate exceptions", () => {
    const staging = grant({ env: "staging" });
    const other = grant({ sha: OTHER });
    const states = stateAt({ exceptions: [grant(), staging, other], deploys: [deploy(HOUR, "staging")] }, 1, 2 * HOUR);
    expect(states.map((s) => [s.sha, s.environment, s.status])).toEqual([
      [S, "production", "active"],
      [S, "staging", "used"],
      [OTHER, "production", "active"],
    ]);
  });

  test("an incident with no grants has no exceptions", () => {
    expect(stateAt({ exceptions: [] }, 1, 0)).toEqual([]);
  });
});

// grantedExceptions (what the gate may honour) is gone: the gate reads the check runs now. Its table moved to
// test/policy/exception-runs.test.ts ("exceptionsInForce: what the gate may honour").

describe("decideAllow: one exception in force per commit and environment", () => {
  test.each<[string, ExceptionInForce[], string, ReturnType<typeof decideAllow>]>([
    ["no grant yet", [], "production", { ok: true }],
    ["an active grant", judged([run()], HOUR), "production", { ok: false, error: "an exception for 5b3c9d1 to production is already active in this incident" }],
    [
      "an active grant, asked in another case",
      judged([run()], HOUR),
      "PRODUCTION",
      { ok: false, error: "an exception for 5b3c9d1 to PRODUCTION is already active in this incident" },
    ],
    [
      "a grant awaiting approval",
      judged([run({ approvals: 2 })], HOUR),
      "production",
      { ok: false, error: "an exception for 5b3c9d1 to production is already awaiting approval in this incident" },
    ],
    [
      "a used grant",
      judged([run({ used: at(HOUR) })], 30 * HOUR),
      "production",
      { ok: false, error: "an exception for 5b3c9d1 to production is already used in this incident" },
    ],
    ["an expired grant", judged([run()], 5 * HOUR), "production", { ok: true }],
    ["a revoked grant", judged([run({ revoked: "carol" })], 2 * HOUR), "production", { ok: true }],
    [
      "a grant suspended while a changed record is written back (a new grant must not lift the suspension)",
      judged([run({ suspended: "wendy" })], HOUR),
      "production",
      { ok: false, error: "the exceptions of this incident are suspended while mainline writes back a record someone changed; try again once it says so" },
    ],
    ["an active grant for another environment", judged([run()], HOUR), "staging", { ok: true }],
  ])("%s", (_case, states, environment, expected) => {
    expect(decideAllow(states, S, environment)).toEqual(expected);
  });

  test("an active grant for another commit does not block this one", () => {
    expect(decideAllow(judged([run()], HOUR), OTHER, "production")).toEqual({ ok: true });
  });
});

describe("decideApprove: the second person", () => {
  test.each<[string, ExceptionInForce[], Person, 1 | 2, ReturnType<typeof decideApprove>]>([
    ["another person approves a waiting grant", judged([run({ approvals: 2 })], HOUR), person("bob"), 2, { ok: true }],
    [
      "the grantor approves their own grant",
      judged([run({ approvals: 2 })], HOUR),
      person("alice"),
      2,
      { ok: false, error: "you granted this exception: a second person must approve it" },
    ],
    // A person is their account: a login can be renamed, and a freed one claimed by someone else.
    [
      "the grantor approves after renaming the account",
      judged([run({ approvals: 2 })], HOUR, ALICE),
      person("alice-renamed", ALICE),
      2,
      { ok: false, error: "you granted this exception: a second person must approve it" },
    ],
    ["someone who claimed the grantor's freed login approves", judged([run({ approvals: 2 })], HOUR, ALICE), person("alice", 999), 2, { ok: true }],
    [
      "the grantor's login approves a grant recorded before accounts were",
      judged([run({ approvals: 2 })], HOUR),
      person("alice", ALICE),
      2,
      { ok: false, error: "you granted this exception: a second person must approve it" },
    ],
    [
      "the repository needs one approval",
      judged([run()], HOUR),
      person("bob"),
      1,
      { ok: false, error: "this repository needs no second approval (`override.approvals` is 1)" },
    ],
    // Hotfix discipline (a big fix, a spent budget) asks a grant for two whatever the config says; its run says so.
    ["a grant that hotfix discipline sent for a second approval, although the config asks one", judged([run({ approvals: 2 })], HOUR), person("bob"), 1, { ok: true }],
    ["such a grant still not by its grantor", judged([run({ approvals: 2 })], HOUR), person("alice"), 1, { ok: false, error: "you granted this exception: a second person must approve it" }],
    ["nothing was granted", [], person("bob"), 2, { ok: false, error: "no exception for 5b3c9d1 is waiting for approval in this incident" }],
    [
      "the grant is already approved",
      judged([run({ approvals: 2, approved: "bob" })], 2 * HOUR),
      person("carol"),
      2,
      { ok: false, error: "no exception for 5b3c9d1 is waiting for approval in this incident" },
    ],
    [
      "the grant expired while waiting",
      judged([run({ approvals: 2 })], 5 * HOUR),
      person("bob"),
      2,
      { ok: false, error: "no exception for 5b3c9d1 is waiting for approval in this incident" },
    ],
    [
      "the grant was revoked while waiting",
      judged([run({ approvals: 2, revoked: "carol" })], 2 * HOUR),
      person("bob"),
      2,
      { ok: false, error: "no exception for 5b3c9d1 is waiting for approval in this incident" },
    ],
  ])("%s", (_case, states, actor, approvals, expected) => {
    expect(decideApprove(states, S, actor, approvals)).toEqual(expected);
  });

  test("a grantor may approve a waiting grant someone else made for the same commit", () => {
    const states = judged([run({ approvals: 2 }), run({ approvals: 2, env: "staging", by: "bob" })], HOUR);
    expect(decideApprove(states, S, person("alice"), 2)).toEqual({ ok: true });
  });
});

describe("decideRevoke: only an unused exception in force", () => {
  test.each<[string, ExceptionInForce[], ReturnType<typeof decideRevoke>]>([
    ["an active grant", judged([run()], HOUR), { ok: true }],
    ["a grant awaiting approval", judged([run({ approvals: 2 })], HOUR), { ok: true }],
    [
      "a used grant",
      judged([run({ used: at(HOUR) })], 2 * HOUR),
      { ok: false, error: "the exception for 5b3c9d1 was already used by a deployment and cannot be withdrawn" },
    ],
    ["no grant", [], { ok: false, error: "no exception for 5b3c9d1 is in force in this incident" }],
    ["an expired grant", judged([run()], 5 * HOUR), { ok: false, error: "no exception for 5b3c9d1 is in force in this incident" }],
    ["an already revoked grant", judged([run({ revoked: "carol" })], 2 * HOUR), { ok: false, error: "no exception for 5b3c9d1 is in force in this incident" }],
    ["a grant for another commit only", judged([run({ sha: OTHER })], HOUR), { ok: false, error: "no exception for 5b3c9d1 is in force in this incident" }],
  ])("%s", (_case, states, expected) => {
    expect(decideRevoke(states, S)).toEqual(expected);
  });

  test("an unused exception can be withdrawn although the same commit's exception for another environment was used", () => {
    const states = judged([run({ used: at(HOUR) }), run({ env: "staging" })], 2 * HOUR);
    expect(states.map((state) => [state.environment, state.status])).toEqual([
      ["production", "used"],
      ["staging", "active"],
    ]);
    expect(decideRevoke(states, S)).toEqual({ ok: true });
  });
});
