import type { Context } from "probot";
import type { RepoClient } from "../github/client.js";

export type RepoPayload = {
  repository: { id: number; name: string; full_name: string; default_branch: string; owner: { login: string } | null };
};

/** The repository a webhook is about, with the installation's Octokit. */
export function clientOf(context: Context & { payload: RepoPayload }): RepoClient {
  const { repository } = context.payload;
  const owner = repository.owner?.login ?? repository.full_name.split("/")[0]!;
  return { octokit: context.octokit, owner, repo: repository.name, repoId: repository.id };
}
