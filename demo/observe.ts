import type { Repository } from "../test/helpers/github-server.js";

/**
 * What a person sees change on GitHub between two moments: the repository's state is copied
 * (`look`) and two copies compared (`changes`), so the demo shows what the app did to GitHub,
 * not what it says about itself.
 */
export type Seen =
  | { kind: "answer"; environment: string; state: string; comment: string }
  | { kind: "issue-opened"; number: number; title: string; labels: string[]; by: string; body: string }
  | { kind: "issue-state"; number: number; title: string; state: string }
  | { kind: "labels"; number: number; added: string[]; removed: string[] }
  | { kind: "comment"; number: number; by: string; body: string }
  | { kind: "comment-edited"; id: number; number: number; by: string; body: string; before: string }
  | { kind: "reaction"; id: number; number: number; content: string; by: string; on: string }
  | { kind: "check-run"; id: number; sha: string; name: string; conclusion: string | null; title: string; summary: string; before?: string }
  | { kind: "deployment-status"; environment: string; state: string; description: string };

type Look = ReturnType<typeof look>;

export function look(repo: Repository) {
  return structuredClone({
    answers: repo.protectionRuleAnswers,
    issues: new Map([...repo.issues.values()].map((i) => [i.number, { title: i.title, state: i.state, labels: i.labels, by: i.user.login, body: i.body ?? "" }])),
    comments: new Map(
      [...repo.comments.values()].map((c) => [c.id, { number: c.issue_number, by: c.user.login, body: c.body, reactions: c.reactions.map((r) => ({ by: r.user.login, content: r.content })) }]),
    ),
    checkRuns: new Map(
      [...(repo.checkRuns?.values() ?? [])].map((r) => [r.id, { sha: r.head_sha, name: r.name, conclusion: r.conclusion, title: r.output.title ?? "", summary: r.output.summary ?? "" }]),
    ),
    statuses: [...repo.deploymentStatuses.values()].flat().map((s) => ({ id: s.id, environment: s.environment, state: s.state, description: s.description })),
  });
}

export function changes(before: Look, after: Look): Seen[] {
  const seen: Seen[] = [];
  for (const answer of after.answers.slice(before.answers.length)) {
    seen.push({ kind: "answer", environment: answer.environment_name, state: answer.state, comment: answer.comment ?? "" });
  }
  for (const status of after.statuses.filter((s) => !before.statuses.some((b) => b.id === s.id))) {
    seen.push({ kind: "deployment-status", environment: status.environment, state: status.state, description: status.description });
  }
  for (const [number, issue] of after.issues) {
    const was = before.issues.get(number);
    if (!was) {
      seen.push({ kind: "issue-opened", number, title: issue.title, labels: issue.labels, by: issue.by, body: issue.body });
      continue;
    }
    const added = issue.labels.filter((l) => !was.labels.includes(l));
    const removed = was.labels.filter((l) => !issue.labels.includes(l));
    if (added.length || removed.length) seen.push({ kind: "labels", number, added, removed });
    if (issue.state !== was.state) seen.push({ kind: "issue-state", number, title: issue.title, state: issue.state });
  }
  for (const [id, comment] of after.comments) {
    const was = before.comments.get(id);
    if (!was) seen.push({ kind: "comment", number: comment.number, by: comment.by, body: comment.body });
    else if (was.body !== comment.body) seen.push({ kind: "comment-edited", id, number: comment.number, by: comment.by, body: comment.body, before: was.body });
    for (const reaction of comment.reactions.filter((r) => !was?.reactions.some((w) => w.by === r.by && w.content === r.content))) {
      seen.push({ kind: "reaction", id, number: comment.number, content: reaction.content, by: reaction.by, on: comment.by });
    }
  }
  for (const [id, run] of after.checkRuns) {
    const was = before.checkRuns.get(id);
    if (!was) seen.push({ kind: "check-run", id, ...run });
    else if (was.conclusion !== run.conclusion || was.title !== run.title || was.summary !== run.summary) seen.push({ kind: "check-run", id, ...run, before: was.summary });
  }
  return seen;
}
