import { isGatedEnvironment, shouldGate } from "../../src/policy/environments.js";

test.each([
  ["production", ["production"], true],
  ["Production", ["production"], true],
  ["staging", ["production"], false],
  ["production-eu", ["production"], false],
  ["prod-eu", ["prod-*"], true],
  ["prod-", ["prod-*"], true],
  ["preprod-eu", ["prod-*"], false],
  ["prod1", ["prod?"], true],
  ["prod12", ["prod?"], false],
  ["prod.eu", ["prod.eu"], true],
  ["prodxeu", ["prod.eu"], false],
  ["prod (eu)", ["prod (eu)"], true],
  ["anything", ["*"], true],
  ["production", [], false],
])("%s against %j → %s", (environment, patterns, gated) => {
  expect(isGatedEnvironment(environment, patterns)).toBe(gated);
});

describe("shouldGate", () => {
  test.each([
    ["gated environment, config read", "production", true, true],
    ["ungated environment, config read", "staging", true, false],
    ["ungated environment, config unreadable (list unknown)", "staging", false, true],
    ["gated environment, config unreadable", "production", false, true],
  ])("%s → %s", (_case, environment, readable, gated) => {
    expect(shouldGate(environment, ["production"], readable)).toBe(gated);
  });
});
