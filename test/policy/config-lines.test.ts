import { parse } from "yaml";
import { formatProblems, parseConfig, type ConfigProblem } from "../../src/config.js";
import { locateProblems } from "../../src/policy/config-lines.js";

/** The problems the app reports for a file, each as "line: message", the way a check run annotates them. */
function annotate(yamlText: string): string[] {
  let raw: unknown;
  let problems: ConfigProblem[];
  try {
    raw = parse(yamlText);
    problems = parseConfig(raw).problems;
  } catch {
    problems = [{ path: "(file)", expected: "a YAML mapping", got: "invalid YAML" }];
  }
  return locateProblems(yamlText, problems).map((p) => `${p.line ?? "?"}: ${formatProblems([p])[0]!.replace(/^\S+: /, "")}`);
}

const lines = (...text: string[]) => `${text.join("\n")}\n`;

describe("locateProblems: each problem of a broken file points at its line", () => {
  test.each([
    {
      what: "a wrong value in a nested mapping",
      file: lines("mode: enforce", "override:", "  permission: maintain", "  approvals: 3"),
      expected: ['4: `override.approvals`: expected 1 or 2, got number 3'],
    },
    {
      what: "a misspelt top-level key: the key's own line",
      file: lines("# mainline", "", "enviroments: [production]", "mode: enforce"),
      expected: ["3: `enviroments`: expected no such key (known: mode, mainBranch, environments, releaseBranches, labels, mergeBack, rca, override, cascade, checks, onApiError, promotion, hotfix), got an unknown key"],
    },
    {
      what: "a misspelt key in a promotion rule named by a pattern: its own line",
      file: lines("promotion:", "  production:", "    after: staging", "  prod-*:", "    after: staging", "    soak: 30"),
      expected: ["6: `promotion.prod-*.soak`: expected no such key (known: after, soakMinutes), got an unknown key"],
    },
    {
      what: "a misspelt key under hotfix.budget: its own line",
      file: lines("hotfix:", "  maxChangedLines: 50", "  budget:", "    count: 3", "    day: 30"),
      expected: ["5: `hotfix.budget.day`: expected no such key (known: count, days), got an unknown key"],
    },
    {
      what: "a bad item in a block list: the item's line",
      file: lines("environments:", "  - production", "  - ''", "  - staging"),
      expected: ['3: `environments[1]`: expected a non-empty string, got string ""'],
    },
    {
      what: "a bad item in a flow list",
      file: lines("mode: shadow", "releaseBranches: [release/*, 7]"),
      expected: ["2: `releaseBranches[1]`: expected string, got number 7"],
    },
    {
      what: "an empty label: the key's line, though it has no value",
      file: lines("labels:", "  mergeBack: merge-back", "  incident:", "  rca: rca"),
      expected: ["3: `labels.incident`: expected string, got null (an empty value)"],
    },
    {
      what: "several problems at once, each on its own line",
      file: lines("mode: loud", "labels:", "  incdent: sev1", "rca:", "  dueDays: -1", "onApiError: approve"),
      expected: [
        '1: `mode`: expected one of "enforce", "shadow", got string "loud"',
        "3: `labels.incdent`: expected no such key (known: incident, mergeBack, rca, cascade, postMergeReview), got an unknown key",
        "5: `rca.dueDays`: expected a number greater than 0, got number -1",
      ],
    },
    {
      what: "a mapping written in flow style",
      file: lines("cascade: {windowHours: 24}", "override: {ttlHours: 0, approvals: 1}"),
      expected: ["2: `override.ttlHours`: expected a number greater than 0, got number 0"],
    },
    {
      what: "a list where a mapping belongs",
      file: lines("mergeBack:", "  - dueHours: 24"),
      expected: ["1: `mergeBack`: expected object, got a list ([{\"dueHours\":24}])"],
    },
    {
      what: "a file that is a list, not a mapping: its first line with content",
      file: lines("# config", "- production"),
      expected: ['2: `(file)`: expected a mapping of keys to values, got a list (["production"])'],
    },
    {
      what: "invalid YAML: the line of the first YAML error",
      file: lines("mode: enforce", "environments: [production", "labels:", "  incident: x"),
      expected: ["3: `(file)`: expected a YAML mapping, got invalid YAML"],
    },
    {
      what: "a duplicate key is invalid YAML, found at the second one",
      file: lines("mode: enforce", "rca:", "  dueDays: 5", "mode: shadow"),
      expected: ["4: `(file)`: expected a YAML mapping, got invalid YAML"],
    },
    {
      what: "a value through an alias: where it is written",
      file: lines("defaults: &d", "  approvals: 5", "override: *d"),
      expected: [
        "2: `override.approvals`: expected 1 or 2, got number 5",
        "1: `defaults`: expected no such key (known: mode, mainBranch, environments, releaseBranches, labels, mergeBack, rca, override, cascade, checks, onApiError, promotion, hotfix), got an unknown key",
      ],
    },
    {
      what: "CRLF line endings",
      file: "mode: enforce\r\nonApiError: maybe\r\n",
      expected: ['2: `onApiError`: expected one of "reject", "approve", got string "maybe"'],
    },
  ])("$what", ({ file, expected }) => {
    expect(annotate(file)).toEqual(expected);
  });
});

describe("locateProblems: paths that need care", () => {
  const problem = (path: string): ConfigProblem => ({ path, expected: "x", got: "y" });
  const lineOf = (file: string, path: string) => locateProblems(file, [problem(path)])[0]!.line;

  test.each([
    ["an unknown key holding a dot", lines("mode: enforce", "labels:", "  a.b: c"), "labels.a.b", 3],
    ["a dotted key beside its prefix", lines("a:", "  b: 1", "a.b: 2"), "a.b", 3],
    ["a list item under a nested key", lines("rca:", "  requiredSections:", "    - Timeline", "    - 5"), "rca.requiredSections[1]", 4],
    ["a quoted key", lines('"mode": shadow', "'onApiError': x"), "onApiError", 2],
    ["a key after a block scalar", lines("mainBranch: |", "  main", "  more", "mode: x"), "mode", 4],
    ["a value on the line after its key: the key's line", lines("override:", "  approvals:", "    3"), "override.approvals", 2],
    ["the file's first content line when it has no error", lines("", "# only comments", "", "42"), "(file)", 4],
    ["an empty file", "", "(file)", 1],
  ])("%s", (_case, file, path, line) => {
    expect(lineOf(file, path)).toBe(line);
  });

  test.each([
    ["a key not in this file (inherited from the org's .github repository)", lines("mode: enforce"), "override.approvals"],
    ["a list index past the end", lines("environments: [production]"), "environments[3]"],
    ["a path through a scalar", lines("labels: none"), "labels.incident"],
    ["an index into a mapping", lines("labels:", "  incident: x"), "labels[0]"],
    ["a path into an empty file", "", "mode"],
  ])("%s: no line", (_case, file, path) => {
    expect(lineOf(file, path)).toBeUndefined();
  });

  test("every problem keeps its path, expected and got, in order", () => {
    const problems = [problem("mode"), problem("(file)"), problem("nope")];
    expect(locateProblems(lines("x: 1", "mode: 2"), problems)).toEqual([
      { path: "mode", expected: "x", got: "y", line: 2 },
      { path: "(file)", expected: "x", got: "y", line: 1 },
      { path: "nope", expected: "x", got: "y", line: undefined },
    ]);
  });
});
