import { INSTALLATION_ID, validPayload, webhookRepository } from "./fixtures.js";
import { renderRepository, renderUser } from "./github-server/render.js";
/**
 * Webhook payloads for what happens in the loopback GitHub test server, shaped as GitHub sends
 * them (checked against GitHub's webhook schema), so a story can be told event by event.
 */
export function storyWebhooks(server, repo) {
    const base = (login) => ({
        repository: webhookRepository(renderRepository(server, repo)),
        sender: renderUser(server, server.user(login)),
        installation: { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMg==" },
    });
    return {
        issueLabeled(number, login, label) {
            const { issue, label: labelObject } = server.userLabel(repo, number, login, label);
            return ["issues", validPayload("issues", { action: "labeled", issue, label: labelObject, ...base(login) })];
        },
        issueClosed(number, login) {
            const issue = server.userClose(repo, number, login);
            return ["issues", validPayload("issues", { action: "closed", issue, ...base(login) })];
        },
        issueEdited(number, login, body) {
            const before = server.issueForWebhook(repo, number).body ?? "";
            const issue = server.userEditIssue(repo, number, login, body);
            return ["issues", validPayload("issues", { action: "edited", issue, changes: { body: { from: before } }, ...base(login) })];
        },
        comment(number, login, body) {
            const comment = server.userComment(repo, number, login, body);
            const issue = server.issueForWebhook(repo, number);
            return ["issue_comment", validPayload("issue_comment", { action: "created", issue, comment, ...base(login) })];
        },
        protectionRule(sha, environment, runId, login) {
            const deployment = server.addDeployment(repo, { sha, environment, creator: login });
            const payload = {
                action: "requested",
                environment,
                event: "workflow_dispatch",
                deployment_callback_url: `${server.apiBase}/repos/${repo.owner}/${repo.name}/actions/runs/${runId}/deployment_protection_rule`,
                deployment,
                ...base(login),
            };
            return ["deployment_protection_rule", validPayload("deployment_protection_rule", payload)];
        },
        push(branch, login, commits) {
            const pushed = server.push(repo, branch, commits);
            const { sender, ...rest } = base(login);
            const payload = { ...pushed, pusher: { name: login, email: `${login}@example.com` }, sender, ...rest };
            return ["push", validPayload("push", payload)];
        },
    };
}
