export const REPORT_DAYS = 90;
/** The trend of exception deploys is told in periods of this many days (SPEC 11: "per 30 days over the last 90"). */
export const TREND_DAYS = 30;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export type ReportFacts = {
  now: Date;
  incidents: ReadonlyArray<{ number: number; title: string; openedAt: string; closedAt: string | null; cascade: boolean; forceClosed: boolean }>;
  /** `criterion`: the `hotfix.criteria` entry the grant recorded; absent when the list was empty (or before grants recorded it). */
  exceptions: ReadonlyArray<{ incident: number; sha: string; grantedAt: string; used: boolean; criterion?: string }>;
  /**
   * `skipped`: a commit already on main let past its promotion rule ("skipped staging"): an
   * exception deploy, for which no merge-back is owed.
   */
  exceptionDeploys: ReadonlyArray<{ incident: number; sha: string; deployedAt: string; skipped?: string }>;
  mergeBacks: ReadonlyArray<{ incident: number; sha: string; openedAt: string; doneAt: string | null }>;
  rcas: ReadonlyArray<{ incident: number; openedAt: string; doneAt: string | null; dueDays: number }>;
  /** `/incident rollback` deployments, as the incidents recorded them. */
  rollbacks?: ReadonlyArray<{ incident: number; at: string }>;
  /** Post-merge reviews (SPEC 11) as their own records tell them; absent: not read. */
  postMergeReviews?: PostMergeReviews;
  /** The lists a bound stopped (SPEC 8), each with its bound: what they feed is told as "at least" or "could not verify". */
  cut?: Cut;
  /** Changes of `.github/mainline.yml` on main that weakened it (SPEC 8); absent: not read. */
  config?: ConfigHistory;
};

/**
 * Which reads stopped at their bound. `comments`: more of the repository's comments in the window
 * than are read for the app's records (incidents whose records are all older are not found);
 * `incidents`: more incidents named by those records than are read (or a thread longer than is
 * read); `mergeBacks`, `rcas`: more of the merge-back or RCA issues the incidents' records name
 * than are read one by one (those the list of the app's own issues does not hold).
 */
export type Cut = { comments?: number; incidents?: number; mergeBacks?: number; rcas?: number };

/** The commits on main that weakened the config, newest first; `complete` false: a bound (`limit` changes) stopped the read. */
export type ConfigHistory = {
  weakened: ReadonlyArray<{ sha: string; author: string; date: string; weakenings: readonly string[] }>;
  complete: boolean;
  limit: number;
};

/**
 * A post-merge review as its issue's records tell it: opened (`post-merge-review`: the push's head,
 * who pushed, when) and each close the app judged done (`post-merge-reviewed`: the close's time).
 * `recordChanged`: an edit of the issue's body changed the opening record, so who pushed what is
 * unknown (`openedAt` is the issue's opening); it is a review still, which the close gate reopens
 * whoever closes it until the record is restored. `closedAt`: the issue's current close, null while it is open.
 */
export type PostMergeReviewFacts = { issue: number; openedAt: string; closedAt: string | null; reviewedCloses: readonly string[] } & ({ after: string; pusher: string } | { recordChanged: true });

/** The reviews found; `complete` false: a bound (the newest `limit` reviews) stopped the read. */
export type PostMergeReviews = { reviews: readonly PostMergeReviewFacts[]; complete: boolean; limit: number };

/** Something a retrospective should talk about, tied to its incident (for a post-merge review, its issue). */
export type NotableItem =
  | { kind: "force-closed"; incident: number }
  | { kind: "cascade"; incident: number }
  | { kind: "merge-back-open"; incident: number; sha: string; daysSinceDeploy: number }
  | { kind: "rca-overdue"; incident: number; daysOverdue: number }
  | { kind: "rca-late"; incident: number; daysLate: number }
  | { kind: "review-pending"; incident: number; sha: string; pusher: string; daysSincePush: number }
  | { kind: "review-record-changed"; incident: number; daysSinceOpened: number };

export type CriterionCount = { criterion: string | null; granted: number; used: number };

export type Report = {
  /** The window, as UTC dates. */
  from: string;
  to: string;
  incidents: number;
  incidentsOpen: number;
  exceptionsGranted: number;
  exceptionsUsed: number;
  /** The grants by the criterion they recorded (null: none), most granted first, no criterion last. */
  exceptionsByCriterion: CriterionCount[];
  /** Commits deployed under an exception (each commit once, however often it was redeployed). */
  exceptionDeploys: number;
  /** The same deploys per TREND_DAYS, oldest period first. */
  exceptionDeploysPerPeriod: number[];
  /** Over the deploys of commits off main only: a commit already on main owes no merge-back. */
  medianHoursDeployToMergeBack: number | null;
  mergeBacksDone: number;
  mergeBacksStillOpen: number;
  rcasOnTime: number;
  rcasDue: number;
  cascades: number;
  forceClosed: number;
  rollbacks: number;
  /** Counted from the latest deploy under an exception in the facts (the caller reads the last 90 days); null: none. */
  daysSinceLastHotfix: number | null;
  postMergeReviews?: { opened: number; done: number; complete: boolean; limit: number };
  notable: NotableItem[];
  /** Titles of the incidents the notable items name. */
  titles: Record<number, string>;
  cut: Cut;
  config?: ConfigHistory;
};

