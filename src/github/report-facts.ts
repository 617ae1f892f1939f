import { reviewRecordOf, type ReviewRecord } from "./post-merge-reviews.js";
import type { Config } from "../config.js";
import { findCascade, type ExceptionDeploy } from "../policy/cascade.js";
import { exceptionDeployments, exceptionStates, type IncidentRecords } from "../policy/exceptions.js";
import { checkRca } from "../policy/rca.js";
import { REPORT_DAYS, type Cut, type PostMergeReviewFacts, type PostMergeReviews, type ReportFacts } from "../policy/report.js";
import type { AppRecord, RecordKind } from "../records.js";
import type { CommentLike, IssueLike, RepoClient } from "./client.js";
import { readConfigHistory } from "./config-history.js";
import { exceptionDeploysIn } from "./exception-deploys.js";
import { readIncidentThread, SPANNED_INCIDENT_LIMIT, THREAD_COMMENT_LIMIT, type IncidentThread } from "./incidents.js";
import { getIssueHere, listComments, listOwnIssues, OWN_ISSUE_LIMIT } from "./issues.js";
import { isOwnIssue, threadRecords, type RecordReader } from "./own-comments.js";
import { COMMENTS_PER_PAGE, readRecordsSince, recordsOf } from "./records-since.js";

/** How many post-merge reviews one report reads, newest first: each closed one costs a read of its thread. */
export const REPORT_REVIEW_LIMIT = 20;
/** How many of the app's own issues touched in the window are looked through for them, and for the incidents' merge-back and RCA issues. */
export const REPORT_OWN_ISSUE_LIMIT = OWN_ISSUE_LIMIT;
/** How many pages of 100 of the repository's comments of the window are read for the app's records (one request each). */
export const REPORT_COMMENT_PAGES = 10;
/** How many merge-back and RCA issues the list of the app's own issues does not hold are read one by one (one request each). */
export const REPORT_ITEM_READS = 30;

/**
 * The repository's last 90 days as GitHub records them: the incidents the app's records of the
 * window name, with their threads; the merge-back and RCA issues those records name (their open
 * and done times), the post-merge reviews the app opened, and the changes on main that weakened
 * the config. No label counts (SPEC 8: a triager can add or take off any): which issue is an
 * incident's merge-back item or RCA, and which incidents were in a hotfix cascade, come from the
 * records. Every list is bounded, and a list its bound stopped is said (`cut`, `complete`), never
 * counted as whole.
 * `botLogin`: the app's bot, the creator of its own issues.
 */
