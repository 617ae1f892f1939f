import type { Context } from "probot";
import { CONFIG_FILE, CONFIG_PATH, defaultConfig, parseConfig, type Config, type ConfigProblem } from "../config.js";
import { isApiError, describeApiError } from "./api-error.js";

export type LoadedConfig = {
  config: Config;
  problems: ConfigProblem[];
  /** Set when GitHub could not be asked for the file: the defaults stand in, and gates must not trust them. */
  unreadable?: string;
};

/**
 * Reads `.github/mainline.yml` through Probot (repository first, then the owner's `.github`
 * repository). A list in the repository's file replaces the inherited one rather than extending it.
 */
export async function readConfig(context: Context): Promise<LoadedConfig> {
  let raw: unknown;
  try {
    raw = await context.config(CONFIG_FILE, undefined, { arrayMerge: (_inherited: unknown[], own: unknown[]) => own });
  } catch (error) {
    if (isApiError(error)) return { config: defaultConfig, problems: [], unreadable: describeApiError(error) };
    return { config: defaultConfig, problems: [unparseableFile(error)] };
  }
  return parseConfig(raw);
}

function unparseableFile(error: unknown): ConfigProblem {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message.split("\n")[0]}` : "";
  const what = error instanceof Error && /not an object/.test(error.message) ? "YAML that is not a mapping" : `invalid YAML${cause}`;
  return { path: "(file)", expected: `a YAML mapping (see ${CONFIG_PATH} in the README)`, got: what };
}