/**
 * The repository's last 90 days for `/mainline report` (SPEC sections 6 and 11). Each record counts
 * when it started in the window: an incident by its opening, an exception by its grant, a deploy by
 * its time, an RCA by its opening, a rollback by its command, a post-merge review by its push (one
 * whose record an edit changed, by its issue's opening).
 */
export function computeReport(facts: ReportFacts): Report {
  const now = facts.now.getTime();
  const start = now - REPORT_DAYS * DAY_MS;
  const inWindow = (at: string) => Date.parse(at) >= start;
  const incidents = facts.incidents.filter((i) => inWindow(i.openedAt));
  const exceptions = facts.exceptions.filter((e) => inWindow(e.grantedAt));
  const deploys = firstDeploys(facts.exceptionDeploys).filter((d) => inWindow(d.deployedAt));
  const rcas = facts.rcas.filter((r) => inWindow(r.openedAt)).map((r) => rcaTiming(r, facts));
  const reviews = (facts.postMergeReviews?.reviews ?? []).filter((r) => inWindow(r.openedAt));

  const mergeBackHours: number[] = [];
  const notable: NotableItem[] = [];
  // A commit already on main let past its promotion rule owes no merge-back: it is an exception deploy, never an open item.
  const owingMergeBack = deploys.filter((d) => d.skipped === undefined);
  for (const deploy of owingMergeBack) {
    const doneAt = facts.mergeBacks.find((m) => m.incident === deploy.incident && sameSha(m.sha, deploy.sha))?.doneAt ?? null;
    if (doneAt !== null) mergeBackHours.push(Math.max(0, Date.parse(doneAt) - Date.parse(deploy.deployedAt)) / HOUR_MS);
    else notable.push({ kind: "merge-back-open", incident: deploy.incident, sha: deploy.sha, daysSinceDeploy: wholeDays(now - Date.parse(deploy.deployedAt)) });
  }
  for (const rca of rcas) {
    if (rca.doneAt === null && rca.dueAt < now) notable.push({ kind: "rca-overdue", incident: rca.incident, daysOverdue: wholeDays(now - rca.dueAt) });
    if (rca.doneAt !== null && rca.doneAt > rca.dueAt) notable.push({ kind: "rca-late", incident: rca.incident, daysLate: wholeDays(rca.doneAt - rca.dueAt) });
  }
  for (const incident of incidents) {
    if (incident.forceClosed) notable.push({ kind: "force-closed", incident: incident.number });
    if (incident.cascade) notable.push({ kind: "cascade", incident: incident.number });
  }
  for (const review of reviews.filter((r) => !isReviewDone(r))) {
    const days = wholeDays(now - Date.parse(review.openedAt));
    notable.push(
      "recordChanged" in review
        ? { kind: "review-record-changed", incident: review.issue, daysSinceOpened: days }
        : { kind: "review-pending", incident: review.issue, sha: review.after, pusher: review.pusher, daysSincePush: days },
    );
  }
  notable.sort((a, b) => a.incident - b.incident || NOTABLE_ORDER.indexOf(a.kind) - NOTABLE_ORDER.indexOf(b.kind));

  // Within the window only: which older deploys the facts hold depends on what else their incidents saw.
  const lastHotfix = facts.exceptionDeploys.filter((d) => inWindow(d.deployedAt)).reduce((latest, d) => Math.max(latest, Date.parse(d.deployedAt)), -Infinity);
  const named = new Set(notable.map((item) => item.incident));
  return {
    from: isoDate(start),
    to: isoDate(now),
    incidents: incidents.length,
    incidentsOpen: incidents.filter((i) => i.closedAt === null).length,
    exceptionsGranted: exceptions.length,
    exceptionsUsed: exceptions.filter((e) => e.used).length,
    exceptionsByCriterion: countByCriterion(exceptions),
    exceptionDeploys: deploys.length,
    exceptionDeploysPerPeriod: perPeriod(deploys.map((d) => Date.parse(d.deployedAt)), now),
    medianHoursDeployToMergeBack: median(mergeBackHours),
    mergeBacksDone: mergeBackHours.length,
    mergeBacksStillOpen: owingMergeBack.length - mergeBackHours.length,
    rcasOnTime: rcas.filter((r) => r.doneAt !== null && r.doneAt <= r.dueAt).length,
    rcasDue: rcas.filter((r) => r.doneAt !== null || r.dueAt < now).length,
    cascades: incidents.filter((i) => i.cascade).length,
    forceClosed: incidents.filter((i) => i.forceClosed).length,
    rollbacks: (facts.rollbacks ?? []).filter((r) => inWindow(r.at)).length,
    daysSinceLastHotfix: Number.isFinite(lastHotfix) ? wholeDays(now - lastHotfix) : null,
    ...(facts.postMergeReviews
      ? { postMergeReviews: { opened: reviews.length, done: reviews.filter(isReviewDone).length, complete: facts.postMergeReviews.complete, limit: facts.postMergeReviews.limit } }
      : {}),
    notable,
    titles: Object.fromEntries(facts.incidents.filter((i) => named.has(i.number)).map((i) => [i.number, i.title])),
    cut: facts.cut ?? {},
    ...(facts.config ? { config: { ...facts.config, weakened: facts.config.weakened.filter((c) => inWindow(c.date)) } } : {}),
  };
}

