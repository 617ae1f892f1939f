import { CONFIG_PATH, defaultConfig, parseConfig, type Config, type ConfigProblem } from "../config.js";
import { describeApiError, isApiError } from "./api-error.js";
import type { RepoClient } from "./client.js";

export type LoadedConfig = {
  config: Config;
  problems: ConfigProblem[];
  /** Set when GitHub could not be asked for the file: the defaults stand in, and gates must not trust them. */
  unreadable?: string;
};

/**
 * Reads `.github/mainline.yml` the way Probot's `context.config` does (the repository's file,
 * else the owner's `.github` repository; `_extends` followed), except that a list in a file
 * replaces the inherited list instead of being appended to it.
 */
export async function readConfig({ octokit, owner, repo }: Pick<RepoClient, "octokit" | "owner" | "repo">): Promise<LoadedConfig> {
  let raw: unknown;
  try {
    const { config, files } = await octokit.config.get({ owner, repo, path: CONFIG_PATH, defaults: (configs) => configs.reduce(mergeOver, {}) });
    raw = files.some((file) => file.config !== null) ? config : null;
  } catch (error) {
    if (isApiError(error)) return { config: defaultConfig, problems: [], unreadable: describeApiError(error) };
    return { config: defaultConfig, problems: [unparseableFile(error)] };
  }
  return parseConfig(raw);
}

/** `own` over `inherited`: mappings merge key by key, anything else (lists included) replaces. */
type Mapping = Record<string, unknown>;

function mergeOver(inherited: Mapping, own: Mapping): Mapping {
  const merged: Mapping = { ...inherited };
  for (const [key, value] of Object.entries(own)) {
    const base = merged[key];
    merged[key] = isMapping(base) && isMapping(value) ? mergeOver(base, value) : value;
  }
  return merged;
}

function isMapping(value: unknown): value is Mapping {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function unparseableFile(error: unknown): ConfigProblem {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message.split("\n")[0]}` : "";
  const what = error instanceof Error && /not an object/.test(error.message) ? "YAML that is not a mapping" : `invalid YAML${cause}`;
  return { path: "(file)", expected: `a YAML mapping (see ${CONFIG_PATH} in the README)`, got: what };
}
