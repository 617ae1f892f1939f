import { matchesGlob } from "../../src/policy/glob.js";

describe("matchesGlob", () => {
  test.each([
    ["release/1.2", ["release/*"], true, true],
    ["release/2026/11", ["release/*"], true, true],
    ["release/", ["release/*"], true, true],
    ["release", ["release/*"], true, false],
    ["prerelease/1", ["release/*"], true, false],
    ["Release/1.2", ["release/*"], true, false],
    ["Release/1.2", ["release/*"], false, true],
    ["stable-7", ["release/*", "stable-?"], true, true],
    ["stable-17", ["stable-?"], true, false],
    ["v1.2", ["v1.2"], true, true],
    ["v1x2", ["v1.2"], true, false],
    ["a+b(c)", ["a+b(c)"], true, true],
    ["anything", ["*"], true, true],
    ["main", [], true, false],
  ] as const)("%s against %j (case-sensitive: %s) → %s", (name, patterns, caseSensitive, matched) => {
    expect(matchesGlob(name, patterns, { caseSensitive })).toBe(matched);
  });
});
