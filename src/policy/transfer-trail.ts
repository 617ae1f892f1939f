import type { RecordFields } from "../records.js";
import type { ExceptionDeployment } from "./exceptions.js";
import { escapeUserText, quietLogin, shortSha } from "./text.js";

/** The title of the issue that keeps a transferred incident's exception deploys here (a view: it is found again by its record). */
export function transferTrailTitle(incident: number): string {
  return `Incident #${incident} left this repository`;
}

/** The title of the issue that keeps here the record that an issue left unread (a view, as above). */
export function unreadTrailTitle(moved: number): string {
  return `Issue #${moved} left this repository unread`;
}

/** Where an issue went, as GitHub's webhook gives it: the repository's full name and the issue's number and address there. */
export type Destination = { repository: string; number: number; url: string };

/** An `unread-transfer` record: issue `moved` (the record's incident) left for `to`, moved by `by`, without mainline seeing what it held. */
export type UnreadTransfer = RecordFields<"unread-transfer"> & { moved: number };

export type TrailFacts = {
  incident: number;
  /** The issue that was transferred: the incident itself, or an issue that kept its records after an earlier transfer. */
  moved: number;
  /** GitHub's sender: who transferred it. */
  by: string;
  to: Destination;
  deploys: readonly ExceptionDeployment[];
  /** Records that an issue left unread, which the moved issue kept (it was the issue opened for them). */
  unread: readonly UnreadTransfer[];
};

/** The trail issue's body under its record: who moved what where, and the records kept. */
export function transferTrailText(facts: TrailFacts): string {
  const onlyUnread = facts.deploys.length === 0 && facts.unread.length > 0;
  const held = onlyUnread ? `mainline's record that #${facts.incident} left unread` : `the exception deploys of incident #${facts.incident}${facts.unread.length > 0 ? " and the record that it left unread" : ""}`;
  const what = facts.moved === facts.incident ? `Incident #${facts.incident}` : `#${facts.moved}, which kept ${held} here,`;
  return [
    `${what} left this repository: ${quietLogin(facts.by)} transferred it to ${link(facts.to)}. ` +
      "Its comments went with it, mainline's records among them, and a record counts only in the repository it was written in: there they count for nothing.",
    ...(onlyUnread
      ? []
      : [
          `The incident's exception deploys happened here all the same. mainline wrote their records again below, so that the hotfix budget (\`hotfix.budget\`) and \`/mainline report\` keep counting them:`,
          facts.deploys.map(deployLine).join("\n"),
        ]),
    ...(facts.unread.length > 0
      ? [
          "mainline could not see what that issue held when it left: it may have held exception deploys. mainline wrote the record of it again below, " +
            "so that the hotfix budget (`hotfix.budget`) stays unverified for `hotfix.budget.days` after it left:",
          facts.unread.map(unreadLine).join("\n"),
        ]
      : []),
    "Close this issue whenever you like: open or closed, the records below count.",
  ].join("\n\n");
}

/** The body, under its record, of the issue opened for an issue that left without mainline seeing what it held. */
export function unreadTrailText(facts: { moved: number; by: string; to: Destination; read: "none" | "part" }): string {
  const why = facts.read === "none" ? ", a repository mainline cannot read (its app is not installed on it), so mainline could not see what it held" : ". It held more comments than mainline reads, so mainline could not see all of it";
  return [
    `#${facts.moved} left this repository: ${quietLogin(facts.by)} transferred it to ${link(facts.to)}${why}.`,
    "It may have been an incident, or an issue keeping one's exception deploys here, and taken its deploy records along. Labels are views: mainline cannot know it was not, " +
      "so any issue that leaves this way counts. For `hotfix.budget.days` from now, mainline cannot tell that the hotfix budget (`hotfix.budget`) is not spent, " +
      "and every new exception needs a second person's `/hotfix approve`. The record below says so.",
    "Close this issue whenever you like: open or closed, the record below counts.",
  ].join("\n\n");
}

function link(to: Destination): string {
  return `[${escapeUserText(`${to.repository}#${to.number}`, 300)}](${to.url})`;
}

function deployLine(d: ExceptionDeployment): string {
  const skipped = d.skipped ? `, skipping ${escapeUserText(d.skipped, 100)}` : "";
  const when = d.reached ? `reached it at ${d.at}` : `let through at ${d.at} (no success reported)`;
  return `- \`${shortSha(d.sha)}\` to ${escapeUserText(d.env, 100)}${skipped}, deployment ${d.deployment}: ${when}`;
}

function unreadLine(u: UnreadTransfer): string {
  return `- #${u.moved}, transferred to ${escapeUserText(u.to, 300)} by ${quietLogin(u.by)}; mainline heard of it at ${u.at}: ${readText(u.read)}`;
}

function readText(read: "none" | "part"): string {
  return read === "none" ? "a repository mainline cannot read" : "more comments than mainline reads";
}

/** The text under one record written again: what it records, and why it is here. */
export function keptRecordText(kind: "deploy" | "deployed", record: { sha: string; env: string; deployment: number; at: string }, incident: number, moved: number): string {
  const what = kind === "deploy" ? `was let through to ${escapeUserText(record.env, 100)}` : `reached ${escapeUserText(record.env, 100)} at ${record.at}`;
  return `🚀 \`${shortSha(record.sha)}\` ${what} under an exception in incident #${incident} (deployment ${record.deployment}): its record, written here again when #${moved} left this repository.`;
}

/** The text under an `unread-transfer` record; `keptFrom`: the issue it stood in, when it is written here again after that one left. */
export function unreadRecordText(record: UnreadTransfer, keptFrom?: number): string {
  const again = keptFrom === undefined ? "" : ` Its record, written here again when #${keptFrom} left this repository.`;
  return (
    `⚠️ #${record.moved} left this repository unread: ${quietLogin(record.by)} transferred it to ${escapeUserText(record.to, 300)} (${readText(record.read)}), mainline heard of it at ${record.at}. ` +
    `It may have held exception deploys: until \`hotfix.budget.days\` after that, the hotfix budget counts as not verified.${again}`
  );
}
