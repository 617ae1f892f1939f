import type { IssueLike, RepoClient } from "./client.js";
import { readIncidentThread, type IncidentThread } from "./incidents.js";
import type { RecordReader } from "./own-comments.js";

/**
 * Up to `limit` open incidents, the ones opened last, with their threads: the issues with the
 * label (a view: one page, newest first) whose records say they are incidents. One delivery's
 * cost stays bounded however many issues carry the label (SPEC 8); `more` says some were left out.
 */
export async function readOpenIncidents(
  client: RepoClient,
  label: string,
  reader: RecordReader,
  limit: number,
): Promise<{ incidents: Array<{ issue: IssueLike; thread: IncidentThread }>; more: boolean }> {
  const { octokit, owner, repo } = client;
  const { data, headers } = await octokit.request("GET /repos/{owner}/{repo}/issues", { owner, repo, labels: label, state: "open", sort: "created", direction: "desc", per_page: 100 });
  const issues = (data as IssueLike[]).filter((issue) => !issue.pull_request);
  const read = await Promise.all(issues.slice(0, limit).map(async (issue) => ({ issue, thread: await readIncidentThread(client, issue, reader) })));
  return { incidents: read.filter(({ thread }) => thread.isIncident), more: issues.length > limit || /rel="next"/.test(headers.link ?? "") };
}
