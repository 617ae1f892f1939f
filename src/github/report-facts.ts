import { reviewRecordOf, type ReviewRecord } from "./post-merge-reviews.js";
import type { Config } from "../config.js";
import { readMarker } from "../markers.js";
import { exceptionDeployments, exceptionStates } from "../policy/exceptions.js";
import { checkRca } from "../policy/rca.js";
import { REPORT_DAYS, type Cut, type PostMergeReviewFacts, type PostMergeReviews, type ReportFacts } from "../policy/report.js";
import { hasLabel, type CommentLike, type IssueLike, type RepoClient } from "./client.js";
import { readConfigHistory } from "./config-history.js";
import { readIncidentThread, SPANNED_INCIDENT_LIMIT, THREAD_COMMENT_LIMIT, type IncidentThread } from "./incidents.js";
import { LABELLED_ISSUE_LIMIT, listComments, listIssuesWithLabel, listOwnIssues, OWN_ISSUE_LIMIT } from "./issues.js";
import { isOwnIssue, threadRecords, type RecordReader } from "./own-comments.js";

/** How many post-merge reviews one report reads, newest first: each closed one costs a read of its thread. */
export const REPORT_REVIEW_LIMIT = 20;
/** How many of the app's own issues touched in the window are looked through for them. */
export const REPORT_OWN_ISSUE_LIMIT = OWN_ISSUE_LIMIT;

/**
 * The repository's last 90 days as GitHub records them: incidents touched in the window with
 * their records, the app's merge-back and RCA issues (their open and done times), the post-merge reviews
 * the app opened, and the changes on main that weakened the config. Every list is bounded, and a
 * list its bound stopped is said (`cut`, `complete`), never counted as whole.
 * `botLogin`: the app's bot, the creator of its own issues (a label is no way to find them: a
 * triager can take it off).
 */
export async function readReportFacts(client: RepoClient, config: Config, reader: RecordReader, now: Date, mainBranch: string, botLogin: string): Promise<ReportFacts> {
  const since = new Date(now.getTime() - REPORT_DAYS * 86_400_000).toISOString();
  const [incidents, mergeBacks, rcas, configHistory, postMergeReviews] = await Promise.all([
    readIncidentsSince(client, config.labels.incident, reader, since),
    listIssuesWithLabel(client, config.labels.mergeBack, { state: "all" }, LABELLED_ISSUE_LIMIT + 1),
    listIssuesWithLabel(client, config.labels.rca, { state: "all", since }, LABELLED_ISSUE_LIMIT + 1),
    readConfigHistory(client, mainBranch, since),
    readPostMergeReviews(client, reader, botLogin, since),
  ]);
  const cut: Cut = {
    ...(incidents.complete ? {} : { incidents: SPANNED_INCIDENT_LIMIT }),
    ...(mergeBacks.length > LABELLED_ISSUE_LIMIT ? { mergeBacks: LABELLED_ISSUE_LIMIT } : {}),
    ...(rcas.length > LABELLED_ISSUE_LIMIT ? { rcas: LABELLED_ISSUE_LIMIT } : {}),
  };
  const threads = incidents.read;
  return {
    now,
    incidents: threads.map(({ issue, thread }) => ({
      number: issue.number,
      title: issue.title,
      openedAt: issue.created_at,
      closedAt: issue.closed_at,
      cascade: hasLabel(issue, config.labels.cascade),
      forceClosed: thread.forceClose !== undefined && issue.state === "closed",
    })),
    exceptions: threads.flatMap(({ thread }) =>
      exceptionStates(thread.records, config.override.approvals, now).map((e) => ({
        incident: e.incident,
        sha: e.sha,
        grantedAt: e.grantedAt,
        used: e.status === "used",
        ...(e.criterion ? { criterion: e.criterion } : {}),
      })),
    ),
    exceptionDeploys: threads.flatMap(({ issue, thread }) => exceptionDeployments(thread.records).map((d) => ({ incident: issue.number, sha: d.sha, deployedAt: d.at, ...(d.skipped ? { skipped: d.skipped } : {}) }))),
    mergeBacks: mergeBackItems(ownOnly(mergeBacks, reader)),
    rcas: ownOnly(rcas, reader).flatMap((issue) => {
      const incident = readMarker(issue.body, "rca")?.incident;
      if (incident === undefined) return [];
      const done = checkRca({ body: issue.body ?? null, closed: issue.state === "closed", requiredSections: config.rca.requiredSections }).done;
      return [{ incident, openedAt: issue.created_at, doneAt: done ? issue.closed_at : null, dueDays: config.rca.dueDays }];
    }),
    rollbacks: threads.flatMap(({ issue, thread }) => thread.rollbacks.map((r) => ({ incident: issue.number, at: r.at }))),
    postMergeReviews,
    cut,
    config: configHistory,
  };
}

