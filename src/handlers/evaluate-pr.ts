import { CONFIG_PATH, formatProblems, parseConfig } from "../config.js";
import { upsertCheckRun } from "../github/checks.js";
import { readIncidents } from "../github/incidents.js";
import { commitsBetween, fileAt, pullChangesFile, type PullSummary } from "../github/pulls.js";
import { locateProblems } from "../policy/config-lines.js";
import { exceptionStates, grantedExceptions } from "../policy/exceptions.js";
import { decidePrCheck, judgesCommits, MERGE_FIRST_CHECK, shasToVerify, type PrCheckDecision, type PrFacts } from "../policy/pr-check.js";
import { parseYaml } from "../policy/yaml-text.js";
import type { Deps } from "./deps.js";
import type { RepoContext } from "./repo-context.js";

export const CONFIG_CHECK = "mainline/config";

/**
 * Evaluates a pull request: `mainline/merge-first` (release branches carry only commits already
 * on main), and `mainline/config` when it changes `.github/mainline.yml`. Returns the decision and
 * the exception it relied on, so a merge can act on them (merge-back issues for commits let in).
 */
export async function evaluatePullRequest(repo: RepoContext, pull: PullSummary, deps: Deps): Promise<{ decision: PrCheckDecision; exception?: PrFacts["exception"] }> {
  const facts = await gatherFacts(repo, pull, deps);
  const decision = decidePrCheck(facts);
  if (decision.kind === "check") {
    await upsertCheckRun(repo.client, deps.appId, MERGE_FIRST_CHECK, pull.headSha, {
      conclusion: decision.conclusion,
      title: decision.title,
      summary: withConfigNote(decision.summary, repo),
    });
  }
  await checkConfigFile(repo, pull, deps);
  return { decision, ...(facts.exception ? { exception: facts.exception } : {}) };
}

async function gatherFacts(repo: RepoContext, pull: PullSummary, deps: Deps): Promise<PrFacts> {
  const base = {
    baseRef: pull.baseRef,
    headRef: pull.headRef,
    mainBranch: repo.mainBranch,
    releaseBranches: repo.config.releaseBranches,
    mode: repo.config.mode,
    otherPrs: repo.config.checks.otherPullRequests,
  };
  if (!judgesCommits(base)) return { ...base, commits: [], onMain: new Set() };
  const commits = await commitsBetween(repo.client, pull.baseSha, pull.headSha);
  // One compare says which of the PR's commits main lacks; cherry-pick sources are asked one by one (cached once on main).
  const notOnMain = new Set((await commitsBetween(repo.client, repo.mainBranch, pull.headSha)).map((c) => c.sha));
  const inPull = new Set(commits.map((c) => c.sha));
  const onMain = new Set<string>();
  for (const sha of shasToVerify(commits)) {
    if (inPull.has(sha) ? !notOnMain.has(sha) : (await deps.ancestry.read(repo.client, repo.mainBranch, sha)).kind === "on-main") onMain.add(sha);
  }
  const offenders = commits.filter((c) => c.parents < 2 && !onMain.has(c.sha)).map((c) => c.sha);
  const exception = offenders.length > 0 ? await coveringException(repo, offenders, deps) : undefined;
  return { ...base, commits, onMain, ...(exception ? { exception } : {}) };
}

/** An exception granted in an open incident for one of the offending commits, if any. */
async function coveringException(repo: RepoContext, offenders: string[], deps: Deps) {
  const incidents = await readIncidents(repo.client, repo.config.labels.incident, deps.appId);
  const states = incidents.flatMap(({ thread }) => exceptionStates(thread.records, repo.config.override.approvals, deps.now()));
  const granted = grantedExceptions(states, new Set(incidents.map(({ issue }) => issue.number)));
  const found = granted.find((e) => offenders.includes(e.sha) && (e.expiresAt === null || Date.parse(e.expiresAt) > deps.now().getTime()));
  return found ? { incident: found.incident, grantedBy: found.grantedBy } : undefined;
}

/** `mainline/config`: the file at the PR's head, validated with the same schema the app runs on. */
async function checkConfigFile(repo: RepoContext, pull: PullSummary, deps: Deps): Promise<void> {
  const { changed, removed } = await pullChangesFile(repo.client, pull.number, CONFIG_PATH);
  if (!changed) return;
  const text = removed ? undefined : await fileAt(repo.client, CONFIG_PATH, pull.headSha);
  if (text === undefined) {
    await upsertCheckRun(repo.client, deps.appId, CONFIG_CHECK, pull.headSha, {
      conclusion: "success",
      title: `${CONFIG_PATH} removed: the defaults (or the owner's .github repository) apply`,
      summary: `This pull request removes \`${CONFIG_PATH}\`.`,
    });
    return;
  }
  const parsed = parseYaml(text);
  const problems = parsed.ok ? parseConfig(parsed.value).problems : [parsed.problem];
  const located = locateProblems(text, problems);
  await upsertCheckRun(repo.client, deps.appId, CONFIG_CHECK, pull.headSha, {
    conclusion: located.length === 0 ? "success" : "failure",
    title: located.length === 0 ? `${CONFIG_PATH} is valid` : `${CONFIG_PATH}: ${located.length} ${located.length === 1 ? "problem" : "problems"}`,
    summary:
      located.length === 0
        ? `\`${CONFIG_PATH}\` at ${pull.headSha.slice(0, 7)} matches mainline's schema.`
        : formatProblems(located).map((line, i) => `- ${located[i]!.line ? `line ${located[i]!.line}: ` : ""}${line}`).join("\n") +
          "\n\nUntil this is fixed, mainline would use the defaults for these keys (the gate stays on).",
  });
}

function withConfigNote(summary: string, repo: RepoContext): string {
  if (repo.loaded.problems.length === 0) return summary;
  return `${summary}\n\n> mainline's config on the default branch is invalid, so defaults were used for: ${formatProblems(repo.loaded.problems).join("; ")}`;
}
