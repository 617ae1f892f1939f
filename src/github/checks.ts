import { neutraliseMarkers } from "../policy/text.js";
import type { RepoClient } from "./client.js";

export type CheckOutput = { conclusion: "success" | "failure" | "neutral"; title: string; summary: string };

/**
 * One check run per (name, head sha): an existing run of this app is updated in place (a
 * rerequest or a new evaluation never adds a second), otherwise one is created.
 */
export async function upsertCheckRun(client: RepoClient, appId: number, name: string, headSha: string, output: CheckOutput): Promise<number> {
  const { octokit, owner, repo } = client;
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { owner, repo, ref: headSha, check_name: name, filter: "latest", per_page: 100 });
  const mine = data.check_runs.find((run) => run.app?.id === appId);
  const body = {
    status: "completed" as const,
    conclusion: output.conclusion,
    completed_at: new Date().toISOString(),
    // The summary quotes what people wrote (a config file's values, branch names): no marker may pass through.
    output: { title: neutraliseMarkers(output.title), summary: neutraliseMarkers(output.summary) },
  };
  if (mine) {
    await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", { owner, repo, check_run_id: Number(mine.id), ...body });
    return Number(mine.id);
  }
  const { data: created } = await octokit.request("POST /repos/{owner}/{repo}/check-runs", { owner, repo, name, head_sha: headSha, ...body });
  return Number(created.id);
}
