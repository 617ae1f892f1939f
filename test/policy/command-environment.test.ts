import { commandEnvironment } from "../../src/policy/command-environment.js";

const PATTERN = "name the environment: the first gated environment in the config is a pattern";

describe("commandEnvironment: the environment /hotfix allow and /incident rollback act on", () => {
  test.each<[string, string | undefined, string[], string]>([
    // case, the environment named, `environments`, the environment acted on
    ["none named: the first of the config", undefined, ["production", "staging"], "production"],
    ["named: that one, even when not first", "staging", ["production", "staging"], "staging"],
    ["named in other case: gated, kept as written", "Production", ["production"], "Production"],
    ["named, matched by a pattern in other case", "PROD-EU", ["prod-*"], "PROD-EU"],
    ["named while the first is a pattern: the named one", "prod-eu", ["prod-*"], "prod-eu"],
  ])("%s", (_case, named, environments, environment) => {
    expect(commandEnvironment(named, environments, "hotfix-allow")).toEqual({ ok: true, environment });
    expect(commandEnvironment(named, environments, "incident-rollback")).toEqual({ ok: true, environment });
  });

  test.each<[string, string | undefined, string[], string]>([
    // case, the environment named, `environments`, why the user is asked to name one
    ["none named, the first is a glob", undefined, ["prod-*", "staging"], PATTERN],
    ["none named, the first is a one-character pattern", undefined, ["prod?"], PATTERN],
    ["none named, no environments configured", undefined, [], "name the environment: .github/mainline.yml gates none"],
    ["a pattern named: the reply is about what the user typed", "prod-*", ["prod-*"], "name the environment: prod-\\* is a pattern, not one environment"],
  ])("%s: asks for a name", (_case, named, environments, error) => {
    expect(commandEnvironment(named, environments, "hotfix-allow")).toEqual({ ok: false, error });
    expect(commandEnvironment(named, environments, "incident-rollback")).toEqual({ ok: false, error });
  });

  test.each<[string, string, string[]]>([
    // case, the environment named, `environments`
    ["an ungated environment", "staging", ["production"]],
    ["a longer name than the gated one", "production-eu", ["production"]],
    ["a name a pattern does not match", "preprod-eu", ["prod-*"]],
  ])("%s is refused, in each command's words", (_case, named, environments) => {
    expect(commandEnvironment(named, environments, "hotfix-allow")).toEqual({ ok: false, error: `${named} is not a gated environment, so it needs no exception` });
    expect(commandEnvironment(named, environments, "incident-rollback")).toEqual({
      ok: false,
      error: `${named} is not a gated environment: mainline rolls back only those (\`environments\` in .github/mainline.yml)`,
    });
  });
});
