import { isGatedEnvironment } from "../../src/policy/environments.js";

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
