export function openIssue(repo, mint, user, fields) {
    const number = fields.number ?? repo.nextNumber;
    if (repo.issues.has(number))
        throw new Error(`#${number} already exists in ${repo.owner}/${repo.name}`);
    repo.nextNumber = Math.max(repo.nextNumber, number + 1);
    const now = mint.now();
    const issue = {
        id: mint.id(),
        number,
        title: fields.title,
        body: fields.body ?? null,
        state: "open",
        state_reason: null,
        labels: labelNames(repo, mint, fields.labels ?? []),
        assignees: fields.assignees ?? [],
        user,
        created_at: now,
        updated_at: now,
        closed_at: null,
        closed_by: null,
        pull: fields.pull ?? false,
    };
    repo.issues.set(number, issue);
    return issue;
}
/**
 * The repository's spelling of each name, creating labels it lacks (as GitHub does when an
 * issue is given a label that does not exist yet), without case-insensitive duplicates.
 */
function labelNames(repo, mint, names) {
    const result = [];
    for (const name of names) {
        const key = name.toLowerCase();
        if (!repo.labels.has(key))
            repo.labels.set(key, { id: mint.id(), name, color: "ededed", description: null, default: false });
        const canonical = repo.labels.get(key).name;
        if (!result.includes(canonical))
            result.push(canonical);
    }
    return result;
}
export function hasLabel(issue, name) {
    return issue.labels.some((l) => l.toLowerCase() === name.toLowerCase());
}
export function addLabels(repo, mint, issue, names) {
    issue.labels = labelNames(repo, mint, [...issue.labels, ...names]);
    issue.updated_at = mint.now();
}
/** False when the issue does not carry the label. */
export function removeLabel(mint, issue, name) {
    if (!hasLabel(issue, name))
        return false;
    issue.labels = issue.labels.filter((l) => l.toLowerCase() !== name.toLowerCase());
    issue.updated_at = mint.now();
    return true;
}
/** Closing stamps who and when; reopening clears them and says "reopened", as GitHub does. */
export function changeIssue(repo, mint, issue, user, change) {
    const now = mint.now();
    if (change.title !== undefined)
        issue.title = change.title;
    if (change.body !== undefined)
        issue.body = change.body;
    if (change.labels !== undefined)
        issue.labels = labelNames(repo, mint, change.labels);
    if (change.assignees !== undefined)
        issue.assignees = change.assignees;
    if (change.state === "closed" && issue.state === "open") {
        Object.assign(issue, { state: "closed", closed_at: now, closed_by: user, state_reason: change.state_reason ?? "completed" });
    }
    else if (change.state === "open" && issue.state === "closed") {
        Object.assign(issue, { state: "open", closed_at: null, closed_by: null, state_reason: "reopened" });
    }
    issue.updated_at = now;
}
/** A new comment also makes its issue "updated", which `since` filters see. */
export function addComment(repo, mint, issue, user, body) {
    const now = mint.now();
    const comment = { id: mint.id(), issue_number: issue.number, body, user, created_at: now, updated_at: now, reactions: [] };
    repo.comments.set(comment.id, comment);
    issue.updated_at = now;
    return comment;
}
export function editComment(mint, comment, body) {
    comment.body = body;
    comment.updated_at = mint.now();
}
/** A user reacts with each content at most once: the second time GitHub returns the first reaction. */
export function react(mint, comment, user, content) {
    const existing = comment.reactions.find((r) => r.user.id === user.id && r.content === content);
    if (existing)
        return { reaction: existing, created: false };
    const reaction = { id: mint.id(), content, user, created_at: mint.now() };
    comment.reactions.push(reaction);
    return { reaction, created: true };
}
