import { z } from "zod";
import { CONFIG_PATH, DEFAULT_LABELS } from "./public-names.js";

/**
 * The schema of `.github/mainline.yml` (SPEC section 2). Every key is optional; objects are
 * strict so that a misspelt key is reported instead of silently ignored. Descriptions travel
 * into the generated JSON Schema, which editors show while the file is written.
 */
const positive = (description: string, fallback: number) => z.number().positive().default(fallback).describe(description);
/** A count where 0 means "off": no limit. */
const countOrOff = (description: string) => z.number().int().nonnegative().default(0).describe(description);

export const configSchema = z
  .strictObject({
    mode: z
      .enum(["enforce", "shadow"])
      .default("enforce")
      .describe("enforce blocks; shadow decides and reports what enforce would have done, but never blocks."),
    mainBranch: z.string().default("").describe('The branch production must come from; "" means the repository\'s default branch.'),
    environments: z
      .array(z.string().min(1))
      .default(["production"])
      .describe("Gated environments. Glob patterns (* and ?) are allowed and matched case-insensitively, as GitHub names environments."),
    releaseBranches: z
      .array(z.string().min(1))
      .default(["release/*"])
      .describe("Pull requests into these branches may carry only commits already on main (or -x cherry-picks of them)."),
    labels: z
      .strictObject({
        incident: z.string().min(1).default(DEFAULT_LABELS.incident).describe("Marks an issue as an incident."),
        mergeBack: z.string().min(1).default(DEFAULT_LABELS.mergeBack).describe("Marks a merge-back issue."),
        rca: z.string().min(1).default(DEFAULT_LABELS.rca).describe("Marks a root-cause analysis issue."),
        cascade: z.string().min(1).default(DEFAULT_LABELS.cascade).describe("Added to incidents whose hotfix deploys cascade."),
        postMergeReview: z.string().min(1).default(DEFAULT_LABELS.postMergeReview).describe("Marks the issue opened for a push to main that carried commits no pull request merged."),
      })
      .prefault({})
      .describe("Names of the labels the app reads and writes."),
    mergeBack: z
      .strictObject({ dueHours: positive("A merge-back item is overdue this many hours after it was opened.", 24) })
      .prefault({}),
    rca: z
      .strictObject({
        dueDays: positive("An RCA is on time when done within this many days of the incident.", 5),
        requiredSections: z
          .array(z.string().min(1))
          .default(["Timeline", "Root cause", "Action items"])
          .describe("Headings the RCA issue must have, each with content, before the incident may close."),
      })
      .prefault({}),
    override: z
      .strictObject({
        permission: z
          .enum(["write", "maintain", "admin"])
          .default("maintain")
          .describe("The least repository role allowed to grant an exception."),
        approvals: z
          .union([z.literal(1), z.literal(2)])
          .default(1)
          .describe("2 = a second person (not the grantor) must also run /hotfix approve."),
        // An exception is for an emergency: 30 days is far past one, and a larger number makes no date.
        ttlHours: z.number().positive().max(720).default(4).describe("An exception not used within this many hours expires (at most 720: 30 days)."),
      })
      .prefault({}),
    cascade: z
      .strictObject({ windowHours: positive("A second hotfix deploy within this many hours is a cascade.", 24) })
      .prefault({}),
    checks: z
      .strictObject({
        otherPullRequests: z
          .enum(["success", "none"])
          .default("success")
          .describe("What mainline/merge-first says on pull requests into neither a release branch nor main from hotfix/*: a one-line success, or no check at all."),
      })
      .prefault({}),
    onApiError: z
      .enum(["reject", "approve"])
      .default("reject")
      .describe("What a gate does when GitHub cannot be asked: reject (safe) or approve."),
    promotion: z
      .record(
        z.string().min(1),
        z.strictObject({
          // A name, not a pattern: the refusal has to say where to deploy first.
          after: z
            .string()
            .min(1)
            .regex(/^[^*?]+$/, "an environment name, not a pattern")
            .describe("The environment a commit must have reached (a `success` deployment status) before this one; a name, not a pattern."),
          soakMinutes: z
            .number()
            .nonnegative()
            .default(0)
            .describe("How long before, at least, the commit must have reached `after`; 0 = any earlier success."),
        }),
      )
      .default({})
      .describe(
        "The regular path: gated environment (name or glob pattern) → the environment a commit on main must reach first. " +
          "An exact name wins over a pattern, else the first pattern that matches; a rule never applies to its own `after`. " +
          "Only gated environments (`environments`) are checked. A commit that already ran in the environment is exempt (a rollback).",
      ),
    hotfix: z
      .strictObject({
        criteria: z
          .array(z.string().trim().min(1))
          .default([])
          .describe("What qualifies as a hotfix. When not empty, the reason of /hotfix allow must begin with one of them (`-- outage: checkout returns 500`); empty: any reason."),
        maxChangedLines: countOrOff(
          "A fix whose change against main (lines added + deleted) is over this needs /hotfix approve by a second person, whatever override.approvals says; 0 = no limit.",
        ),
        budget: z
          .strictObject({
            count: countOrOff("After this many exception deploys within `days`, every new exception needs a second approver; 0 = off."),
            days: z.number().int().positive().default(30).describe("The window, in days, the budget counts exception deploys in."),
          })
          .prefault({})
          .describe("When hotfixes have become a habit: past the budget every new exception needs a second approver."),
      })
      .prefault({})
      .describe("Hotfix discipline: what qualifies, how small a fix must be, and how many are too many."),
  })
  .describe("mainline: merge-to-main-first deploy gating, incidents, merge-back and RCA.");

