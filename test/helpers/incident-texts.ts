import { restIssue } from "./rest-objects.js";

/**
 * What the app writes into incidents, RCA issues and merge-back issues, spelled out once for the
 * handler tests. Written literally, not rendered by src/: these are the expected outputs, so a
 * change to what the app writes fails the tests instead of following along.
 */

/** What the app puts under each RCA heading until someone writes the section. */
export const RCA_PROMPT = "<!-- Write this section here. An empty section keeps this RCA, and so the incident, open. -->";

export type RcaSections = { timeline: string; rootCause: string; actionItems: string };
const UNWRITTEN: RcaSections = { timeline: RCA_PROMPT, rootCause: RCA_PROMPT, actionItems: RCA_PROMPT };

/** The body of the RCA issue for incident #`incident` titled `title`: as the app opens it, or with `sections` written. */
export function rcaTemplateBody({ incident, title, sections = UNWRITTEN }: { incident: number; title: string; sections?: RcaSections }) {
  return [
    `Root-cause analysis for incident #${incident} \`${title}\`. Close this issue when every section below is filled in: the incident cannot close before.`,
    `## Timeline\n\n${sections.timeline}`,
    `## Root cause\n\n${sections.rootCause}`,
    `## Action items\n\n${sections.actionItems}`,
    `<!-- mainline:rca incident=${incident} -->\n`,
  ].join("\n\n");
}

/** RCA issue #`number` the app opened for incident #`incident` titled `title`; unwritten unless `body` says otherwise. */
export function rcaIssue({ number, incident, title, body = rcaTemplateBody({ incident, title }), state, createdAt }: { number: number; incident: number; title: string; body?: string; state?: "open" | "closed"; createdAt?: string }) {
  return restIssue({ number, title: `RCA: ${title}`, body, labels: ["rca"], state, author: { app: true }, createdAt });
}

/** The two status lines that block an incident while its RCA issue #`rca` is open and unwritten. */
export const RCA_BLOCKERS_UNWRITTEN = (rca: number) =>
  `- RCA #${rca}: "Timeline", "Root cause", "Action items" have no content yet\n- RCA #${rca} is still open (close it when it is written)`;

/** The ledger's RCA section while RCA issue #`rca` is open and unwritten. */
export const RCA_ROW_UNWRITTEN = (rca: number) => `#${rca}: open; to write: Timeline, Root cause, Action items.`;

/** The ledger's exceptions section with one exception, granted by `by` at `at`. */
export const exceptionTable = ({ commit, environment, by, at, reason, state }: { commit: string; environment: string; by: string; at: string; reason: string; state: string }) =>
  `| commit | environment | granted | reason | state |\n| --- | --- | --- | --- | --- |\n| \`${commit}\` | ${environment} | **${by}** at ${at} | ${reason} | ${state} |`;

/** The ledger's merge-back section with one item, merge-back issue #`issue` for `commit`. */
export const mergeBackTable = ({ issue, commit, state }: { issue: number; commit: string; state: string }) =>
  `| issue | commit | state |\n| --- | --- | --- |\n| #${issue} | \`${commit}\` | ${state} |`;

/** The ledger comment of incident #`incident`; the sections left out are those of an incident without exceptions, merge-backs or deployments. */
export function ledgerText({
  incident,
  status,
  exceptions = "None granted.",
  mergeBack = "No commit needs merging back.",
  rca,
  rollback = "No deployment of a master commit that succeeded among the 5 newest of each gated environment searched; `/incident rollback [env]` looks further back (the environment's 30 newest).",
}: {
  incident: number;
  status: string;
  exceptions?: string;
  mergeBack?: string;
  rca: string;
  rollback?: string;
}) {
  return [
    `<!-- mainline:ledger incident=${incident} -->`,
    "## mainline ledger",
    status,
    "### Exceptions",
    exceptions,
    "### Merge-back",
    mergeBack,
    "### RCA",
    rca,
    "### Roll back first",
    rollback,
    "_mainline rewrites this comment from GitHub's records (issues, comments, deployments) at each change; edits here are overwritten._",
  ].join("\n\n");
}

/** The body of the merge-back issue for `sha` in incident #`incident`; `how` says how the commit got where it is (deployed under the incident's exception unless said). */
export function mergeBackBody({ incident, sha, how = `was deployed to production under an exception in incident #${incident}` }: { incident: number; sha: string; how?: string }) {
  return [
    `<!-- mainline:merge-back incident=${incident} sha=${sha} -->`,
    `Commit \`${sha}\` ${how}, but it is not on \`master\`. Until it is, the next release from \`master\` brings the bug back.`,
    `**To do:** bring the change to \`master\`: merge a pull request containing it, or cherry-pick it with \`git cherry-pick -x ${sha.slice(0, 7)}\` (the \`-x\` trailer lets mainline recognise it). A squash- or rebase-merged pull request with the commit, or a commit with the same patch, counts too.`,
    `mainline closes this issue by itself on the push that brings the change to \`master\`, and keeps incident #${incident} open until then. Due within 24 hours.`,
  ].join("\n\n");
}

/** Merge-back issue #`number` the app opened for `sha` in incident #`incident`, deployed under an exception unless `body` says otherwise. */
export function mergeBackIssue({ number, incident, sha, body = mergeBackBody({ incident, sha }), state, createdAt }: { number: number; incident: number; sha: string; body?: string; state?: "open" | "closed"; createdAt?: string }) {
  return restIssue({ number, title: `Merge back ${sha.slice(0, 7)} to master (incident #${incident})`, body, labels: ["merge-back"], state, author: { app: true }, createdAt });
}
