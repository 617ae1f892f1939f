/**
 * Every name mainline shows to GitHub, to the repositories it serves and to the people and tools
 * around them, in one place (the hidden markers and records are in markers.ts and records.ts).
 * WARNING: these names are a public interface (SPEC: "Names written in `code` here … keep them
 * exactly"). Branch protection requires `mainline/merge-first` by name, deploy tools listen for
 * `deploy:rollback`, teams filter and automate on the labels and titles, and a running replica
 * shares Redis keys with the one being replaced. Renaming one breaks users silently: add, never
 * rename. test/public-names.test.ts pins each to the SPEC's text.
 *
 * The command words are the entries of `COMMANDS` in commands/catalog.ts, re-exported here.
 */
export { COMMANDS } from "./commands/catalog.js";

/** The check runs this app writes (SPEC sections 2, 4 and 5). */
export const MERGE_FIRST_CHECK = "mainline/merge-first";
export const EXCEPTION_CHECK = "mainline/exception";
export const CONFIG_CHECK = "mainline/config";

/** The config file, in each repository (or the owner's `.github` repository, through Probot). */
export const CONFIG_PATH = ".github/mainline.yml";

/** Head branches whose pull requests into main are hotfixes (SPEC section 4), as globs. */
export const HOTFIX_BRANCHES: readonly string[] = ["hotfix/*"];

/** The reaction that says a command was done: GitHub's name for 👍. */
export const DONE_REACTION = "+1";

/** The task of every deployment `/incident rollback` creates (SPEC section 10): how a deploy tool tells a rollback apart. */
export const ROLLBACK_TASK = "deploy:rollback";

/** The labels' defaults; `labels` in the config renames them per repository. */
export const DEFAULT_LABELS = {
  incident: "incident",
  mergeBack: "merge-back",
  rca: "rca",
  cascade: "hotfix-cascade",
  postMergeReview: "post-merge-review",
} as const;

/** The titles of the issues the app opens; callers shorten SHAs first. */
export const issueTitles = {
  rca: (incidentTitle: string) => `RCA: ${incidentTitle}`,
  postMergeReview: (shortSha: string) => `Post-merge review: ${shortSha}…`,
  unapprovedDeploy: (shortSha: string, environment: string) => `Unapproved deploy of ${shortSha} to ${environment}`,
};

/** The Redis keys replicas share (SPEC section 9); an old and a new replica must agree on them. */
export const redisKeys = {
  repository: (repository: number) => `mainline:repository:${repository}`,
  deployment: (deployment: number) => `mainline:deployment:${deployment}`,
  pace: (installation: number) => `mainline:pace:${installation}`,
  sweep: (name: string) => `mainline:sweep:${name}`,
  deliveriesInProgress: (appId: number | string) => `mainline:deliveries:in-progress:${appId}`,
};