const NOTABLE_ORDER: ReadonlyArray<NotableItem["kind"]> = ["force-closed", "cascade", "merge-back-open", "rca-overdue", "rca-late", "review-pending", "review-record-changed"];

/**
 * The first deploy of each (incident, commit): the clock for its merge-back starts when the
 * commit first ran off main, and a redeploy of the same commit is not another hotfix.
 */
export function firstDeploys(deploys: ReportFacts["exceptionDeploys"]): ReportFacts["exceptionDeploys"] {
  const first = new Map<string, ReportFacts["exceptionDeploys"][number]>();
  for (const deploy of [...deploys].sort((a, b) => Date.parse(a.deployedAt) - Date.parse(b.deployedAt))) {
    const key = `${deploy.incident}:${deploy.sha.toLowerCase()}`;
    if (!first.has(key)) first.set(key, deploy);
  }
  return [...first.values()];
}

/**
 * A post-merge review is done when its current close is one the app judged done (its
 * `post-merge-reviewed` record names that close): a person other than the pusher with write role
 * closed it. Not from the issue's state alone: a close by anyone else is reopened, and a review
 * reopened after it was done is under review again until a permitted person closes it once more.
 */
export function isReviewDone(review: Pick<PostMergeReviewFacts, "closedAt" | "reviewedCloses">): boolean {
  const closed = review.closedAt;
  return closed !== null && review.reviewedCloses.some((at) => Date.parse(at) === Date.parse(closed));
}

/**
 * Exception deploys per TREND_DAYS, oldest period first. As the hotfix budget counts them, the
 * latest period includes its start (a deploy exactly 30 days ago is in "the last 30 days"), and so
 * does each older one; the oldest starts where the window does.
 */
export function perPeriod(times: readonly number[], now: number): number[] {
  const periods = Math.ceil(REPORT_DAYS / TREND_DAYS);
  const counts = new Array<number>(periods).fill(0);
  for (const at of times) {
    const age = Math.max(0, now - at);
    const index = Math.min(periods - 1, Math.max(0, Math.ceil(age / (TREND_DAYS * DAY_MS)) - 1));
    counts[periods - 1 - index]! += 1;
  }
  return counts;
}

/** Grants by criterion, matched regardless of case (spelled as the latest grant spelled it). */
function countByCriterion(exceptions: ReportFacts["exceptions"]): CriterionCount[] {
  const counts = new Map<string, CriterionCount>();
  for (const grant of [...exceptions].sort((a, b) => a.grantedAt.localeCompare(b.grantedAt))) {
    const key = grant.criterion === undefined ? "" : `:${grant.criterion.toLowerCase()}`;
    const count = counts.get(key) ?? { criterion: null, granted: 0, used: 0 };
    counts.set(key, { criterion: grant.criterion ?? null, granted: count.granted + 1, used: count.used + (grant.used ? 1 : 0) });
  }
  return [...counts.values()].sort(
    (a, b) => Number(a.criterion === null) - Number(b.criterion === null) || b.granted - a.granted || (a.criterion ?? "").localeCompare(b.criterion ?? ""),
  );
}

type RcaTiming = { incident: number; dueAt: number; doneAt: number | null };

/** An RCA is due `dueDays` after its incident opened (its own opening when the incident is not known). */
function rcaTiming(rca: ReportFacts["rcas"][number], facts: ReportFacts): RcaTiming {
  const opened = facts.incidents.find((i) => i.number === rca.incident)?.openedAt ?? rca.openedAt;
  return { incident: rca.incident, dueAt: Date.parse(opened) + rca.dueDays * DAY_MS, doneAt: rca.doneAt === null ? null : Date.parse(rca.doneAt) };
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function sameSha(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function wholeDays(ms: number): number {
  return Math.max(0, Math.floor(ms / DAY_MS));
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
