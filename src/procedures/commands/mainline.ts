import { helpText } from "../../commands/parse.js";
import { getPull } from "../../github/pulls.js";
import { readReportFacts } from "../../github/report-facts.js";
import { computeReport } from "../../policy/report.js";
import { renderReport } from "../../policy/report-text.js";
import { evaluatePullRequest } from "../evaluate-pr.js";
import { becomeIncident } from "../../incidents/become-incident.js";
import { viewForClosing } from "../../incidents/incident-blockers.js";
import type { CommandEnv, Outcome } from "./types.js";

export async function runHelp(): Promise<Outcome> {
  return { ok: true, reply: helpText() };
}

/** `/mainline report`: the repository's last 90 days, as a comment a team lead can paste into a retrospective. */
export async function runReport(env: CommandEnv): Promise<Outcome> {
  const { repo, deps } = env;
  const facts = await readReportFacts(repo.client, repo.config, deps.records, repo.now(), repo.mainBranch, await deps.botLogin());
  return { ok: true, reply: renderReport(computeReport(facts), `${repo.client.owner}/${repo.client.repo}`) };
}

/**
 * `/mainline status`: in a pull request, re-runs its checks; in an incident, re-checks its
 * merge-back items against main and rebuilds everything derived (RCA issue if missing, ledger).
 */
export async function runStatus(env: CommandEnv): Promise<Outcome> {
  const { repo, deps, issue } = env;
  if (issue.pull_request) {
    await evaluatePullRequest(repo, await getPull(repo.client, issue.number), deps, env.decisions);
    return { ok: true };
  }
  if (!env.isIncident) return { ok: false, error: "`/mainline status` works in an incident or a pull request" };
  await viewForClosing(repo, issue, deps);
  await becomeIncident(repo, issue, deps);
  return { ok: true };
}
