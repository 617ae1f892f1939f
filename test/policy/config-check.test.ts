import { configCheck, type ConfigCheck } from "../../src/policy/config-check.js";
import type { LocatedProblem } from "../../src/policy/config-lines.js";

const HEAD = "0123456789abcdef0123456789abcdef01234567";
const mode: LocatedProblem = { path: "mode", expected: '"enforce" | "shadow"', got: '"strict"', line: 3 };
const ttl: LocatedProblem = { path: "override.ttlHours", expected: "a number greater than 0", got: "0", line: undefined };
const UNTIL = "\n\nUntil this is fixed, mainline would use the defaults for these keys (the gate stays on).";

describe("configCheck: mainline/config for a pull request that changes .github/mainline.yml", () => {
  test.each<[string, LocatedProblem[] | undefined, ConfigCheck]>([
    // case, the file's problems by line (undefined: removed), the check run
    [
      "removed: the defaults apply",
      undefined,
      { conclusion: "success", title: ".github/mainline.yml removed: the defaults (or the owner's .github repository) apply", summary: "This pull request removes `.github/mainline.yml`." },
    ],
    ["valid", [], { conclusion: "success", title: ".github/mainline.yml is valid", summary: "`.github/mainline.yml` at 0123456 matches mainline's schema." }],
    [
      "one problem, on a known line",
      [mode],
      { conclusion: "failure", title: ".github/mainline.yml: 1 problem", summary: `- line 3: .github/mainline.yml: \`mode\`: expected "enforce" | "shadow", got "strict"${UNTIL}` },
    ],
    [
      "two problems, one with no line",
      [mode, ttl],
      {
        conclusion: "failure",
        title: ".github/mainline.yml: 2 problems",
        summary: `- line 3: .github/mainline.yml: \`mode\`: expected "enforce" | "shadow", got "strict"\n- .github/mainline.yml: \`override.ttlHours\`: expected a number greater than 0, got 0${UNTIL}`,
      },
    ],
  ])("%s", (_case, located, expected) => {
    expect(configCheck(located, HEAD)).toEqual(expected);
  });
});
