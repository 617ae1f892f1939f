import { addComment, addLabels, changeIssue, editComment, hasLabel, openIssue, react, removeLabel, type IssueChange } from "../issues.js";
import type { Comment, Issue, Reply, Repository, RouteRequest, Site, User } from "../model.js";
import { renderComment, renderIssue, renderReaction } from "../render.js";
import { notFound, paginated, requiresAuthentication, unprocessable } from "../replies.js";

/** Issues, their labels, comments and comment reactions. */
export function installIssueRoutes(site: Site): void {
  const issueJson = (repo: Repository, issue: Issue) => renderIssue(site, repo, issue);
  const commentJson = (repo: Repository, comment: Comment) => renderComment(site, repo, comment);
  const labelsJson = (repo: Repository, issue: Issue) => issueJson(repo, issue).labels;

  site.route("GET", "/repos/:owner/:repo/issues", ({ params, path, query }) => {
    const repo = site.repoFor(params);
    if (!repo) return notFound();
    const state = query.get("state") ?? "open";
    const labels = (query.get("labels") ?? "").split(",").map((l) => l.trim()).filter(Boolean);
    const since = query.get("since");
    const creator = query.get("creator");
    const matching = [...repo.issues.values()].filter(
      (i) =>
        (state === "all" || i.state === state) &&
        labels.every((l) => hasLabel(i, l)) &&
        (!since || Date.parse(i.updated_at) >= Date.parse(since)) &&
        (!creator || i.user.login.toLowerCase() === creator.toLowerCase()),
    );
    const key = query.get("sort") ?? "created";
    const sortValue = (i: Issue) => (key === "updated" ? Date.parse(i.updated_at) : key === "comments" ? commentCount(repo, i) : Date.parse(i.created_at));
    const ascending = matching.sort((a, b) => sortValue(a) - sortValue(b) || a.number - b.number);
    const ordered = query.get("direction") === "asc" ? ascending : ascending.reverse();
    return paginated(ordered, query, `${site.apiBase}${path}`, (i) => issueJson(repo, i));
  });

  site.route("POST", "/repos/:owner/:repo/issues", ({ params, body, headers }) => {
    const repo = site.repoFor(params);
    const actor = site.actorFor(headers);
    if (!actor) return requiresAuthentication();
    if (!repo) return notFound();
    if (typeof body?.title !== "string" && typeof body?.title !== "number") return unprocessable("Invalid request.\n\n\"title\" wasn't supplied.");
    const assignees = assignable(site, repo, body.assignees ?? (body.assignee ? [body.assignee] : []));
    if ("invalid" in assignees) return invalidAssignees(assignees.invalid);
    const issue = openIssue(repo, site.mint, actor, { title: String(body.title), body: body.body ?? null, labels: labelNamesOf(body.labels), assignees: assignees.users });
    return { status: 201, body: issueJson(repo, issue) };
  });

  site.route("GET", "/repos/:owner/:repo/issues/:number", (req) => {
    // A transferred issue's old address redirects to its new repository, as GitHub's does; 404 when the app may not read that one.
    const moved = site.repoFor(req.params)?.transferred?.get(Number(req.params.number));
    if (moved && site.repoFor({ owner: moved.owner, repo: moved.name })?.appCannotRead) return notFound();
    if (moved) return { status: 301, body: { message: "Moved Permanently" }, headers: { location: `${site.apiBase}/repos/${moved.owner}/${moved.name}/issues/${moved.number}` } };
    return withIssue(site, req, (repo, issue) => ({ status: 200, body: issueJson(repo, issue) }));
  });

  site.route("PUT", "/repos/:owner/:repo/issues/:number/lock", (req) =>
    withIssue(site, req, (_repo, issue, actor) => {
      if (!actor) return requiresAuthentication();
      issue.locked = true;
      issue.active_lock_reason = req.body?.lock_reason ?? null;
      return { status: 204 };
    }),
  );

  site.route("DELETE", "/repos/:owner/:repo/issues/:number/lock", (req) =>
    withIssue(site, req, (_repo, issue, actor) => {
      if (!actor) return requiresAuthentication();
      issue.locked = false;
      issue.active_lock_reason = null;
      return { status: 204 };
    }),
  );

  site.route("PATCH", "/repos/:owner/:repo/issues/:number", (req) =>
    withIssue(site, req, (repo, issue, actor) => {
      if (!actor) return requiresAuthentication();
      const { body } = req;
      const change: IssueChange = { title: body?.title, body: body?.body, state: body?.state, state_reason: body?.state_reason };
      if (body?.labels !== undefined) change.labels = labelNamesOf(body.labels);
      if (body?.assignees !== undefined) {
        const assignees = assignable(site, repo, body.assignees);
        if ("invalid" in assignees) return invalidAssignees(assignees.invalid);
        change.assignees = assignees.users;
      }
      changeIssue(repo, site.mint, issue, actor, change);
      return { status: 200, body: issueJson(repo, issue) };
    }),
  );

  site.route("POST", "/repos/:owner/:repo/issues/:number/labels", (req) =>
    withIssue(site, req, (repo, issue, actor) => {
      if (!actor) return requiresAuthentication();
      addLabels(repo, site.mint, issue, labelNamesOf(Array.isArray(req.body) ? req.body : req.body?.labels));
      return { status: 200, body: labelsJson(repo, issue) };
    }),
  );

  site.route("DELETE", "/repos/:owner/:repo/issues/:number/labels/:name", (req) =>
    withIssue(site, req, (repo, issue, actor) => {
      if (!actor) return requiresAuthentication();
      if (!removeLabel(site.mint, issue, req.params.name!)) return notFound("Label does not exist");
      return { status: 200, body: labelsJson(repo, issue) };
    }),
  );

  site.route("GET", "/repos/:owner/:repo/issues/:number/comments", (req) => {
    const moved = site.repoFor(req.params)?.transferred?.get(Number(req.params.number));
    if (moved && site.repoFor({ owner: moved.owner, repo: moved.name })?.appCannotRead) return notFound();
    if (moved) return { status: 301, body: { message: "Moved Permanently" }, headers: { location: `${site.apiBase}/repos/${moved.owner}/${moved.name}/issues/${moved.number}/comments?${req.query}` } };
    return withIssue(site, req, (repo, issue) => {
      const since = req.query.get("since");
      const comments = [...repo.comments.values()]
        .filter((c) => c.issue_number === issue.number && (!since || Date.parse(c.updated_at) >= Date.parse(since)))
        .sort((a, b) => a.id - b.id);
      return paginated(comments, req.query, `${site.apiBase}${req.path}`, (c) => commentJson(repo, c));
    });
  });

  // The repository's comments, on every issue and pull request: `since` (updated at or after), ordered
  // by `sort` (created or updated; `direction` only with it, newest first unless asc), else by id.
  site.route("GET", "/repos/:owner/:repo/issues/comments", ({ params, path, query }) => {
    const repo = site.repoFor(params);
    if (!repo) return notFound();
    const since = query.get("since");
    const sort = query.get("sort");
    const time = (c: Comment) => Date.parse(sort === "updated" ? c.updated_at : c.created_at);
    const ascending = [...repo.comments.values()]
      .filter((c) => !since || Date.parse(c.updated_at) >= Date.parse(since))
      .sort((a, b) => (sort ? time(a) - time(b) : 0) || a.id - b.id);
    const ordered = sort && query.get("direction") !== "asc" ? ascending.reverse() : ascending;
    return paginated(ordered, query, `${site.apiBase}${path}`, (c) => commentJson(repo, c));
  });

  site.route("POST", "/repos/:owner/:repo/issues/:number/comments", (req) =>
    withIssue(site, req, (repo, issue, actor) => {
      if (!actor) return requiresAuthentication();
      if (typeof req.body?.body !== "string") return unprocessable("Invalid request.\n\n\"body\" wasn't supplied.");
      if (issue.locked) return { status: 403, body: { message: "Unable to create comment because issue is locked.", documentation_url: "https://docs.github.com/articles/locking-conversations/" } };
      return { status: 201, body: commentJson(repo, addComment(repo, site.mint, issue, actor, req.body.body)) };
    }),
  );

  site.route("GET", "/repos/:owner/:repo/issues/comments/:id", (req) =>
    withComment(site, req, (repo, comment) => ({ status: 200, body: commentJson(repo, comment) })),
  );

  site.route("PATCH", "/repos/:owner/:repo/issues/comments/:id", (req) =>
    withComment(site, req, (repo, comment, actor) => {
      if (!actor) return requiresAuthentication();
      if (typeof req.body?.body !== "string") return unprocessable("Invalid request.\n\n\"body\" wasn't supplied.");
      editComment(site.mint, comment, req.body.body);
      return { status: 200, body: commentJson(repo, comment) };
    }),
  );

  site.route("DELETE", "/repos/:owner/:repo/issues/comments/:id", (req) =>
    withComment(site, req, (repo, comment, actor) => {
      if (!actor) return requiresAuthentication();
      repo.comments.delete(comment.id);
      return { status: 204 };
    }),
  );

  site.route("GET", "/repos/:owner/:repo/issues/comments/:id/reactions", (req) =>
    withComment(site, req, (_repo, comment) => {
      const content = req.query.get("content");
      const reactions = comment.reactions.filter((r) => !content || r.content === content);
      return paginated(reactions, req.query, `${site.apiBase}${req.path}`, (r) => renderReaction(site, r));
    }),
  );

  site.route("POST", "/repos/:owner/:repo/issues/comments/:id/reactions", (req) =>
    withComment(site, req, (_repo, comment, actor) => {
      if (!actor) return requiresAuthentication();
      if (typeof req.body?.content !== "string") return unprocessable("Invalid request.\n\n\"content\" wasn't supplied.");
      const { reaction, created } = react(site.mint, comment, actor, req.body.content);
      return { status: created ? 201 : 200, body: renderReaction(site, reaction) };
    }),
  );
}

