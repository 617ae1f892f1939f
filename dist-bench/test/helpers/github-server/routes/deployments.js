import { renderDeployment, renderDeploymentStatus } from "../render.js";
import { notFound, paginated, requiresAuthentication } from "../replies.js";
/**
 * Deployments and their statuses. A deployment a test announces only by webhook (not added to
 * the model) still takes and lists statuses, so a test need not mirror every payload here.
 */
export function installDeploymentRoutes(site) {
    site.route("GET", "/repos/:owner/:repo/deployments", ({ params, path, query }) => {
        const repo = site.repoFor(params);
        if (!repo)
            return notFound();
        const filters = ["environment", "sha", "ref", "task"];
        const deployments = [...repo.deployments.values()]
            .filter((d) => filters.every((key) => !query.has(key) || d[key] === query.get(key)))
            .sort((a, b) => b.id - a.id);
        return paginated(deployments, query, `${site.apiBase}${path}`, (d) => renderDeployment(site, repo, d));
    });
    site.route("GET", "/repos/:owner/:repo/deployments/:id", ({ params }) => {
        const repo = site.repoFor(params);
        const deployment = repo?.deployments.get(Number(params.id));
        return repo && deployment ? { status: 200, body: renderDeployment(site, repo, deployment) } : notFound();
    });
    site.route("GET", "/repos/:owner/:repo/deployments/:id/statuses", ({ params, path, query }) => {
        const repo = site.repoFor(params);
        if (!repo)
            return notFound();
        const statuses = repo.deploymentStatuses.get(Number(params.id)) ?? [];
        return paginated(statuses, query, `${site.apiBase}${path}`, (s) => renderDeploymentStatus(site, repo, s));
    });
    site.route("POST", "/repos/:owner/:repo/deployments/:id/statuses", ({ params, body, headers }) => {
        const repo = site.repoFor(params);
        const actor = site.actorFor(headers);
        if (!actor)
            return requiresAuthentication();
        if (!repo)
            return notFound();
        const deploymentId = Number(params.id);
        const deployment = repo.deployments.get(deploymentId);
        const earlier = repo.deploymentStatuses.get(deploymentId) ?? [];
        const now = site.mint.now();
        const status = {
            id: site.mint.id(),
            deployment_id: deploymentId,
            state: String(body?.state),
            description: body?.description ?? "",
            // As GitHub documents: the given environment, else the previous status's, else the deployment's.
            environment: body?.environment ?? earlier[0]?.environment ?? deployment?.environment ?? "",
            log_url: body?.log_url ?? body?.target_url ?? "",
            environment_url: body?.environment_url ?? "",
            creator: actor,
            created_at: now,
            updated_at: now,
        };
        repo.deploymentStatuses.set(deploymentId, [status, ...earlier]);
        if (deployment)
            deployment.updated_at = now;
        return { status: 201, body: renderDeploymentStatus(site, repo, status) };
    });
}