/**
 * Incidents touched since `since`, found by label (a view: what they are comes from their records)
 * with their threads, the newest SPANNED_INCIDENT_LIMIT; `complete` false when there were more, or
 * a thread was longer than is read.
 */
async function readIncidentsSince(client: RepoClient, label: string, reader: RecordReader, since: string): Promise<{ read: Array<{ issue: IssueLike; thread: IncidentThread }>; complete: boolean }> {
  const issues = await listIssuesWithLabel(client, label, { state: "all", since }, SPANNED_INCIDENT_LIMIT + 1);
  const read = await Promise.all(issues.slice(0, SPANNED_INCIDENT_LIMIT).map(async (issue) => ({ issue, thread: await readIncidentThread(client, issue, reader) })));
  return { read: read.filter(({ thread }) => thread.isIncident), complete: issues.length <= SPANNED_INCIDENT_LIMIT && read.every(({ thread }) => thread.complete) };
}

/**
 * The issues of a labelled list this app opened (it opens every merge-back and RCA issue): a
 * person's issue with a copied marker, labelled by a triager, times nothing.
 */
function ownOnly(issues: readonly IssueLike[], reader: RecordReader): IssueLike[] {
  return issues.slice(0, LABELLED_ISSUE_LIMIT).filter((issue) => isOwnIssue(issue, reader.appId));
}

/** Merge-back issues by their marker (the report only times them), oldest first. */
function mergeBackItems(issues: readonly IssueLike[]): ReportFacts["mergeBacks"] {
  return [...issues]
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.number - b.number)
    .flatMap((issue) => {
      const item = readMarker(issue.body, "merge-back");
      return item ? [{ incident: item.incident, sha: item.sha, openedAt: issue.created_at, doneAt: issue.state === "closed" ? issue.closed_at : null }] : [];
    });
}

/**
 * The post-merge reviews opened since `since`, as the close gate tells them (SPEC 8): among the
 * issues this app opened (GitHub's creator, which no one can change), newest first, those whose
 * body the signed `post-merge-review` record heads. Neither label nor marker picks them: the record
 * replaces the body the marker was in, and a triager can take the label off. A record an edit of
 * the body changed still makes a review, one no close finishes until the record is restored (the
 * gate reopens it); a record naming another place (copied, or transferred here) makes none. Only a
 * closed review can be done, and only `post-merge-reviewed` comments (written after the closer's
 * role was checked) say its close was a review: its thread is read, and no other.
 */
async function readPostMergeReviews(client: RepoClient, reader: RecordReader, botLogin: string, since: string): Promise<PostMergeReviews> {
  const own = await listOwnIssues(client, botLogin, since, REPORT_OWN_ISSUE_LIMIT + 1);
  const opened = own
    .slice(0, REPORT_OWN_ISSUE_LIMIT)
    .filter((issue) => isOwnIssue(issue, reader.appId))
    .flatMap((issue): Array<{ issue: IssueLike; record: ReviewRecord | undefined }> => {
      const found = reviewRecordOf(reader.key, client.repoId, issue);
      if (found === "changed") return [{ issue, record: undefined }];
      return typeof found === "object" ? [{ issue, record: found.record }] : [];
    });
  const reviews = opened.slice(0, REPORT_REVIEW_LIMIT);
  const facts = await Promise.all(
    reviews.map(async ({ issue, record }) => {
      const comments = issue.state === "closed" && issue.comments !== 0 ? await listComments(client, issue.number, THREAD_COMMENT_LIMIT + 1) : [];
      return { issue, record, comments };
    }),
  );
  const complete = own.length <= REPORT_OWN_ISSUE_LIMIT && opened.length <= REPORT_REVIEW_LIMIT && facts.every(({ comments }) => comments.length <= THREAD_COMMENT_LIMIT);
  return { reviews: facts.map(({ issue, record, comments }) => reviewOf(client, issue, record, comments.slice(0, THREAD_COMMENT_LIMIT), reader)), complete, limit: REPORT_REVIEW_LIMIT };
}

/** `opened`: the review's record, undefined when an edit changed it (then the issue's own opening times it). */
function reviewOf(client: RepoClient, issue: IssueLike, opened: ReviewRecord | undefined, comments: readonly CommentLike[], reader: RecordReader): PostMergeReviewFacts {
  const records = threadRecords(comments, reader, { repo: client.repoId, incident: issue.number });
  const closes = {
    issue: issue.number,
    closedAt: issue.state === "closed" ? issue.closed_at : null,
    reviewedCloses: records.of("post-merge-reviewed").map((done) => done.closed),
  };
  return opened ? { ...closes, after: opened.after, pusher: opened.pusher, openedAt: opened.at } : { ...closes, recordChanged: true, openedAt: issue.created_at };
}
