import type { CheckRun, Repository, Site } from "../model.js";
import { renderApp } from "../render.js";
import { notFound, requiresAuthentication, unprocessable } from "../replies.js";

/** Check runs: created and updated only by the app that owns them (GitHub allows no one else), listed per commit. */
export function installCheckRoutes(site: Site): void {
  const runsOf = (repo: Repository) => (repo.checkRuns ??= new Map());

  site.route("POST", "/repos/:owner/:repo/check-runs", ({ params, body, headers }) => {
    const repo = site.repoFor(params);
    if (!site.actorFor(headers)) return requiresAuthentication();
    if (!repo) return notFound();
    if (typeof body?.name !== "string" || typeof body?.head_sha !== "string") return unprocessable("Invalid request.\n\n\"name\" and \"head_sha\" are required.");
    if (!repo.commits.has(body.head_sha)) return unprocessable("No commit found for SHA: " + body.head_sha);
    const now = site.mint.now();
    const run: CheckRun = {
      id: site.mint.id(),
      name: body.name,
      head_sha: body.head_sha,
      app_id: site.app.id,
      status: body.status ?? "queued",
      conclusion: body.conclusion ?? null,
      external_id: body.external_id ?? null,
      output: { title: body.output?.title ?? null, summary: body.output?.summary ?? null, text: body.output?.text ?? null },
      started_at: now,
      completed_at: body.conclusion ? (body.completed_at ?? now) : null,
    };
    runsOf(repo).set(run.id, run);
    return { status: 201, body: renderCheckRun(site, repo, run) };
  });

  site.route("PATCH", "/repos/:owner/:repo/check-runs/:id", ({ params, body, headers }) => {
    const repo = site.repoFor(params);
    if (!site.actorFor(headers)) return requiresAuthentication();
    const run = repo && runsOf(repo).get(Number(params.id));
    if (!repo || !run) return notFound();
    if (run.app_id !== site.app.id) return { status: 403, body: { message: "Invalid app_id `" + site.app.id + "` - check run can only be modified by the GitHub App that created it." } };
    if (body?.status) run.status = body.status;
    if (body?.conclusion) run.conclusion = body.conclusion;
    if (body?.completed_at || body?.conclusion) run.completed_at = body.completed_at ?? site.mint.now();
    if (body?.external_id !== undefined) run.external_id = body.external_id;
    if (body?.output) run.output = { title: body.output.title ?? run.output.title, summary: body.output.summary ?? run.output.summary, text: body.output.text ?? run.output.text };
    return { status: 200, body: renderCheckRun(site, repo, run) };
  });

  site.route("GET", "/repos/:owner/:repo/commits/:ref/check-runs", ({ params, query }) => {
    const repo = site.repoFor(params);
    if (!repo) return notFound();
    const sha = repo.branches.get(params.ref!) ?? params.ref!;
    const name = query.get("check_name");
    const appId = query.get("app_id");
    let runs = [...runsOf(repo).values()].filter((r) => r.head_sha === sha && (!name || r.name === name) && (!appId || String(r.app_id) === appId));
    if ((query.get("filter") ?? "latest") === "latest") {
      const newest = new Map<string, CheckRun>();
      for (const run of runs.sort((a, b) => a.id - b.id)) newest.set(`${run.app_id}:${run.name}`, run);
      runs = [...newest.values()];
    }
    const perPage = Number(query.get("per_page") ?? 30);
    const ordered = runs.sort((a, b) => b.id - a.id).slice(0, perPage);
    return { status: 200, body: { total_count: runs.length, check_runs: ordered.map((r) => renderCheckRun(site, repo, r)) } };
  });
}

/** A check run as GitHub renders it; another app's run carries that app. */
export function renderCheckRun(site: Site, repo: Repository, run: CheckRun) {
  const api = `${site.apiBase}/repos/${repo.owner}/${repo.name}/check-runs/${run.id}`;
  const app = run.app_id === site.app.id ? renderApp(site) : { ...renderApp(site), id: run.app_id, slug: `app-${run.app_id}`, name: `app-${run.app_id}`, node_id: `A_${run.app_id}` };
  return {
    id: run.id,
    head_sha: run.head_sha,
    node_id: `CR_${run.id}`,
    external_id: run.external_id,
    url: api,
    html_url: `https://github.com/${repo.owner}/${repo.name}/runs/${run.id}`,
    details_url: null,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.started_at,
    completed_at: run.completed_at,
    output: { title: run.output.title, summary: run.output.summary, text: run.output.text, annotations_count: 0, annotations_url: `${api}/annotations` },
    name: run.name,
    check_suite: { id: run.id },
    app,
    pull_requests: [],
  };
}
