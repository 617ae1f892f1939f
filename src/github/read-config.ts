import { defaultConfig, parseConfig, type Config, type ConfigProblem, type ParsedConfig } from "../config.js";
import { CONFIG_PATH } from "../public-names.js";
import { describeApiError, isApiError } from "./api-error.js";
import type { RepoClient } from "./client.js";

export type LoadedConfig = {
  config: Config;
  problems: ConfigProblem[];
  /** Set when GitHub could not be asked for the file: the defaults stand in, and gates must not trust them. */
  unreadable?: string;
  /**
   * Only with `requireOwnFile`: why the config cannot be trusted to be the one the app reads. Then
   * what stands in (another repository's file, or defaults) must not decide anything.
   */
  notOwnFile?: NotOwnFile;
};

/** No file in the repository itself (its 404 is taken as "no file"), or its file `_extends` another. */
export type NotOwnFile = { kind: "no-own-file" } | { kind: "extends"; repository: string };

export type ReadConfigOptions = {
  /**
   * For a reader whose token is not the app's (a workflow's GITHUB_TOKEN): the config counts only
   * when it is exactly this repository's own file. GitHub answers 404 both for a missing file and
   * for one the token may not read, and Probot takes every 404 as "no file", so the owner's
   * `.github` fallback and `_extends` targets may differ from what the app reads — and so may this
   * repository's own 404, for a token without `contents: read`. Otherwise `notOwnFile` says why.
   * The app (installation token) leaves it off and reads config as Probot does.
   */
  requireOwnFile?: boolean;
};

/**
 * Reads `.github/mainline.yml` the way Probot's `context.config` does (the repository's file,
 * else the owner's `.github` repository; `_extends` followed), except that a list in a file
 * replaces the inherited list instead of being appended to it.
 */
export async function readConfig({ octokit, owner, repo }: Pick<RepoClient, "octokit" | "owner" | "repo">, options: ReadConfigOptions = {}): Promise<LoadedConfig> {
  let raw: unknown;
  let notOwnFile: NotOwnFile | undefined;
  try {
    const { config, files } = await octokit.config.get({ owner, repo, path: CONFIG_PATH, defaults: (configs) => configs.reduce(mergeOver, {}) });
    raw = files.some((file) => file.config !== null) ? config : null;
    if (options.requireOwnFile) notOwnFile = whyNotOwnFile(files);
  } catch (error) {
    if (isApiError(error)) return { config: defaultConfig, problems: [], unreadable: describeApiError(error) };
    return { config: defaultConfig, problems: [unparseableFile(error)] };
  }
  const parsed = parseRemembered(raw);
  return notOwnFile ? { ...parsed, notOwnFile } : parsed;
}

/** Parsed files by their exact contents: a 304 answers most reads, and validating the same text again cost a gate decision a tenth of its CPU. */
const parsedByText = new Map<string, ParsedConfig>();
const REMEMBERED_FILES = 256;
/** Past this many values (a config is a few dozen; YAML aliases can multiply them), a file is parsed each time and never kept. */
const REMEMBERED_VALUES = 2_000;

/** `parseConfig`, once per distinct contents (frozen, so no caller can change what the next one gets). */
function parseRemembered(raw: unknown): ParsedConfig {
  const text = plainDataKey(raw);
  if (text === undefined) return parseConfig(raw);
  const known = parsedByText.get(text);
  if (known) return known;
  const parsed = deepFreeze(parseConfig(raw));
  if (parsedByText.size >= REMEMBERED_FILES) parsedByText.delete(parsedByText.keys().next().value!);
  parsedByText.set(text, parsed);
  return parsed;
}

/**
 * The JSON of `raw` when it is plain data (null, booleans, strings, finite numbers, arrays, plain
 * mappings) of at most REMEMBERED_VALUES values, else undefined. JSON alone would give a date and
 * its ISO string, or `.inf` and `null`, one key: such a file is parsed each time instead.
 */
function plainDataKey(raw: unknown): string | undefined {
  let values = 0;
  const plain = (value: unknown): boolean => {
    if (++values > REMEMBERED_VALUES) return false;
    if (value === null || typeof value === "string" || typeof value === "boolean") return true;
    if (typeof value === "number") return Number.isFinite(value);
    if (Array.isArray(value)) return value.every(plain);
    if (typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return false;
    return Object.values(value).every(plain);
  };
  return plain(raw) ? JSON.stringify(raw) : undefined;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

type ConfigFile = { owner: string; repo: string; config: unknown };

/**
 * Probot's `files` in the order it read them: this repository's first; when that had none, the
 * owner's `.github`; then each `_extends` target. Anything after the first is not this repository's file.
 */
function whyNotOwnFile(files: readonly ConfigFile[]): NotOwnFile | undefined {
  const [own, next] = files;
  if (!own || own.config === null) return { kind: "no-own-file" };
  return next ? { kind: "extends", repository: `${next.owner}/${next.repo}` } : undefined;
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
