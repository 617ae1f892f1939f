import { SHA } from "./fixtures.js";

/**
 * What the app writes since the trust redesign (173adc2), spelled out literally for the handler
 * tests that moved to the loopback GitHub: a change to what the app writes fails them instead of
 * following along. (test/helpers/incident-texts.ts still holds the texts that did not change.)
 */

/** The body of the merge-back issue for `sha` in incident #`incident`; `how` says how the commit got where it is (deployed under the incident's exception unless said). */
export function mergeBackIssueBody({ incident, sha = SHA.offMain, how = `was deployed to production under an exception in incident #${incident}` }: { incident: number; sha?: string; how?: string }) {
  return [
    `<!-- mainline:merge-back incident=${incident} sha=${sha} -->`,
    `Commit \`${sha}\` ${how}, but it is not on \`master\`. Until it is, the next release from \`master\` brings the bug back.`,
    `**To do:** bring the change to \`master\`: merge a pull request containing it, or cherry-pick it with \`git cherry-pick -x ${sha.slice(0, 7)}\` (the \`-x\` trailer lets mainline recognise it; the cherry-pick must carry the change itself). A squash- or rebase-merged pull request with the commit, or a commit with the same patch, counts too.`,
    `mainline closes this issue by itself on the push that brings the change to \`master\`, and keeps incident #${incident} open until then. Due within 24 hours.`,
  ].join("\n\n");
}

/** The people's text of a `deploy` record (the gate let deployment `deployment` through) or a `deployed` one (it reached production at `reachedAt`). */
export function deployRecordText({ deployment, issue, reachedAt, sha = SHA.offMain }: { deployment: number; issue: number; reachedAt?: string; sha?: string }) {
  const what = reachedAt ? `reached production at ${reachedAt}` : "was let through to production";
  return `🚀 \`${sha.slice(0, 7)}\` ${what} under the exception (deployment ${deployment}). It is not on \`master\`: #${issue} tracks bringing it there, and this incident cannot close before it is done.`;
}

/** The people's text of the `exception` record `/hotfix allow` writes for alice. */
export const exceptionRecordText = ({ expires, sha = SHA.offMain, reason = "payments down" }: { expires: string; sha?: string; reason?: string }) =>
  `🟠 Exception granted by **alice**: \`${sha.slice(0, 7)}\` may deploy to production until ${expires} although it is not on \`master\`. Reason: ${reason}.`;

/** The people's text of the `incident` record of an issue alice made an incident with `/incident`, its RCA #`rca`. */
export const incidentRecordText = (rca: number) => `🚨 This issue is an incident: **alice** ran \`/incident\`. It closes when its fixes are on \`master\` and its RCA, #${rca}, is written.`;

/** The people's text of a `merge-back` record: issue #`issue` tracks bringing `sha` to master. */
export const mergeBackRecordText = ({ sha, issue }: { sha: string; issue: number }) =>
  `🔁 \`${sha.slice(0, 7)}\` must reach \`master\`: #${issue} tracks it, and this incident cannot close before it is done.`;

/** What a `mainline/exception` check run says in words (its output's summary) for alice's exception to production in incident #`incident`. */
export function exceptionRunSummary({ incident, status, at, expires, used, sha = SHA.offMain }: { incident: number; status: string; at: string; expires: string; used?: string; sha?: string }) {
  return [
    `Exception for \`${sha.slice(0, 7)}\` to production in incident #${incident}: **${status}**.`,
    `Granted by **alice** at ${at}; expires ${expires} unless used.`,
    ...(used ? [`Used by a deployment at ${used}.`] : []),
  ].join("\n\n");
}