export type Config = z.output<typeof configSchema>;

export const defaultConfig: Config = configSchema.parse({});

/** One reason a config file was rejected, precise enough to fix it without reading the code. */
export type ConfigProblem = {
  path: string;
  expected: string;
  got: string;
};

export type ParsedConfig = {
  config: Config;
  problems: ConfigProblem[];
};

/**
 * Parses a config file's contents. Invalid keys fall back to their defaults one by one, and a
 * wrong item of a list is dropped from it (the rest of the list stays), so a typo in one place
 * never loosens the gate set up by the others.
 */
export function parseConfig(raw: unknown): ParsedConfig {
  if (raw === null || raw === undefined) return { config: defaultConfig, problems: [] };
  if (!isPlainObject(raw)) {
    return {
      config: defaultConfig,
      problems: [{ path: "(file)", expected: "a mapping of keys to values", got: describeValue(raw) }],
    };
  }
  const problems: ConfigProblem[] = [];
  let candidate: Record<string, unknown> = structuredClone(raw);
  // Each round removes the offending keys; nesting is three levels deep, so a few rounds suffice.
  for (let round = 0; round < 8; round++) {
    const result = configSchema.safeParse(candidate, { reportInput: true });
    if (result.success) return { config: result.data, problems };
    const badItems = new Map<string, Set<number>>();
    for (const issue of result.error.issues) {
      problems.push(...describeIssue(issue));
      const index = firstIndexOf(issue.path);
      if (index < issue.path.length) {
        const key = issue.path.slice(0, index).map(String).join(".");
        badItems.set(key, (badItems.get(key) ?? new Set()).add(issue.path[index] as number));
      } else candidate = withoutKey(candidate, issue);
    }
    for (const [key, indexes] of badItems) candidate = withoutItems(candidate, key.split("."), indexes);
  }
  return { config: defaultConfig, problems };
}

function describeIssue(issue: z.core.$ZodIssue): ConfigProblem[] {
  const path = formatPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({
      path: formatPath([...issue.path, key]),
      expected: `no such key (known: ${knownKeys(issue.path).join(", ")})`,
      got: "an unknown key",
    }));
  }
  return [{ path, expected: expectedOf(issue), got: describeValue(issue.input) }];
}

