import { CONFIG_PATH } from "../public-names.js";
import { REPORT_DAYS, TREND_DAYS, type ConfigHistory, type CriterionCount, type NotableItem, type Report } from "./report.js";
import { codeSpan, escapeUserText, quietLogin, shortSha } from "./text.js";

/**
 * How much of each open-ended part the report shows: however many incidents, criteria or config
 * changes there are, the reply stays well within GitHub's 65,536 characters of a comment (other
 * commands of the same comment answer in it too).
 */
const SHOWN = { followUps: 20, itemsPerFollowUp: 5, criteria: 10, weakeningsPerChange: 6, weakeningCharacters: 300 };

/** The report as markdown a team lead can paste into a retrospective. */
export function renderReport(report: Report, repoFullName: string): string {
  const notable = report.notable.length === 0 ? ["Nothing to follow up."] : ["**To follow up:**", ...followUps(report)];
  return [
    `### mainline report: ${escapeUserText(repoFullName, 200)}`,
    `The last ${REPORT_DAYS} days, ${report.from} to ${report.to} (UTC).`,
    [`| | last ${REPORT_DAYS} days |`, "| --- | --- |", ...figureRows(report).map(([what, value]) => `| ${what} | ${value} |`)].join("\n"),
    ...criteriaSection(report),
    notable.join("\n"),
    ...configSection(report.config),
    ...unverifiedSection(report),
  ].join("\n\n");
}

function figureRows(report: Report): Array<[string, string]> {
  const fromIncidents = (n: number) => atLeast(n, allIncidentsRead(report));
  const rows: Array<[string, string]> = [
    ["Incidents", `${fromIncidents(report.incidents)}${report.incidentsOpen > 0 ? ` (${fromIncidents(report.incidentsOpen)} still open)` : ""}`],
    ["Exceptions granted", `${fromIncidents(report.exceptionsGranted)}${report.exceptionsGranted > 0 ? ` (${fromIncidents(report.exceptionsUsed)} used)` : ""}`],
    ["Commits deployed under an exception", fromIncidents(report.exceptionDeploys)],
    [`Exception deploys per ${TREND_DAYS} days, oldest first`, `${allIncidentsRead(report) ? "" : "at least "}${report.exceptionDeploysPerPeriod.join(", ")}`],
    ["Median time from exception deploy to merge-back", mergeBackCell(report)],
    ["RCAs done on time", rcaCell(report)],
    ["Incidents in a hotfix cascade", fromIncidents(report.cascades)],
    ["Incidents force-closed", fromIncidents(report.forceClosed)],
    ["Rollbacks from incidents", fromIncidents(report.rollbacks)],
    ["Days since the last hotfix", lastHotfixCell(report)],
  ];
  const reviews = report.postMergeReviews;
  if (reviews) rows.push(["Post-merge reviews (pushes to main that no pull request merged)", `${atLeast(reviews.opened, reviews.complete)} opened, ${atLeast(reviews.done, reviews.complete)} done`]);
  return rows;
}

/** Whether every incident the window's records name was read, each thread whole. */
function allIncidentsRead(report: Report): boolean {
  return report.cut.comments === undefined && report.cut.incidents === undefined;
}

function atLeast(n: number, exact: boolean): string {
  return exact ? String(n) : `at least ${n}`;
}

function mergeBackCell(report: Report): string {
  if (!allIncidentsRead(report) || report.cut.mergeBacks !== undefined) return "could not verify";
  const open = report.mergeBacksStillOpen > 0 ? `${report.mergeBacksStillOpen} still open` : "";
  if (report.exceptionDeploys === 0) return "no exception deploys";
  if (report.mergeBacksDone + report.mergeBacksStillOpen === 0) return "none owed (each commit deployed under an exception was on main)";
  if (report.medianHoursDeployToMergeBack === null) return `none done yet (${open})`;
  const median = `${formatHours(report.medianHoursDeployToMergeBack)} (${report.mergeBacksDone} done`;
  return `${median}${open ? `, ${open}` : ""})`;
}

/** The RCAs are those of the incidents read: with an incident unread, neither count is known. */
function rcaCell(report: Report): string {
  if (!allIncidentsRead(report) || report.cut.rcas !== undefined) return "could not verify";
  return report.rcasDue === 0 ? "none due yet" : `${report.rcasOnTime} of ${report.rcasDue} due`;
}

/** Incidents not read may hold a later hotfix: then the days are at most these. */
function lastHotfixCell(report: Report): string {
  if (allIncidentsRead(report)) return report.daysSinceLastHotfix === null ? `none in the last ${REPORT_DAYS} days` : String(report.daysSinceLastHotfix);
  return report.daysSinceLastHotfix === null ? "could not verify" : `at most ${report.daysSinceLastHotfix}`;
}

function formatHours(hours: number): string {
  const rounded = Math.round(hours * 10) / 10;
  return `${rounded} ${rounded === 1 ? "hour" : "hours"}`;
}

