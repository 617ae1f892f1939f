import { ancestors, resolveRef } from "../graph.js";
import type { Deployment, DeploymentStatus, Reply, Repository, Site } from "../model.js";
import { renderDeployment, renderDeploymentStatus } from "../render.js";
import { notFound, paginated, requiresAuthentication, unprocessable } from "../replies.js";

/**
 * Deployments and their statuses. A deployment a test announces only by webhook (not added to
 * the model) still takes and lists statuses, so a test need not mirror every payload here.
 */
export function installDeploymentRoutes(site: Site): void {
  site.route("GET", "/repos/:owner/:repo/deployments", ({ params, path, query }) => {
    const repo = site.repoFor(params);
    if (!repo) return notFound();
    const filters = ["environment", "sha", "ref", "task"] as const;
    const deployments = [...repo.deployments.values()]
      .filter((d) => filters.every((key) => !query.has(key) || d[key] === query.get(key)))
      .sort((a, b) => b.id - a.id);
    return paginated(deployments, query, `${site.apiBase}${path}`, (d) => renderDeployment(site, repo, d));
  });

  site.route("POST", "/repos/:owner/:repo/deployments", ({ params, body, headers }) => {
    const repo = site.repoFor(params);
    const actor = site.actorFor(headers);
    if (!actor) return requiresAuthentication();
    if (!repo) return notFound();
    const created = createDeployment(site, repo, body ?? {});
    if ("status" in created) return created;
    repo.deployments.set(created.id, { ...created, creator: actor });
    return { status: 201, body: renderDeployment(site, repo, repo.deployments.get(created.id)!) };
  });

  site.route("GET", "/repos/:owner/:repo/deployments/:id", ({ params }) => {
    const repo = site.repoFor(params);
    const deployment = repo?.deployments.get(Number(params.id));
    return repo && deployment ? { status: 200, body: renderDeployment(site, repo, deployment) } : notFound();
  });

  site.route("GET", "/repos/:owner/:repo/deployments/:id/statuses", ({ params, path, query }) => {
    const repo = site.repoFor(params);
    if (!repo) return notFound();
    const statuses = repo.deploymentStatuses.get(Number(params.id)) ?? [];
    return paginated(statuses, query, `${site.apiBase}${path}`, (s) => renderDeploymentStatus(site, repo, s));
  });

  site.route("POST", "/repos/:owner/:repo/deployments/:id/statuses", ({ params, body, headers }) => {
    const repo = site.repoFor(params);
    const actor = site.actorFor(headers);
    if (!actor) return requiresAuthentication();
    if (!repo) return notFound();
    const deploymentId = Number(params.id);
    const deployment = repo.deployments.get(deploymentId);
    const earlier = repo.deploymentStatuses.get(deploymentId) ?? [];
    const now = site.mint.now();
    const status: DeploymentStatus = {
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
    if (deployment) deployment.updated_at = now;
    return { status: 201, body: renderDeploymentStatus(site, repo, status) };
  });
}

type NewDeploymentBody = { ref?: unknown; task?: unknown; auto_merge?: unknown; required_contexts?: unknown; payload?: unknown; environment?: unknown; description?: unknown };

/**
 * "Create a deployment" as GitHub's REST description tells it: `ref` is a branch, tag or sha;
 * `task` defaults to `deploy`, `environment` to `production`; `payload` is an object or a JSON
 * text. With `auto_merge` (true unless false) GitHub first merges the default branch into a ref
 * that lacks some of it, and answers 409 when it cannot: this model merges nothing, so a ref
 * behind the default branch gets that 409 (a sha can take no merge commit). `required_contexts`
 * (all contexts unless given) must be `success` commit statuses: the model holds none, so any
 * named context fails with 409, and an empty list or none passes.
 */
function createDeployment(site: Site, repo: Repository, body: NewDeploymentBody): Omit<Deployment, "creator"> | Reply {
  const ref = typeof body.ref === "string" ? body.ref : "";
  const sha = resolveRef(repo, ref);
  if (!sha) return unprocessable(`No ref found for: ${ref}`);
  const defaultHead = repo.branches.get(repo.defaultBranch);
  if (body.auto_merge !== false && defaultHead && !ancestors(repo, sha).has(defaultHead)) {
    return { status: 409, body: { message: `Conflict merging ${repo.defaultBranch} into ${ref}.`, documentation_url: "https://docs.github.com/rest" } };
  }
  const contexts = Array.isArray(body.required_contexts) ? (body.required_contexts as string[]) : [];
  if (contexts.length > 0) {
    return {
      status: 409,
      body: {
        message: `Conflict: Commit status checks failed for ${ref}.`,
        errors: [{ contexts: contexts.map((context) => ({ context, state: "missing" })), resource: "Deployment", field: "required_contexts", code: "invalid" }],
        documentation_url: "https://docs.github.com/rest",
      },
    };
  }
  const payload = payloadOf(body.payload);
  if (payload === undefined) return unprocessable("Invalid request.\n\nFor 'properties/payload', the text is not a JSON object.");
  const now = site.mint.now();
  return {
    id: site.mint.id(),
    sha,
    ref,
    task: typeof body.task === "string" ? body.task : "deploy",
    environment: typeof body.environment === "string" ? body.environment : "production",
    description: typeof body.description === "string" ? body.description : body.description === null ? null : "",
    payload,
    created_at: now,
    updated_at: now,
  };
}

/** The payload as GitHub keeps it: an object, or the object a JSON text holds ("" or none: empty). */
function payloadOf(payload: unknown): Record<string, unknown> | undefined {
  if (payload === undefined || payload === "") return {};
  if (typeof payload === "object" && payload !== null && !Array.isArray(payload)) return payload as Record<string, unknown>;
  if (typeof payload !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(payload);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
