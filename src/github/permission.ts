import { effectiveRole, type Role } from "../policy/roles.js";
import { isApiError } from "./api-error.js";
import type { RepoClient } from "./client.js";

/**
 * The caller's role in the repository, asked of GitHub (never read from the comment or its
 * author_association, which shows private org members as CONTRIBUTOR). 404: not a collaborator.
 */
export async function roleOf({ octokit, owner, repo }: RepoClient, username: string): Promise<Role | "none"> {
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { owner, repo, username });
    return effectiveRole(data.role_name, data.permission);
  } catch (error) {
    if (isApiError(error) && error.status === 404) return "none";
    throw error;
  }
}
