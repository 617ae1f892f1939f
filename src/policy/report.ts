import { CONFIG_PATH } from "../config.js";
import { escapeUserText, quietLogin, shortSha } from "./text.js";

export const REPORT_DAYS = 90;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export type ReportFacts = {
  now: Date;
  incidents: ReadonlyArray<{ number: number; title: string; openedAt: string; closedAt: string | null; cascade: boolean; forceClosed: boolean }>;
  exceptions: ReadonlyArray<{ incident: number; sha: string; grantedAt: string; used: boolean }>;
  exceptionDeploys: ReadonlyArray<{ incident: number; sha: string; deployedAt: string }>;
  mergeBacks: ReadonlyArray<{ incident: number; sha: string; openedAt: string; doneAt: string | null }>;
  rcas: ReadonlyArray<{ incident: number; openedAt: string; doneAt: string | null; dueDays: number }>;
  /** Changes of `.github/mainline.yml` on main that weakened it (SPEC 8); absent: not read. */
  config?: ConfigHistory;
};

/** The commits on main that weakened the config, newest first; `complete` false: a bound (`limit` changes) stopped the read. */
export type ConfigHistory = {
  weakened: ReadonlyArray<{ sha: string; author: string; date: string; weakenings: readonly string[] }>;
  complete: boolean;
  limit: number;
};

/** Something a retrospective should talk about, tied to its incident. */
export type NotableItem =
  | { kind: "force-closed"; incident: number }
  | { kind: "cascade"; incident: number }
  | { kind: "merge-back-open"; incident: number; sha: string; daysSinceDeploy: number }
  | { kind: "rca-overdue"; incident: number; daysOverdue: number }
  | { kind: "rca-late"; incident: number; daysLate: number };

export type Report = {
  /** The window, as UTC dates. */
  from: string;
  to: string;
  incidents: number;
  incidentsOpen: number;
  exceptionsGranted: number;
  exceptionsUsed: number;
  /** Commits deployed under an exception (each commit once, however often it was redeployed). */
  exceptionDeploys: number;
  medianHoursDeployToMergeBack: number | null;
  mergeBacksStillOpen: number;
  rcasOnTime: number;
  rcasDue: number;
  cascades: number;
  forceClosed: number;
  /** Counted from the latest deploy under an exception in the facts (the caller reads the last 90 days); null: none. */
  daysSinceLastHotfix: number | null;
  notable: NotableItem[];
  /** Titles of the incidents the notable items name. */
  titles: Record<number, string>;
  config?: ConfigHistory;
};

/**
 * The repository's last 90 days for `/mainline report` (SPEC section 6). Each record counts when
 * it started in the window: an incident by its opening, an exception by its grant, a deploy by
 * its time, an RCA by its opening.
 */
export function computeReport(facts: ReportFacts): Report {
  const now = facts.now.getTime();
  const start = now - REPORT_DAYS * DAY_MS;
  const inWindow = (at: string) => Date.parse(at) >= start;
  const incidents = facts.incidents.filter((i) => inWindow(i.openedAt));
  const exceptions = facts.exceptions.filter((e) => inWindow(e.grantedAt));
  const deploys = firstDeploys(facts.exceptionDeploys).filter((d) => inWindow(d.deployedAt));
  const rcas = facts.rcas.filter((r) => inWindow(r.openedAt)).map((r) => rcaTiming(r, facts));

  const mergeBackHours: number[] = [];
  const notable: NotableItem[] = [];
  for (const deploy of deploys) {
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
    exceptionDeploys: deploys.length,
    medianHoursDeployToMergeBack: median(mergeBackHours),
    mergeBacksStillOpen: deploys.length - mergeBackHours.length,
    rcasOnTime: rcas.filter((r) => r.doneAt !== null && r.doneAt <= r.dueAt).length,
    rcasDue: rcas.filter((r) => r.doneAt !== null || r.dueAt < now).length,
    cascades: incidents.filter((i) => i.cascade).length,
    forceClosed: incidents.filter((i) => i.forceClosed).length,
    daysSinceLastHotfix: Number.isFinite(lastHotfix) ? wholeDays(now - lastHotfix) : null,
    notable,
    titles: Object.fromEntries(facts.incidents.filter((i) => named.has(i.number)).map((i) => [i.number, i.title])),
    ...(facts.config ? { config: { ...facts.config, weakened: facts.config.weakened.filter((c) => inWindow(c.date)) } } : {}),
  };
}

