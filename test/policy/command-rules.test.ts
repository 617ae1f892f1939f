import type { Command } from "../../src/commands/parse.js";
import { defaultConfig, type Config } from "../../src/config.js";
import { requiredRole, wrongPlace, type Place } from "../../src/policy/command-rules.js";
import type { Role } from "../../src/policy/roles.js";

const places = {
  issue: { isPullRequest: false, isIncident: false, isOpen: true },
  "open incident": { isPullRequest: false, isIncident: true, isOpen: true },
  "closed incident": { isPullRequest: false, isIncident: true, isOpen: false },
  "pull request": { isPullRequest: true, isIncident: false, isOpen: true },
} satisfies Record<string, Place>;

const ONLY_INCIDENT = "this command works only in an incident (an issue labelled as one: run `/incident` first)";
const CLOSED = "this incident is closed";
const OK = undefined;

describe("wrongPlace: where each command may run", () => {
  test.each<[Command["name"], string | undefined, string | undefined, string | undefined, string | undefined]>([
    // command,              plain issue,                                    open incident, closed incident, pull request
    ["incident", OK, OK, OK, "`/incident` works in an issue, not a pull request"],
    ["incident-close", ONLY_INCIDENT, OK, CLOSED, ONLY_INCIDENT],
    ["incident-force-close", ONLY_INCIDENT, OK, CLOSED, ONLY_INCIDENT],
    ["hotfix-allow", ONLY_INCIDENT, OK, CLOSED, ONLY_INCIDENT],
    ["hotfix-approve", ONLY_INCIDENT, OK, CLOSED, ONLY_INCIDENT],
    ["hotfix-revoke", ONLY_INCIDENT, OK, CLOSED, ONLY_INCIDENT],
    ["merge-back", ONLY_INCIDENT, OK, OK, ONLY_INCIDENT],
    ["mainline-status", "`/mainline status` works in an incident or a pull request", OK, OK, OK],
    ["mainline-report", OK, OK, OK, "`/mainline report` works in an issue, not a pull request"],
    ["mainline-help", OK, OK, OK, OK],
  ])("%s", (name, issue, openIncident, closedIncident, pullRequest) => {
    expect([
      wrongPlace(name, places.issue),
      wrongPlace(name, places["open incident"]),
      wrongPlace(name, places["closed incident"]),
      wrongPlace(name, places["pull request"]),
    ]).toEqual([issue, openIncident, closedIncident, pullRequest]);
  });
});

describe("requiredRole: who may run each command", () => {
  const withPermission = (permission: Config["override"]["permission"]): Config => ({ ...defaultConfig, override: { ...defaultConfig.override, permission } });

  test.each<[Command["name"], Role | undefined, Role | undefined, Role | undefined]>([
    // command,              override.permission: write, maintain, admin
    ["incident", "write", "write", "write"],
    ["incident-close", "write", "write", "write"],
    ["incident-force-close", "admin", "admin", "admin"],
    ["hotfix-allow", "write", "maintain", "admin"],
    ["hotfix-approve", "write", "maintain", "admin"],
    ["hotfix-revoke", "write", "maintain", "admin"],
    ["merge-back", "write", "write", "write"],
    ["mainline-status", undefined, undefined, undefined],
    ["mainline-report", "write", "write", "write"],
    ["mainline-help", undefined, undefined, undefined],
  ])("%s", (name, write, maintain, admin) => {
    expect([requiredRole(name, withPermission("write")), requiredRole(name, withPermission("maintain")), requiredRole(name, withPermission("admin"))]).toEqual([
      write,
      maintain,
      admin,
    ]);
  });

  test.each<[Command["name"], Role]>([
    ["hotfix-allow", "maintain"],
    ["hotfix-approve", "maintain"],
    ["hotfix-revoke", "maintain"],
  ])("by default %s needs %s", (name, role) => {
    expect(requiredRole(name, defaultConfig)).toBe(role);
  });
});
