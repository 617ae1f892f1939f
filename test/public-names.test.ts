import { defaultConfig } from "../src/config.js";
import {
  COMMANDS,
  CONFIG_CHECK,
  CONFIG_PATH,
  DEFAULT_LABELS,
  DONE_REACTION,
  EXCEPTION_CHECK,
  HOTFIX_BRANCHES,
  issueTitles,
  MERGE_FIRST_CHECK,
  redisKeys,
  ROLLBACK_TASK,
} from "../src/public-names.js";

/**
 * Lines of SPEC.md copied verbatim (the SPEC is not in this repository): each public name must be
 * one of the `code` spans of the line that defines it, so renaming one fails here first.
 */
const SPEC = {
  configPath: "## 2. Configuration: `.github/mainline.yml`",
  configCheck: "`mainline/config` that fails, with the same precise message, when the new file is invalid.",
  mergeFirst: "## 4. PR checks: check run `mainline/merge-first`",
  hotfix: "- PR into main whose head branch is `hotfix/*`: conclusion `success`; when it merges, the",
  exception: "check run `mainline/exception` of this app on the excepted commit (conclusion `neutral`).",
  incidentLabel: "**Incident**: an issue carrying label `incident`, made so by adding the label or by",
  rcaLabel: "opens an RCA issue (label `rca`, body with the `rca.requiredSections` as headings, linked both ways)",
  mergeBackLabel: "**Merge-back issue**: label `merge-back`, one per (incident, commit S), created when a commit",
  cascadeLabel: "`cascade.windowHours` labels both incidents `hotfix-cascade` and says so in the ledger:",
  reviewLabel: "`Post-merge review: <short sha>…`, label `post-merge-review`, listing the commits and the",
  unapprovedTitle: "`Unapproved deploy of <short sha> to <env>` with its merge-back issue: nothing reaches a",
  rollbackTask: "succeeded — with `task: deploy:rollback`, `auto_merge: false`, `required_contexts: []`,",
  reaction: "comment, one per line. The app answers every command it recognises: a 👍 reaction when done,",
  commandColumn: [
    "`/incident [title]`",
    "`/hotfix allow <sha> [env] -- <reason>`",
    "`/hotfix approve <sha>`",
    "`/hotfix revoke <sha>`",
    "`/merge-back <sha>`",
    "`/incident close`",
    "`/incident force-close <reason>`",
    "`/incident rollback [env]`",
    "`/mainline status`",
    "`/mainline report`",
    "`/mainline help`",
  ],
};

function spans(line: string): string[] {
  return [...line.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
}

test.each([
  ["the config file", CONFIG_PATH, SPEC.configPath],
  ["the config check", CONFIG_CHECK, SPEC.configCheck],
  ["the merge-first check", MERGE_FIRST_CHECK, SPEC.mergeFirst],
  ["the exception check", EXCEPTION_CHECK, SPEC.exception],
  ["the incident label", DEFAULT_LABELS.incident, SPEC.incidentLabel],
  ["the RCA label", DEFAULT_LABELS.rca, SPEC.rcaLabel],
  ["the merge-back label", DEFAULT_LABELS.mergeBack, SPEC.mergeBackLabel],
  ["the cascade label", DEFAULT_LABELS.cascade, SPEC.cascadeLabel],
  ["the post-merge review label", DEFAULT_LABELS.postMergeReview, SPEC.reviewLabel],
  ["the rollback task", `task: ${ROLLBACK_TASK}`, SPEC.rollbackTask],
  ["the unapproved deploy title", issueTitles.unapprovedDeploy("<short sha>", "<env>"), SPEC.unapprovedTitle],
  ["the post-merge review title", issueTitles.postMergeReview("<short sha>"), SPEC.reviewLabel],
])("%s is the SPEC's", (_what, name, line) => {
  expect(spans(line)).toContain(name);
});

test("the hotfix branches are exactly the SPEC's pattern", () => {
  expect(HOTFIX_BRANCHES).toEqual([spans(SPEC.hotfix)[0]]);
});

test("the config's label defaults are the public ones", () => {
  expect(defaultConfig.labels).toEqual(DEFAULT_LABELS);
});

test("the commands are the SPEC's table, word for word", () => {
  expect(Object.values(COMMANDS).map((entry) => entry.usage)).toEqual(SPEC.commandColumn.flatMap(spans));
  for (const entry of Object.values(COMMANDS)) expect(entry.usage.startsWith(`/${entry.words.join(" ")}`)).toBe(true);
});

test("the done reaction is GitHub's name for the SPEC's 👍", () => {
  expect(SPEC.reaction).toContain("a 👍 reaction");
  expect(DONE_REACTION).toBe("+1");
});

// Not written in the SPEC, but seen by people (the RCA title) or shared by a running replica and
// its replacement (the Redis keys): pinned to what the released app already writes.
test("the RCA title and the Redis keys keep the names already in use", () => {
  expect(issueTitles.rca("Checkout down")).toBe("RCA: Checkout down");
  expect([
    redisKeys.repository(1),
    redisKeys.deployment(2),
    redisKeys.pace(3),
    redisKeys.sweep("reminders"),
    redisKeys.deliveriesInProgress(4),
  ]).toEqual(["mainline:repository:1", "mainline:deployment:2", "mainline:pace:3", "mainline:sweep:reminders", "mainline:deliveries:in-progress:4"]);
});
