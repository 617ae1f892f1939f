import { readFileSync } from "node:fs";
import { configJsonSchema } from "../src/config-json-schema.js";
import { defaultConfig, formatProblems, parseConfig } from "../src/config.js";

describe("parseConfig", () => {
  test("no file means every default of SPEC section 2", () => {
    expect(parseConfig(null)).toEqual({ config: defaultConfig, problems: [] });
    expect(defaultConfig).toEqual({
      mode: "enforce",
      mainBranch: "",
      environments: ["production"],
      releaseBranches: ["release/*"],
      labels: { incident: "incident", mergeBack: "merge-back", rca: "rca", cascade: "hotfix-cascade", postMergeReview: "post-merge-review" },
      mergeBack: { dueHours: 24 },
      rca: { dueDays: 5, requiredSections: ["Timeline", "Root cause", "Action items"] },
      override: { permission: "maintain", approvals: 1, ttlHours: 4 },
      cascade: { windowHours: 24 },
      checks: { otherPullRequests: "success" },
      onApiError: "reject",
      promotion: {},
      hotfix: { criteria: [], maxChangedLines: 0, budget: { count: 0, days: 30 } },
    });
  });

  test("the keys of SPEC sections 10 and 11 as the SPEC writes them", () => {
    const { config, problems } = parseConfig({
      promotion: { production: { after: "staging", soakMinutes: 30 }, "prod-*": { after: "staging" } },
      hotfix: { criteria: ["security", "outage", "data-loss", "revenue", "compliance"], maxChangedLines: 50, budget: { count: 3, days: 30 } },
    });
    expect(problems).toEqual([]);
    expect(config.promotion).toEqual({ production: { after: "staging", soakMinutes: 30 }, "prod-*": { after: "staging", soakMinutes: 0 } });
    expect(config.hotfix).toEqual({ criteria: ["security", "outage", "data-loss", "revenue", "compliance"], maxChangedLines: 50, budget: { count: 3, days: 30 } });
  });

  test("a partial file keeps defaults for the keys it does not name", () => {
    const { config, problems } = parseConfig({ environments: ["prod-*"], override: { approvals: 2 } });
    expect(problems).toEqual([]);
    expect(config.environments).toEqual(["prod-*"]);
    expect(config.override).toEqual({ permission: "maintain", approvals: 2, ttlHours: 4 });
  });

  test.each([
    [{ mode: "enforced" }, "mode", 'one of "enforce", "shadow"', 'string "enforced"'],
    [{ onApiError: true }, "onApiError", 'one of "reject", "approve"', "boolean true"],
    [{ environments: "production" }, "environments", "a list", 'string "production"'],
    [{ environments: ["production", 7] }, "environments[1]", "string", "number 7"],
    [{ mergeBack: { dueHours: -1 } }, "mergeBack.dueHours", "a number greater than 0", "number -1"],
    [{ override: { approvals: 3 } }, "override.approvals", "1 or 2", "number 3"],
    [{ override: { permission: "triage" } }, "override.permission", 'one of "write", "maintain", "admin"', 'string "triage"'],
    [{ labels: { incident: "" } }, "labels.incident", "a non-empty string", 'string ""'],
    [{ rca: null }, "rca", "object", "null (an empty value)"],
    [{ promotion: ["production"] }, "promotion", "a mapping", 'a list (["production"])'],
    [{ promotion: { production: "staging" } }, "promotion.production", "object", 'string "staging"'],
    [{ promotion: { production: { soakMinutes: 30 } } }, "promotion.production.after", "string", "nothing"],
    [{ promotion: { production: { after: "stag*" } } }, "promotion.production.after", "an environment name, not a pattern", 'string "stag*"'],
    [{ promotion: { production: { after: "staging", soakMinutes: -5 } } }, "promotion.production.soakMinutes", "a number of at least 0", "number -5"],
    [{ promotion: { "": { after: "staging" } } }, 'promotion.""', "a non-empty name", 'string ""'],
    [{ hotfix: { criteria: "outage" } }, "hotfix.criteria", "a list", 'string "outage"'],
    [{ hotfix: { criteria: ["outage", " "] } }, "hotfix.criteria[1]", "a non-empty string", 'string ""'],
    [{ hotfix: { maxChangedLines: 12.5 } }, "hotfix.maxChangedLines", "a whole number", "number 12.5"],
    [{ hotfix: { maxChangedLines: -1 } }, "hotfix.maxChangedLines", "a number of at least 0", "number -1"],
    [{ hotfix: { budget: { count: 3, days: 0 } } }, "hotfix.budget.days", "a number greater than 0", "number 0"],
    [{ override: { ttlHours: 1e12 } }, "override.ttlHours", "a number of at most 720", "number 1000000000000"],
  ])("%j is reported at its key path with what was expected and what was found", (raw, path, expected, got) => {
    const { problems } = parseConfig(raw);
    expect(problems).toEqual([{ path, expected, got }]);
  });

  test("a misspelt key is reported, not silently ignored", () => {
    const { problems } = parseConfig({ enviroments: ["prod"] });
    expect(formatProblems(problems)).toEqual([
      ".github/mainline.yml: `enviroments`: expected no such key (known: mode, mainBranch, environments, releaseBranches, labels, mergeBack, rca, override, cascade, checks, onApiError, promotion, hotfix), got an unknown key",
    ]);
  });

  test("a misspelt nested key names the keys that exist there", () => {
    const { problems } = parseConfig({ override: { ttl: 2 } });
    expect(problems[0]).toMatchObject({ path: "override.ttl", expected: "no such key (known: permission, approvals, ttlHours)" });
  });

  test.each([
    [
      "in a promotion rule (any environment's)",
      { promotion: { "prod-*": { after: "staging", soak: 30 } } },
      ".github/mainline.yml: `promotion.prod-*.soak`: expected no such key (known: after, soakMinutes), got an unknown key",
    ],
    [
      "under hotfix",
      { hotfix: { maxChangedLine: 50 } },
      ".github/mainline.yml: `hotfix.maxChangedLine`: expected no such key (known: criteria, maxChangedLines, budget), got an unknown key",
    ],
    [
      "under hotfix.budget",
      { hotfix: { budget: { count: 3, day: 30 } } },
      ".github/mainline.yml: `hotfix.budget.day`: expected no such key (known: count, days), got an unknown key",
    ],
  ])("a misspelt key %s is named with the keys that exist there, as mainline/config shows it", (_case, raw, line) => {
    expect(formatProblems(parseConfig(raw).problems)).toEqual([line]);
  });

  test("a misspelt key in a promotion rule drops only that key; the rule stays with its defaults", () => {
    expect(parseConfig({ promotion: { production: { after: "staging", soak: 30 } } }).config.promotion).toEqual({ production: { after: "staging", soakMinutes: 0 } });
  });

  test("a promotion rule without a valid after is dropped, reported once, and the other rules stay", () => {
    const { config, problems } = parseConfig({ promotion: { production: { after: "stag*", soakMinutes: 30 }, canary: { after: "staging", soakMinutes: 10 } }, environments: ["production", "canary"] });
    expect(problems.map((p) => p.path)).toEqual(["promotion.production.after"]);
    expect(config.promotion).toEqual({ canary: { after: "staging", soakMinutes: 10 } });
    expect(config.environments).toEqual(["production", "canary"]);
  });

  test("an invalid key falls back to its default while valid keys are kept, so one typo cannot loosen the gate", () => {
    const { config, problems } = parseConfig({ mode: "off", environments: ["prod-*"], onApiError: "approve", cascade: { windowHours: "x" } });
    expect(problems.map((p) => p.path)).toEqual(["mode", "cascade.windowHours"]);
    expect(config.mode).toBe("enforce");
    expect(config.environments).toEqual(["prod-*"]);
    expect(config.onApiError).toBe("approve");
    expect(config.cascade.windowHours).toBe(24);
  });

  test("a wrong item of a list is dropped and the rest of the list stays in force", () => {
    const { config, problems } = parseConfig({ environments: ["prod-*", 5, "production"] });
    expect(config.environments).toEqual(["prod-*", "production"]);
    expect(problems.map((p) => p.path)).toEqual(["environments[1]"]);
  });

  test("a list left with no valid item falls back to its default, never to gating nothing", () => {
    expect(parseConfig({ environments: [5, true] }).config.environments).toEqual(["production"]);
  });

  test.each([["a string"], [["a", "list"]], [42]])("a file that is not a mapping (%j) keeps every default", (raw) => {
    const { config, problems } = parseConfig(raw);
    expect(config).toEqual(defaultConfig);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe("(file)");
  });
});

describe("the published JSON Schema", () => {
  test("is generated from the zod schema and committed up to date", () => {
    const committed = JSON.parse(readFileSync(new URL("../src/config.schema.json", import.meta.url), "utf8"));
    expect(committed).toEqual(configJsonSchema());
  });

  test("documents defaults and rejects unknown keys, as editors need", () => {
    const schema = configJsonSchema() as { properties: Record<string, { default?: unknown; description?: string }>; additionalProperties: boolean };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.mode).toMatchObject({ default: "enforce" });
    expect(schema.properties.onApiError?.description).toMatch(/GitHub cannot be asked/);
  });
});
