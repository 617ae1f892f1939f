import type { ExceptionDeployment } from "./exceptions.js";
import { escapeUserText, quietLogin, shortSha } from "./text.js";

/** The title of the issue that keeps a transferred incident's exception deploys here (a view: it is found again by its record). */
export function transferTrailTitle(incident: number): string {
  return `Incident #${incident} left this repository`;
}

export type TrailFacts = {
  incident: number;
  /** The issue that was transferred: the incident itself, or an issue that kept its deploys after an earlier transfer. */
  moved: number;
  /** GitHub's sender: who transferred it. */
  by: string;
  /** Where it went: the repository's full name and the issue's number and address there, as GitHub's webhook gives them. */
  to: { repository: string; number: number; url: string };
  deploys: readonly ExceptionDeployment[];
};

/** The trail issue's body under its record: who moved what where, and the exception deploys kept. */
export function transferTrailText(facts: TrailFacts): string {
  const what = facts.moved === facts.incident ? `Incident #${facts.incident}` : `#${facts.moved}, which kept the exception deploys of incident #${facts.incident} here,`;
  const where = `[${escapeUserText(`${facts.to.repository}#${facts.to.number}`, 300)}](${facts.to.url})`;
  return [
    `${what} left this repository: ${quietLogin(facts.by)} transferred it to ${where}. ` +
      "Its comments went with it, mainline's records among them, and a record counts only in the repository it was written in: there they count for nothing.",
    `The incident's exception deploys happened here all the same. mainline wrote their records again below, so that the hotfix budget (\`hotfix.budget\`) and \`/mainline report\` keep counting them:`,
    facts.deploys.map(deployLine).join("\n"),
    "Close this issue whenever you like: open or closed, the records below count.",
  ].join("\n\n");
}

function deployLine(d: ExceptionDeployment): string {
  const skipped = d.skipped ? `, skipping ${escapeUserText(d.skipped, 100)}` : "";
  const when = d.reached ? `reached it at ${d.at}` : `let through at ${d.at} (no success reported)`;
  return `- \`${shortSha(d.sha)}\` to ${escapeUserText(d.env, 100)}${skipped}, deployment ${d.deployment}: ${when}`;
}

/** The text under one record written again: what it records, and why it is here. */
export function keptRecordText(kind: "deploy" | "deployed", record: { sha: string; env: string; deployment: number; at: string }, incident: number, moved: number): string {
  const what = kind === "deploy" ? `was let through to ${escapeUserText(record.env, 100)}` : `reached ${escapeUserText(record.env, 100)} at ${record.at}`;
  return `🚀 \`${shortSha(record.sha)}\` ${what} under an exception in incident #${incident} (deployment ${record.deployment}): its record, written here again when #${moved} left this repository.`;
}
