import type { Config } from "../config.js";
import { readMarker } from "../markers.js";
import { exceptionDeployments, exceptionStates } from "../policy/exceptions.js";
import { checkRca } from "../policy/rca.js";
import { REPORT_DAYS, type ReportFacts } from "../policy/report.js";
import { hasLabel, type RepoClient } from "./client.js";
import { readConfigHistory } from "./config-history.js";
import { findMergeBackIssues, readIncidents } from "./incidents.js";
import { listIssuesWithLabel } from "./issues.js";
import type { RecordReader } from "./own-comments.js";

/**
 * The repository's last 90 days as GitHub records them: incidents touched in the window with
 * their records, every merge-back and RCA issue (their open and done times), and the changes
 * on main that weakened the config.
 */
export async function readReportFacts(client: RepoClient, config: Config, reader: RecordReader, now: Date, mainBranch: string): Promise<ReportFacts> {
  const since = new Date(now.getTime() - REPORT_DAYS * 86_400_000).toISOString();
  const [incidents, mergeBacks, rcas, configHistory] = await Promise.all([
    readIncidents(client, config.labels.incident, reader, since),
    findMergeBackIssues(client, config.labels.mergeBack, { state: "all" }),
    listIssuesWithLabel(client, config.labels.rca, { state: "all", since }),
    readConfigHistory(client, mainBranch, since),
  ]);
  return {
    now,
    incidents: incidents.map(({ issue, thread }) => ({
      number: issue.number,
      title: issue.title,
      openedAt: issue.created_at,
      closedAt: issue.closed_at,
      cascade: hasLabel(issue, config.labels.cascade),
      forceClosed: thread.forceClose !== undefined && issue.state === "closed",
    })),
    exceptions: incidents.flatMap(({ thread }) =>
      exceptionStates(thread.records, config.override.approvals, now).map((e) => ({ incident: e.incident, sha: e.sha, grantedAt: e.grantedAt, used: e.status === "used" })),
    ),
    exceptionDeploys: incidents.flatMap(({ issue, thread }) => exceptionDeployments(thread.records).map((d) => ({ incident: issue.number, sha: d.sha, deployedAt: d.at }))),
    mergeBacks: mergeBacks.map((i) => ({ incident: i.mergeBack.incident, sha: i.mergeBack.sha, openedAt: i.created_at, doneAt: i.state === "closed" ? i.closed_at : null })),
    rcas: rcas.flatMap((issue) => {
      const incident = readMarker(issue.body, "rca")?.incident;
      if (incident === undefined) return [];
      const done = checkRca({ body: issue.body ?? null, closed: issue.state === "closed", requiredSections: config.rca.requiredSections }).done;
      return [{ incident, openedAt: issue.created_at, doneAt: done ? issue.closed_at : null, dueDays: config.rca.dueDays }];
    }),
    config: configHistory,
  };
}
