import { compare, history, pullsWithCommit, resolveRef } from "../graph.js";
import type { Pull, Repository, Site } from "../model.js";
import { renderCommit, renderPull } from "../render.js";
import { notFound, paginated, unprocessable } from "../replies.js";

/** Commits, compare, and the pull requests that carry commits. */
export function installCommitRoutes(site: Site): void {
  const commitJson = (repo: Repository, sha: string) => renderCommit(site, repo, repo.commits.get(sha)!);
  const pullJson = (repo: Repository, pull: Pull) => renderPull(site, repo, pull, repo.issues.get(pull.number)!);

  site.route("GET", "/repos/:owner/:repo/compare/:basehead*", ({ params, query }) => {
    const repo = site.repoFor(params);
    const [base = "", head = ""] = params.basehead!.split("...");
    const baseSha = repo && resolveRef(repo, base);
    const headSha = repo && resolveRef(repo, head);
    if (!repo || !baseSha || !headSha) return notFound(`No commit found for SHA: ${head}`);
    const result = compare(repo, baseSha, headSha);
    // GitHub lists at most 250 commits, paged by per_page/page.
    const perPage = Number(query.get("per_page") ?? 250);
    const page = Number(query.get("page") ?? 1);
    const web = `https://github.com/${repo.owner}/${repo.name}/compare/${base}...${head}`;
    return {
      status: 200,
      body: {
        url: `${site.apiBase}/repos/${repo.owner}/${repo.name}/compare/${base}...${head}`,
        html_url: web,
        permalink_url: `https://github.com/${repo.owner}/${repo.name}/compare/${baseSha.slice(0, 7)}...${headSha.slice(0, 7)}`,
        diff_url: `${web}.diff`,
        patch_url: `${web}.patch`,
        base_commit: commitJson(repo, baseSha),
        merge_base_commit: result.mergeBase ? commitJson(repo, result.mergeBase) : null,
        status: result.status,
        ahead_by: result.ahead_by,
        behind_by: result.behind_by,
        total_commits: result.ahead_by,
        commits: result.commits.slice((page - 1) * perPage, page * perPage).map((c) => commitJson(repo, c.sha)),
        // The change from the merge base to head, on the first page alone, at most 300 files: here each
        // commit's files in turn (GitHub would merge two changes of one file into one entry).
        ...(page === 1 ? { files: result.commits.flatMap((c) => commitJson(repo, c.sha).files).slice(0, 300) } : {}),
      },
    };
  });

  site.route("GET", "/repos/:owner/:repo/commits", ({ params, path, query }) => {
    const repo = site.repoFor(params);
    if (!repo) return notFound();
    if (repo.commits.size === 0) return { status: 409, body: { message: "Git Repository is empty.", status: "409" } };
    const ref = query.get("sha") ?? repo.defaultBranch;
    const head = resolveRef(repo, ref);
    if (!head) return notFound();
    const since = query.get("since");
    const until = query.get("until");
    // `path`: the commits that write the file (Commit.files) or whose diff changes it, as git log -- <path> lists a linear history.
    const file = query.get("path");
    const touches = (c: { files?: Record<string, string | null>; diff: string }) =>
      (c.files !== undefined && file! in c.files) || c.diff.split("\n").some((line) => line.startsWith("diff --git ") && line.split(" ").slice(2).some((side) => side.slice(2) === file));
    const commits = history(repo, head).filter(
      (c) => (!since || Date.parse(c.date) >= Date.parse(since)) && (!until || Date.parse(c.date) <= Date.parse(until)) && (!file || touches(c)),
    );
    return paginated(commits, query, `${site.apiBase}${path}`, (c) => commitJson(repo, c.sha));
  });

  // GitHub answers 422, not 404, for a commit it cannot find on this route.
  site.route("GET", "/repos/:owner/:repo/commits/:ref", ({ params, headers }) => {
    const repo = site.repoFor(params);
    if (!repo) return notFound();
    const sha = resolveRef(repo, params.ref!);
    if (!sha || !repo.commits.has(sha)) return unprocessable(`No commit found for SHA: ${params.ref}`);
    if (/application\/vnd\.github(\.v3)?\.diff/.test(headers.accept ?? "")) {
      return { status: 200, body: repo.commits.get(sha)!.diff, headers: { "content-type": "text/plain; charset=utf-8" } };
    }
    return { status: 200, body: commitJson(repo, sha) };
  });

  site.route("GET", "/repos/:owner/:repo/commits/:sha/pulls", ({ params, path, query }) => {
    const repo = site.repoFor(params);
    if (!repo) return notFound();
    const sha = resolveRef(repo, params.sha!);
    if (!sha) return unprocessable(`No commit found for SHA: ${params.sha}`);
    const pulls = pullsWithCommit(repo, sha);
    return paginated(pulls, query, `${site.apiBase}${path}`, (p) => pullJson(repo, p));
  });

  site.route("GET", "/repos/:owner/:repo/pulls/:number", ({ params }) => {
    const repo = site.repoFor(params);
    const pull = repo?.pulls.get(Number(params.number));
    if (!repo || !pull) return notFound();
    const files = pull.commits.flatMap((sha) => renderCommit(site, repo, repo.commits.get(sha)!).files);
    const comments = [...repo.comments.values()].filter((c) => c.issue_number === pull.number).length;
    return {
      status: 200,
      body: {
        ...pullJson(repo, pull),
        merged: pull.merged_at !== null,
        mergeable: null,
        rebaseable: null,
        mergeable_state: "unknown",
        merged_by: null,
        comments,
        review_comments: 0,
        maintainer_can_modify: false,
        commits: pull.commits.length,
        additions: files.reduce((n, f) => n + f.additions, 0),
        deletions: files.reduce((n, f) => n + f.deletions, 0),
        changed_files: new Set(files.map((f) => f.filename)).size,
      },
    };
  });

  // The files the pull request changes, as its commits' diffs change them (GitHub lists the whole change
  // from the merge base, at most 3,000 files; a file two commits change is one entry there, two here).
  site.route("GET", "/repos/:owner/:repo/pulls/:number/files", ({ params, path, query }) => {
    const repo = site.repoFor(params);
    const pull = repo?.pulls.get(Number(params.number));
    if (!repo || !pull) return notFound();
    const files = pull.commits.flatMap((sha) => commitJson(repo, sha).files);
    return paginated(files, query, `${site.apiBase}${path}`);
  });

  site.route("GET", "/repos/:owner/:repo/pulls/:number/commits", ({ params, path, query }) => {
    const repo = site.repoFor(params);
    const pull = repo?.pulls.get(Number(params.number));
    if (!repo || !pull) return notFound();
    return paginated(pull.commits, query, `${site.apiBase}${path}`, (sha) => commitJson(repo, sha));
  });
}

