import { defaultConfig, parseConfig, type Config } from "../config.js";
import { CONFIG_PATH } from "../public-names.js";
import { parseYaml } from "../policy/yaml-text.js";
import type { RepoClient } from "./client.js";
import { fileAt } from "./pulls.js";

/**
 * The config `.github/mainline.yml` held at a commit, as the app would run with it: no file (or
 * YAML that cannot be read) is the defaults, a wrong key is its default. Only this repository's
 * file is read: a removed file is judged as the defaults, though an owner's `.github` repository
 * may be what then applies (one more read per side, for a case the announcement can live without).
 */
export async function configAt(client: RepoClient, ref: string): Promise<Config> {
  const text = await fileAt(client, CONFIG_PATH, ref);
  if (text === undefined) return defaultConfig;
  const parsed = parseYaml(text);
  return parsed.ok ? parseConfig(parsed.value).config : defaultConfig;
}
