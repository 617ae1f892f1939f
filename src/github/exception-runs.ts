import { marker, readMarker } from "../markers.js";
import { describeRun, type ExceptionRun, type ExceptionRunState } from "../policy/exception-runs.js";
import { EXCEPTION_CHECK } from "../public-names.js";
import type { RepoClient } from "./client.js";

/**
 * This app's exception runs on commit S: one request, filtered by the app's id (another app may
 * name a check run the same), and each run's app checked again on read.
 */
export async function readExceptionRuns({ octokit, owner, repo }: RepoClient, appId: number, sha: string): Promise<ExceptionRun[]> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", {
    owner,
    repo,
    ref: sha,
    check_name: EXCEPTION_CHECK,
    app_id: appId,
    filter: "all",
    per_page: 100,
  });
  return data.check_runs.flatMap((run) => {
    if (run.app?.id !== appId || run.head_sha !== sha) return [];
    const state = readMarker(run.output?.text, "exception-run");
    return state && state.sha === sha ? [{ id: Number(run.id), state }] : [];
  });
}

/** Writes an exception's state: a new run for a new exception, the same run for every later change. */
export async function writeExceptionRun({ octokit, owner, repo }: RepoClient, state: ExceptionRunState, now: Date, existing?: ExceptionRun): Promise<ExceptionRun> {
  const { title, summary } = describeRun(state, now);
  const body = {
    status: "completed" as const,
    conclusion: "neutral" as const,
    completed_at: now.toISOString(),
    external_id: `incident-${state.incident}:${state.env}`,
    output: { title, summary, text: marker("exception-run", state) },
  };
  if (existing) {
    await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", { owner, repo, check_run_id: existing.id, ...body });
    return { id: existing.id, state };
  }
  const { data } = await octokit.request("POST /repos/{owner}/{repo}/check-runs", { owner, repo, name: EXCEPTION_CHECK, head_sha: state.sha, ...body });
  return { id: Number(data.id), state };
}