/** The grants of the window by the criterion their reason began with; nothing when there were none. */
function criteriaSection(report: Report): string[] {
  if (report.exceptionsByCriterion.length === 0) return [];
  const exact = allIncidentsRead(report);
  const line = (what: string, { granted, used }: Pick<CriterionCount, "granted" | "used">) => `- ${what}: ${atLeast(granted, exact)} granted, ${atLeast(used, exact)} used`;
  const named = report.exceptionsByCriterion.filter((c) => c.criterion !== null);
  const shown = named.slice(0, SHOWN.criteria);
  const rest = named.slice(SHOWN.criteria);
  const without = report.exceptionsByCriterion.find((c) => c.criterion === null);
  return [
    [
      "**Exceptions by criterion:**",
      ...shown.map((c) => line(codeSpan(c.criterion!, 50), c)),
      ...(rest.length > 0 ? [line(`${rest.length} more ${rest.length === 1 ? "criterion" : "criteria"}`, sum(rest))] : []),
      ...(without ? [line("no criterion (granted while `hotfix.criteria` was empty)", without)] : []),
    ].join("\n"),
  ];
}

function sum(counts: readonly CriterionCount[]): Pick<CriterionCount, "granted" | "used"> {
  return { granted: counts.reduce((n, c) => n + c.granted, 0), used: counts.reduce((n, c) => n + c.used, 0) };
}

/** A line per commit that weakened the config; nothing when none did and the read was whole. */
function configSection(config: ConfigHistory | undefined): string[] {
  if (!config || (config.weakened.length === 0 && config.complete)) return [];
  const lines = config.weakened.map((c) => `- \`${shortSha(c.sha)}\` by ${quietLogin(c.author)} (${c.date.slice(0, 10)}): ${weakeningsText(c.weakenings)}`);
  const unverified = config.complete ? [] : [`- could not verify changes older than the latest ${config.limit} of \`${CONFIG_PATH}\``];
  return [["**Weakenings of the config on main:**", ...lines, ...unverified].join("\n")];
}

function weakeningsText(weakenings: readonly string[]): string {
  const shown = weakenings.slice(0, SHOWN.weakeningsPerChange).map((w) => clipSentence(w, SHOWN.weakeningCharacters));
  const more = weakenings.length - shown.length;
  return [...shown, ...(more > 0 ? [`and ${more} more`] : [])].join("; ");
}

/** A sentence of the app's own cut to about `max` characters; a code span it cuts is closed (they hold no backtick). */
function clipSentence(sentence: string, max: number): string {
  if (sentence.length <= max) return sentence;
  const cut = sentence.slice(0, max - 2);
  const insideCode = (cut.split("`").length - 1) % 2 === 1;
  return `${cut}…${insideCode ? "`" : ""}`;
}

/** Why a figure says "at least" or "could not verify": the reads a bound stopped. */
function unverifiedSection(report: Report): string[] {
  const { comments, incidents, mergeBacks, rcas } = report.cut;
  const lines = [
    ...(comments !== undefined ? [`- incidents whose records are not among the latest ${comments} comments of these ${REPORT_DAYS} days (the most mainline reads)`] : []),
    ...(incidents !== undefined ? [`- incidents past the ${incidents} mainline reads (those with its latest records in these ${REPORT_DAYS} days, each thread up to its bound)`] : []),
    ...(mergeBacks !== undefined ? [`- merge-back issues past the ${mergeBacks} mainline reads`] : []),
    ...(rcas !== undefined ? [`- RCA issues past the ${rcas} mainline reads`] : []),
    ...(report.postMergeReviews && !report.postMergeReviews.complete ? [`- post-merge reviews past the newest ${report.postMergeReviews.limit} mainline reads`] : []),
  ];
  return lines.length === 0 ? [] : [["**Could not verify:**", ...lines].join("\n")];
}

/** One line per incident (or post-merge review), its notable items in a fixed order; the first SHOWN.followUps of them. */
function followUps(report: Report): string[] {
  const byIncident = new Map<number, NotableItem[]>();
  for (const item of report.notable) byIncident.set(item.incident, [...(byIncident.get(item.incident) ?? []), item]);
  const lines = [...byIncident].slice(0, SHOWN.followUps).map(([incident, items]) => {
    const title = report.titles[incident];
    const shown = items.slice(0, SHOWN.itemsPerFollowUp).map(describe);
    const more = items.length > shown.length ? [`and ${items.length - shown.length} more`] : [];
    return `- #${incident}${title === undefined ? "" : ` ${escapeUserText(title, 100)}`}: ${[...shown, ...more].join("; ")}`;
  });
  const rest = byIncident.size - lines.length;
  return rest > 0 ? [...lines, `- and ${rest} more ${rest === 1 ? "issue" : "issues"} to follow up`] : lines;
}

function describe(item: NotableItem): string {
  switch (item.kind) {
    case "force-closed":
      return "force-closed";
    case "cascade":
      return "part of a hotfix cascade";
    case "merge-back-open":
      return `merge-back of \`${shortSha(item.sha)}\` still open, ${days(item.daysSinceDeploy)} after its deploy`;
    case "rca-overdue":
      return `RCA overdue by ${days(item.daysOverdue)}`;
    case "rca-late":
      return `RCA done ${days(item.daysLate)} late`;
    case "review-pending":
      return `post-merge review not done: ${quietLogin(item.pusher)} pushed \`${shortSha(item.sha)}\` ${days(item.daysSincePush)} ago`;
    case "review-record-changed":
      return `post-merge review not done, opened ${days(item.daysSinceOpened)} ago: an edit changed the first line of its description, mainline's record of who pushed, and no close counts until it is restored`;
  }
}

function days(n: number): string {
  return n === 0 ? "less than a day" : `${n} ${n === 1 ? "day" : "days"}`;
}