type Found<T> = (repo: Repository, found: T, actor: User | undefined) => Reply;

function withIssue(site: Site, req: RouteRequest, then: Found<Issue>) {
  const repo = site.repoFor(req.params);
  const issue = repo?.issues.get(Number(req.params.number));
  return repo && issue ? then(repo, issue, site.actorFor(req.headers)) : notFound();
}

function withComment(site: Site, req: RouteRequest, then: Found<Comment>) {
  const repo = site.repoFor(req.params);
  const comment = repo?.comments.get(Number(req.params.id));
  return repo && comment ? then(repo, comment, site.actorFor(req.headers)) : notFound();
}

function commentCount(repo: Repository, issue: Issue): number {
  return [...repo.comments.values()].filter((c) => c.issue_number === issue.number).length;
}

/** Label arguments come as names or as `{ name }` objects. */
function labelNamesOf(labels: unknown): string[] {
  if (!Array.isArray(labels)) return [];
  return labels.map((l) => (typeof l === "string" ? l : String((l as { name?: unknown })?.name ?? ""))).filter(Boolean);
}

/** Only people with a role in the repository can be assigned; GitHub rejects anyone else. */
function assignable(site: Site, repo: Repository, logins: unknown): { users: User[] } | { invalid: string[] } {
  const names = Array.isArray(logins) ? logins.map(String) : [];
  const invalid = names.filter((login) => !site.knownUser(login) || !repo.roles.has(login.toLowerCase()));
  if (invalid.length > 0) return { invalid };
  return { users: names.map((login) => site.knownUser(login)!) };
}

function invalidAssignees(logins: string[]) {
  return unprocessable(
    "Validation Failed",
    logins.map((value) => ({ value, resource: "Issue", field: "assignees", code: "invalid" })),
  );
}