const NOTABLE_ORDER: ReadonlyArray<NotableItem["kind"]> = ["force-closed", "cascade", "merge-back-open", "rca-overdue", "rca-late"];

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

/** The report as markdown a team lead can paste into a retrospective. */
export function renderReport(report: Report, repoFullName: string): string {
  const rows: Array<[string, string]> = [
    ["Incidents", `${report.incidents}${report.incidentsOpen > 0 ? ` (${report.incidentsOpen} still open)` : ""}`],
    ["Exceptions granted", `${report.exceptionsGranted}${report.exceptionsGranted > 0 ? ` (${report.exceptionsUsed} used)` : ""}`],
    ["Commits deployed under an exception", String(report.exceptionDeploys)],
    ["Median time from exception deploy to merge-back", mergeBackCell(report)],
    ["RCAs done on time", report.rcasDue === 0 ? "none due yet" : `${report.rcasOnTime} of ${report.rcasDue} due`],
    ["Incidents in a hotfix cascade", String(report.cascades)],
    ["Incidents force-closed", String(report.forceClosed)],
    ["Days since the last hotfix", report.daysSinceLastHotfix === null ? `none in the last ${REPORT_DAYS} days` : String(report.daysSinceLastHotfix)],
  ];
  const notable = report.notable.length === 0 ? ["Nothing to follow up."] : ["**To follow up:**", ...followUps(report)];
  return [
    `### mainline report: ${escapeUserText(repoFullName, 200)}`,
    `The last ${REPORT_DAYS} days, ${report.from} to ${report.to} (UTC).`,
    [`| | last ${REPORT_DAYS} days |`, "| --- | --- |", ...rows.map(([what, value]) => `| ${what} | ${value} |`)].join("\n"),
    notable.join("\n"),
    ...configSection(report.config),
  ].join("\n\n");
}

/** A line per commit that weakened the config; nothing when none did and the read was whole. */
function configSection(config: ConfigHistory | undefined): string[] {
  if (!config || (config.weakened.length === 0 && config.complete)) return [];
  const lines = config.weakened.map((c) => `- \`${shortSha(c.sha)}\` by ${quietLogin(c.author)} (${c.date.slice(0, 10)}): ${c.weakenings.join("; ")}`);
  const unverified = config.complete ? [] : [`- could not verify changes older than the latest ${config.limit} of \`${CONFIG_PATH}\``];
  return [["**Weakenings of the config on main:**", ...lines, ...unverified].join("\n")];
}

function mergeBackCell(report: Report): string {
  const open = report.mergeBacksStillOpen > 0 ? `${report.mergeBacksStillOpen} still open` : "";
  if (report.medianHoursDeployToMergeBack === null) return report.exceptionDeploys === 0 ? "no exception deploys" : `none done yet (${open})`;
  const median = `${formatHours(report.medianHoursDeployToMergeBack)} (${report.exceptionDeploys - report.mergeBacksStillOpen} done`;
  return `${median}${open ? `, ${open}` : ""})`;
}

function formatHours(hours: number): string {
  const rounded = Math.round(hours * 10) / 10;
  return `${rounded} ${rounded === 1 ? "hour" : "hours"}`;
}

/** One line per incident, its notable items in a fixed order. */
function followUps(report: Report): string[] {
  const byIncident = new Map<number, NotableItem[]>();
  for (const item of report.notable) byIncident.set(item.incident, [...(byIncident.get(item.incident) ?? []), item]);
  return [...byIncident].map(([incident, items]) => {
    const title = report.titles[incident];
    return `- #${incident}${title === undefined ? "" : ` ${escapeUserText(title, 100)}`}: ${items.map(describe).join("; ")}`;
  });
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
  }
}

function days(n: number): string {
  return n === 0 ? "less than a day" : `${n} ${n === 1 ? "day" : "days"}`;
}