function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_value":
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_type":
      return ({ array: "a list", record: "a mapping", int: "a whole number" } as Record<string, string>)[issue.expected] ?? issue.expected;
    case "too_small":
      if (issue.origin === "string") return "a non-empty string";
      return issue.inclusive ? `a number of at least ${String(issue.minimum)}` : `a number greater than ${String(issue.minimum)}`;
    case "too_big":
      return issue.inclusive ? `a number of at most ${String(issue.maximum)}` : `a number less than ${String(issue.maximum)}`;
    case "invalid_union":
      return "1 or 2";
    case "invalid_key":
      return "a non-empty name";
    default:
      return issue.message;
  }
}

function knownKeys(path: PropertyKey[]): string[] {
  const here = bare(schemaAt(path));
  return here instanceof z.ZodObject ? Object.keys(here.shape) : [];
}

/** The schema a key path leads to; any key of a mapping (`promotion.<env>`) leads to its values' schema. */
function schemaAt(path: readonly PropertyKey[]): z.ZodType | undefined {
  let schema: z.ZodType | undefined = configSchema;
  for (const key of path) {
    const here = bare(schema);
    schema = here instanceof z.ZodRecord ? (here.valueType as z.ZodType) : here instanceof z.ZodObject ? here.shape[String(key)] : undefined;
  }
  return schema;
}

function bare(schema: z.ZodType | undefined): z.ZodType | undefined {
  let inner = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault || inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
  return inner;
}

/** A key of an object without a default (`after` of a promotion rule): the object means nothing without it. */
function isRequired(path: readonly PropertyKey[]): boolean {
  const schema = schemaAt(path);
  return bare(schemaAt(path.slice(0, -1))) instanceof z.ZodObject && schema !== undefined && bare(schema) === schema;
}

/**
 * Drops the key an issue points at, so its default applies; a required key cannot fall back, so
 * its whole entry goes (a promotion rule without a valid `after` is no rule: reported, not guessed).
 */
function withoutKey(obj: Record<string, unknown>, issue: z.core.$ZodIssue): Record<string, unknown> {
  const path = issue.path.slice(0, firstIndexOf(issue.path)).map(String);
  const unknownHere = issue.code === "unrecognized_keys" && path.length === issue.path.length;
  const entry = !unknownHere && path.length >= 2 && isRequired(path) ? path.slice(0, -1) : path;
  const [parentPath, doomed] = unknownHere ? [path, issue.keys] : [entry.slice(0, -1), entry.slice(-1)];
  if (doomed.length === 0) return {};
  let parent: unknown = obj;
  for (const key of parentPath) parent = isPlainObject(parent) ? parent[key] : undefined;
  if (isPlainObject(parent)) for (const key of doomed) delete parent[key];
  return obj;
}

/** Drops the wrong items of a list; a list left empty falls back to its default (an empty `environments` would gate nothing). */
function withoutItems(obj: Record<string, unknown>, path: string[], indexes: ReadonlySet<number>): Record<string, unknown> {
  let parent: unknown = obj;
  for (const key of path.slice(0, -1)) parent = isPlainObject(parent) ? parent[key] : undefined;
  const last = path.at(-1)!;
  if (!isPlainObject(parent) || !Array.isArray(parent[last])) return obj;
  const kept = (parent[last] as unknown[]).filter((_item, i) => !indexes.has(i));
  if (kept.length === 0) delete parent[last];
  else parent[last] = kept;
  return obj;
}

function firstIndexOf(path: PropertyKey[]): number {
  const i = path.findIndex((key) => typeof key === "number");
  return i === -1 ? path.length : i;
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return "(file)";
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${key === "" ? '""' : String(key)}`)).join("");
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null (an empty value)";
  if (Array.isArray(value)) return `a list (${truncate(JSON.stringify(value))})`;
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${truncate(JSON.stringify(value))}`;
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The problems as one line each, the way they are shown in check runs, comments and logs. */
export function formatProblems(problems: ConfigProblem[]): string[] {
  return problems.map((p) => `${CONFIG_PATH}: \`${p.path}\`: expected ${p.expected}, got ${p.got}`);
}