export async function readReportFacts(client: RepoClient, config: Config, reader: RecordReader, now: Date, mainBranch: string, botLogin: string): Promise<ReportFacts> {
  const since = new Date(now.getTime() - REPORT_DAYS * 86_400_000).toISOString();
  const ownIssues = readOwnIssues(client, reader, botLogin, since);
  const [incidents, own, configHistory, postMergeReviews] = await Promise.all([
    readIncidentsSince(client, reader, since),
    ownIssues,
    readConfigHistory(client, mainBranch, since),
    ownIssues.then((issues) => readPostMergeReviews(client, reader, issues)),
  ]);
  const threads = incidents.read;
  const exceptionDeploys = [
    ...threads.flatMap(({ issue, thread }) => exceptionDeployments(thread.records).map((d) => ({ incident: issue.number, sha: d.sha, deployedAt: d.at, ...(d.skipped ? { skipped: d.skipped } : {}) }))),
    ...exceptionDeploysIn(incidents.left),
  ];
  const mergeBacks = [...threads.flatMap(({ issue, thread }) => thread.mergeBacks.map((item) => ({ incident: issue.number, sha: item.sha, issue: item.issue }))), ...leftMergeBacks(incidents.left)];
  const rcas = threads.flatMap(({ issue, thread }) => (thread.rca ? [{ incident: issue.number, issue: thread.rca.issue }] : []));
  // An issue of the app's missing from its whole list of the window was untouched since the window began: an RCA
  // opened before counts for nothing (only a cut list leaves RCAs to read); a merge-back issue, only for a deploy of the window.
  const deployed = new Set(exceptionDeploys.filter((d) => Date.parse(d.deployedAt) >= Date.parse(since)).map((d) => itemKey(d.incident, d.sha)));
  const named = await readNamedIssues(client, reader, own, [
    ...mergeBacks.filter((item) => deployed.has(itemKey(item.incident, item.sha))).map((item) => item.issue),
    ...(own.complete ? [] : rcas.map((rca) => rca.issue)),
  ]);
  const cut: Cut = {
    ...(incidents.commentsComplete ? {} : { comments: REPORT_COMMENT_PAGES * COMMENTS_PER_PAGE }),
    ...(incidents.complete ? {} : { incidents: SPANNED_INCIDENT_LIMIT }),
    ...(mergeBacks.some((item) => named.unread.has(item.issue)) ? { mergeBacks: REPORT_ITEM_READS } : {}),
    ...(rcas.some((rca) => named.unread.has(rca.issue)) ? { rcas: REPORT_ITEM_READS } : {}),
  };
  const cascade = new Set(findCascade(cascadeDeploys(threads, incidents.left), config.cascade.windowHours)?.incidents);
  return {
    now,
    incidents: threads.map(({ issue, thread }) => ({
      number: issue.number,
      title: issue.title,
      openedAt: issue.created_at,
      closedAt: issue.closed_at,
      cascade: cascade.has(issue.number),
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
    exceptionDeploys,
    mergeBacks: mergeBacks.flatMap(({ incident, sha, issue: number }) => {
      const issue = named.issues.get(number);
      return issue ? [{ incident, sha, openedAt: issue.created_at, doneAt: issue.state === "closed" ? issue.closed_at : null }] : [];
    }),
    rcas: rcas.flatMap(({ incident, issue: number }) => {
      const issue = named.issues.get(number);
      if (!issue) return [];
      const done = checkRca({ body: issue.body ?? null, closed: issue.state === "closed", requiredSections: config.rca.requiredSections }).done;
      return [{ incident, openedAt: issue.created_at, doneAt: done ? issue.closed_at : null, dueDays: config.rca.dueDays }];
    }),
    rollbacks: threads.flatMap(({ issue, thread }) => thread.rollbacks.map((r) => ({ incident: issue.number, at: r.at }))),
    postMergeReviews,
    cut,
    config: configHistory,
  };
}

/** Records about a post-merge review name the review's own issue, never an incident. */
const REVIEW_KINDS: ReadonlySet<RecordKind> = new Set(["post-merge-review", "post-merge-reviewed"]);

/**
 * The incidents the app's records of the window name, with their threads: those it became an
 * incident in, and older ones it recorded something about since (an exception, a deploy, a
 * rollback, a force-close, a reminder: all that counts in the window). Never by label: a triager
 * can take one off. The SPANNED_INCIDENT_LIMIT named latest are read, each while it is an issue of
 * this repository; `complete` false when more were named or a thread was longer than is read,
 * `commentsComplete` false when the window held more comments than are read. `left`: the window's
 * records of incidents that are no issue here any more (transferred): their exception deploys, as
 * the app wrote them again in this repository.
 */
async function readIncidentsSince(client: RepoClient, reader: RecordReader, since: string) {
  const found = await readRecordsSince(client, reader, since, REPORT_COMMENT_PAGES);
  const named = [...new Set(found.records.filter((r) => !REVIEW_KINDS.has(r.kind)).map((r) => r.incident))];
  const read = await Promise.all(named.slice(0, SPANNED_INCIDENT_LIMIT).map(async (number) => ({ number, incident: await readIncident(client, number, reader) })));
  const here = read.flatMap(({ incident }) => (incident === "gone" || incident === undefined ? [] : [incident]));
  const gone = new Set(read.filter(({ incident }) => incident === "gone").map(({ number }) => number));
  return {
    read: here.filter(({ thread }) => thread.isIncident),
    left: found.records.filter((r) => gone.has(r.incident)),
    complete: named.length <= SPANNED_INCIDENT_LIMIT && here.every(({ thread }) => thread.complete),
    commentsComplete: found.complete,
  };
}

/** The issue and its thread; "gone" when it is no issue of this repository any more, undefined for a pull request. */
async function readIncident(client: RepoClient, number: number, reader: RecordReader): Promise<{ issue: IssueLike; thread: IncidentThread } | "gone" | undefined> {
  const issue = await getIssueHere(client, number);
  if (!issue) return "gone";
  if (issue.pull_request) return undefined;
  return { issue, thread: await readIncidentThread(client, issue, reader) };
}

/** An incident's merge-back item by its commit, however a record cased the sha. */
function itemKey(incident: number, sha: string): string {
  return `${incident}:${sha.toLowerCase()}`;
}

/** The merge-back items the deploy records of incidents that left name (their own item records went with them). */
function leftMergeBacks(left: readonly AppRecord[]): Array<{ incident: number; sha: string; issue: number }> {
  return [...recordsOf(left, "deploy"), ...recordsOf(left, "deployed")].flatMap((r) => (r.fields.issue === undefined ? [] : [{ incident: r.incident, sha: r.fields.sha, issue: r.fields.issue }]));
}

/**
 * The deploys under exceptions the cascade rule is applied to (SPEC 11: record-exception-deploy.ts
 * labels incidents by the same rule when each deploy is recorded; the label is a view): every
 * incident read, and those that left, whose deploys were hotfixes here.
 */
function cascadeDeploys(threads: ReadonlyArray<{ issue: IssueLike; thread: IncidentThread }>, left: readonly AppRecord[]): ExceptionDeploy[] {
  const ofIncident = (incident: number, records: Pick<IncidentRecords, "deploys" | "deployed">) => exceptionDeployments(records).map((d) => ({ incident, sha: d.sha, env: d.env, at: d.at }));
  const gone = [...new Set(left.map((r) => r.incident))];
  return [
    ...threads.flatMap(({ issue, thread }) => ofIncident(issue.number, thread.records)),
    ...gone.flatMap((incident) => {
      const mine = left.filter((r) => r.incident === incident);
      return ofIncident(incident, { deploys: recordsOf(mine, "deploy").map((r) => r.fields), deployed: recordsOf(mine, "deployed").map((r) => r.fields) });
    }),
  ];
}

/** The app's issues touched in the window, newest first; `complete` false when there were more than are read. */
type OwnIssues = { issues: IssueLike[]; complete: boolean };

/**
 * By GitHub's creator, which no one can change, and opened through this app (a person's issue with
 * a copied marker, or one a triager labelled, is none of them).
 */
async function readOwnIssues(client: RepoClient, reader: RecordReader, botLogin: string, since: string): Promise<OwnIssues> {
  const listed = await listOwnIssues(client, botLogin, since, REPORT_OWN_ISSUE_LIMIT + 1);
  return { issues: listed.slice(0, REPORT_OWN_ISSUE_LIMIT).filter((issue) => isOwnIssue(issue, reader.appId)), complete: listed.length <= REPORT_OWN_ISSUE_LIMIT };
}

/**
 * The app's own issues of this repository by number, for the merge-back and RCA issues the records
 * name: those of the list, and each of `wanted` the list does not hold read on its own, at most
 * REPORT_ITEM_READS (`unread`: those past the bound). An issue no longer here (transferred,
 * deleted), or one the app did not open, is absent: it times nothing.
 */
async function readNamedIssues(client: RepoClient, reader: RecordReader, own: OwnIssues, wanted: readonly number[]): Promise<{ issues: Map<number, IssueLike>; unread: Set<number> }> {
  const issues = new Map(own.issues.map((issue) => [issue.number, issue]));
  const missing = [...new Set(wanted)].filter((number) => !issues.has(number));
  const read = await Promise.all(missing.slice(0, REPORT_ITEM_READS).map((number) => getIssueHere(client, number)));
  for (const issue of read) if (issue && !issue.pull_request && isOwnIssue(issue, reader.appId)) issues.set(issue.number, issue);
  return { issues, unread: new Set(missing.slice(REPORT_ITEM_READS)) };
}

/**
 * The post-merge reviews of the window, as the close gate tells them (SPEC 8): among the issues
 * this app opened touched in it (GitHub's creator, which no one can change), newest first, those whose
 * body the signed `post-merge-review` record heads. Neither label nor marker picks them: the record
 * replaces the body the marker was in, and a triager can take the label off. A record an edit of
 * the body changed still makes a review, one no close finishes until the record is restored (the
 * gate reopens it); a record naming another place (copied, or transferred here) makes none. Only a
 * closed review can be done, and only `post-merge-reviewed` comments (written after the closer's
 * role was checked) say its close was a review: its thread is read, and no other.
 */
async function readPostMergeReviews(client: RepoClient, reader: RecordReader, own: OwnIssues): Promise<PostMergeReviews> {
  const opened = own.issues.flatMap((issue): Array<{ issue: IssueLike; record: ReviewRecord | undefined }> => {
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
  const complete = own.complete && opened.length <= REPORT_REVIEW_LIMIT && facts.every(({ comments }) => comments.length <= THREAD_COMMENT_LIMIT);
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
