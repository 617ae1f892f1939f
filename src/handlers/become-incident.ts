import type { Config } from "../config.js";
import type { IssueLike, RepoClient } from "../github/client.js";
import { createIssue, retireDuplicate } from "../github/issues.js";
import { marker } from "../markers.js";
import { rcaBody } from "../policy/rca.js";
import type { Deps } from "./deps.js";
import { viewIncident } from "./incident-view.js";
import { refreshLedger } from "./refresh-ledger.js";

/**
 * What becoming an incident means: an RCA issue linked to it, and its ledger comment. Both are
 * found again before anything is written, so this can run any number of times for one incident.
 */
export async function becomeIncident(client: RepoClient, config: Config, mainBranch: string, incident: IssueLike, deps: Deps): Promise<void> {
  let view = await viewIncident(client, config, mainBranch, incident, deps);
  if (!view.rcaIssue) {
    const created = await createIssue(client, {
      title: `RCA: ${incident.title}`.slice(0, 256),
      body: rcaBody({
        incidentNumber: incident.number,
        incidentTitle: incident.title,
        requiredSections: config.rca.requiredSections,
        marker: marker("rca", { incident: incident.number }),
      }),
      labels: [config.labels.rca],
      assignees: (incident.assignees ?? []).map((a) => a.login),
    });
    view = await viewIncident(client, config, mainBranch, incident, deps);
    // A concurrent delivery may have opened one too: the oldest is the RCA, the other retires.
    if (view.rcaIssue && view.rcaIssue.number !== created.number) await retireDuplicate(client, created.number, view.rcaIssue.number);
  }
  await refreshLedger(client, config, view, deps);
}
