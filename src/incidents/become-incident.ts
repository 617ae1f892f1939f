import type { RepoScope } from "../delivery/repo-context.js";
import type { IssueLike } from "../github/client.js";
import { readIncidentThread } from "../github/incidents.js";
import { createIssue, listIssuesWithLabel } from "../github/issues.js";
import { writeRecord } from "../github/write-record.js";
import { marker, readMarker } from "../markers.js";
import { rcaBody } from "../policy/rca.js";
import { quietLogin } from "../policy/text.js";
import { issueTitles } from "../public-names.js";
import type { RecordFields } from "../records.js";
import { isOwnIssue } from "../github/own-comments.js";
import type { Deps } from "../delivery/deps.js";
import { viewIncident } from "./incident-view.js";
import { refreshLedger } from "./refresh-ledger.js";

/** Who made the issue an incident, and how: written as its record the first time. */
export type BecameIncident = Omit<RecordFields<"incident">, "at" | "rca">;

/**
 * What becoming an incident means: its record, an RCA issue linked to it (and recorded), and
 * its ledger comment. Each is found again before anything is written, so this can run any
 * number of times for one incident. Without `how`, only an issue the records already call an
 * incident is brought up to date (a label alone makes nothing an incident here).
 */
export async function becomeIncident(repo: RepoScope, incident: IssueLike, deps: Deps, how?: BecameIncident): Promise<boolean> {
  const { client, config, mainBranch } = repo;
  const thread = await readIncidentThread(client, incident, deps.records);
  if (!thread.isIncident && !how) return false;
  let view = await viewIncident(repo, incident, deps);
  if (!view.rcaIssue) {
    const rca = (await adoptableRca(repo, incident, deps, thread.rca?.issue)) ?? (await openRca(repo, incident));
    const at = repo.now().toISOString();
    const where = { incident: incident.number };
    if (thread.isIncident) {
      await writeRecord(client, deps.records.key, where, "rca", { issue: rca.number, at }, `📝 The RCA is now #${rca.number} (#${thread.rca?.issue} left this repository): this incident cannot close before it is written and closed.`);
    } else {
      const by = how!;
      const via = by.via === "label" ? `added the \`${config.labels.incident}\` label` : by.via === "command" ? "ran `/incident`" : "deployed without approval";
      await writeRecord(client, deps.records.key, where, "incident", { ...by, at, rca: rca.number }, `🚨 This issue is an incident: ${quietLogin(by.by)} ${via}. It closes when its fixes are on \`${mainBranch}\` and its RCA, #${rca.number}, is written.`);
    }
    view = await viewIncident(repo, incident, deps);
  }
  await refreshLedger(repo, view, deps);
  return true;
}

function openRca({ client, config }: RepoScope, incident: IssueLike): Promise<IssueLike> {
  return createIssue(client, {
    title: issueTitles.rca(incident.title).slice(0, 256),
    body: rcaBody({
      incidentNumber: incident.number,
      incidentTitle: incident.title,
      requiredSections: config.rca.requiredSections,
      marker: marker("rca", { incident: incident.number }),
    }),
    labels: [config.labels.rca],
    assignees: (incident.assignees ?? []).map((a) => a.login),
  });
}

/**
 * An RCA issue this app opened for the incident whose record was never written (a delivery that
 * failed in between): taken instead of opening a second one. Only the app's own issues count,
 * and never the one a record already named and that left the repository.
 */
async function adoptableRca({ client, config }: RepoScope, incident: IssueLike, deps: Deps, gone: number | undefined): Promise<IssueLike | undefined> {
  const candidates = await listIssuesWithLabel(client, config.labels.rca, { state: "all", since: incident.created_at });
  return candidates
    .filter((issue) => isOwnIssue(issue, deps.appId))
    .filter((issue) => issue.number !== gone && readMarker(issue.body, "rca")?.incident === incident.number)
    .sort((a, b) => a.number - b.number)[0];
}
