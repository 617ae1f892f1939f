import { effectiveRole, hasRole, type Role } from "../../src/policy/roles.js";

describe("effectiveRole: from GitHub's collaborator permission answer", () => {
  test.each<[string | undefined, string | undefined, Role | "none"]>([
    // role_name, permission, effective role
    ["admin", "admin", "admin"],
    ["maintain", "write", "maintain"],
    ["write", "write", "write"],
    ["triage", "read", "triage"],
    ["read", "read", "read"],
    ["security-manager", "write", "write"],
    ["release-captain", "admin", "admin"],
    ["auditor", "read", "read"],
    ["auditor", "none", "none"],
    [undefined, "maintain", "maintain"],
    [undefined, "write", "write"],
    [undefined, undefined, "none"],
    ["", "", "none"],
    [undefined, "owner", "none"],
  ])("role_name %s, permission %s → %s", (roleName, permission, expected) => {
    expect(effectiveRole(roleName, permission)).toBe(expected);
  });
});

describe("hasRole: a role includes every role below it", () => {
  test.each<[Role | "none", Role[]]>([
    // actual role, the required roles it satisfies
    ["none", []],
    ["read", ["read"]],
    ["triage", ["read", "triage"]],
    ["write", ["read", "triage", "write"]],
    ["maintain", ["read", "triage", "write", "maintain"]],
    ["admin", ["read", "triage", "write", "maintain", "admin"]],
  ])("%s satisfies %j", (actual, satisfied) => {
    const all: Role[] = ["read", "triage", "write", "maintain", "admin"];
    expect(all.filter((required) => hasRole(actual, required))).toEqual(satisfied);
  });
});
