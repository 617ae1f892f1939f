import { INSTALLATION_ID, validPayload, webhookRepository } from "./fixtures.js";
import type { GitHubTestServer, Repository } from "./github-server.js";
import { renderRepository, renderUser } from "./github-server/render.js";

/**
 * Webhook payloads for what happens in the loopback GitHub test server, shaped as GitHub sends
 * them (checked against GitHub's webhook schema), so a story can be told event by event.
 */
export function storyWebhooks(server: GitHubTestServer, repo: Repository, installationId = INSTALLATION_ID) {
  const base = (login: string) => ({
    repository: webhookRepository(renderRepository(server, repo)),
    sender: renderUser(server, server.user(login)),
    installation: { id: installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMg==" },
  });
  return {
    issueUnlabeled(number: number, login: string, label: string) {
      const { issue, label: labelObject } = server.userUnlabel(repo, number, label);
      return ["issues", validPayload("issues", { action: "unlabeled", issue, label: labelObject, ...base(login) })] as const;
    },
    issueTransferred(number: number, login: string, to: Repository) {
      const old = server.issueForWebhook(repo, number);
      const moved = server.userTransfer(repo, number, to);
      const changes = { new_issue: moved, new_repository: webhookRepository(renderRepository(server, to)) };
      return ["issues", validPayload("issues", { action: "transferred", issue: old, changes, ...base(login) })] as const;
    },
    issueDeleted(number: number, login: string) {
      const issue = server.userDeleteIssue(repo, number);
      return ["issues", validPayload("issues", { action: "deleted", issue, ...base(login) })] as const;
    },
    issueReopened(number: number, login: string) {
      const issue = server.userReopen(repo, number, login);
      return ["issues", validPayload("issues", { action: "reopened", issue, ...base(login) })] as const;
    },
    commentEdited(commentId: number, login: string, body: string) {
      const before = repo.comments.get(commentId)!.body;
      const comment = server.userEditComment(repo, commentId, body);
      const issue = server.issueForWebhook(repo, repo.comments.get(commentId)!.issue_number);
      return ["issue_comment", validPayload("issue_comment", { action: "edited", issue, comment, changes: { body: { from: before } }, ...base(login) })] as const;
    },
    commentDeleted(commentId: number, login: string) {
      const issue = server.issueForWebhook(repo, repo.comments.get(commentId)!.issue_number);
      const comment = server.userDeleteComment(repo, commentId);
      return ["issue_comment", validPayload("issue_comment", { action: "deleted", issue, comment, ...base(login) })] as const;
    },
    issueLabeled(number: number, login: string, label: string) {
      const { issue, label: labelObject } = server.userLabel(repo, number, login, label);
      return ["issues", validPayload("issues", { action: "labeled", issue, label: labelObject, ...base(login) })] as const;
    },
    issueClosed(number: number, login: string) {
      const issue = server.userClose(repo, number, login);
      return ["issues", validPayload("issues", { action: "closed", issue, ...base(login) })] as const;
    },
    issueEdited(number: number, login: string, body: string) {
      const before = server.issueForWebhook(repo, number).body ?? "";
      const issue = server.userEditIssue(repo, number, login, body);
      return ["issues", validPayload("issues", { action: "edited", issue, changes: { body: { from: before } }, ...base(login) })] as const;
    },
    comment(number: number, login: string, body: string) {
      const comment = server.userComment(repo, number, login, body);
      const issue = server.issueForWebhook(repo, number);
      return ["issue_comment", validPayload("issue_comment", { action: "created", issue, comment, ...base(login) })] as const;
    },
    protectionRule(sha: string, environment: string, runId: number, login: string) {
      const deployment = server.addDeployment(repo, { sha, environment, creator: login });
      const payload = {
        action: "requested",
        environment,
        event: "workflow_dispatch",
        deployment_callback_url: `${server.apiBase}/repos/${repo.owner}/${repo.name}/actions/runs/${runId}/deployment_protection_rule`,
        deployment,
        ...base(login),
      };
      return ["deployment_protection_rule", validPayload("deployment_protection_rule", payload)] as const;
    },
    push(branch: string, login: string, commits: Parameters<GitHubTestServer["push"]>[2]) {
      const pushed = server.push(repo, branch, commits);
      const { sender, ...rest } = base(login);
      const payload = { ...pushed, pusher: { name: login, email: `${login}@example.com` }, sender, ...rest };
      return ["push", validPayload("push", payload)] as const;
    },
  };
}
