import { matchesGlob } from "./glob.js";
import { cherryPickedFrom } from "./merge-back.js";
import { noteVerdict, whyNotesFail, type FailedNote, type PickNote } from "./pick-notes.js";
import { codeSpan, escapeUserText, quietLogin, shortSha } from "./text.js";
import { HOTFIX_BRANCHES } from "../public-names.js";

/** GitHub's limits for a check run's output (`title`, `summary`). */
export const CHECK_TITLE_LIMIT = 1000;
export const CHECK_SUMMARY_LIMIT = 65535;

export type PrCommit = { sha: string; message: string; /** How many parents: more than 1 is a merge commit. */ parents: number };

export type PrFacts = {
  baseRef: string;
  headRef: string;
  mainBranch: string;
  /** Glob patterns, e.g. `release/*`. */
  releaseBranches: readonly string[];
  mode: "enforce" | "shadow";
  /** Every commit of the pull request, all pages. */
  commits: readonly PrCommit[];
  /** Which of the commits, and of the commits their notes name in full (`shasToAsk`), are reachable from main. */
  onMain: ReadonlySet<string>;
  /** Raw diffs of the commits `diffsToRead` names, by sha: what holds each cherry-pick note to account. */
  diffs: ReadonlyMap<string, Uint8Array>;
  /** Set when a bound stopped a read: the check cannot pass (SPEC 8). */
  unverified?: Unverified;
  /** A granted exception of an open incident that covers this pull request. */
  exception?: { incident: number; grantedBy: string };
  /** What pull requests into neither a release branch nor main-from-hotfix get. */
  otherPrs: "success" | "none";
};

export type Offender = { sha: string; why: string };

/** A bound that stopped the caller's reads, and its size. */
export type Unverified = { what: "commits" | "notes" | "siblings" | "pulls"; limit: number };

export type PrCheckDecision =
  | { kind: "no-check" }
  | {
      kind: "check";
      conclusion: "success" | "failure" | "neutral";
      title: string;
      summary: string;
      /** Every offending commit, even those the summary had no room for. */
      offending: Offender[];
    };

/**
 * Whether the pull request's commits are judged at all, so the caller lists them and asks GitHub
 * about them only then. A pull request into main brings changes to main, so it is never judged,
 * even when main also matches a release pattern.
 */
export function judgesCommits(facts: Pick<PrFacts, "baseRef" | "mainBranch" | "releaseBranches">): boolean {
  return facts.baseRef !== facts.mainBranch && matchesGlob(facts.baseRef, facts.releaseBranches, { caseSensitive: true });
}

/**
 * The cherry-pick notes whose truth decides the check: those of the judged commits that are not on
 * main themselves (a commit on main needs no note). `onMain`: which of the commits are. Merge
 * commits are not judged, so their notes cost no read.
 */
export function notesToVerify(commits: readonly PrCommit[], onMain: ReadonlySet<string>): PickNote[] {
  const known = lowercased(onMain);
  return commits
    .filter((commit) => isJudged(commit) && !known.has(commit.sha.toLowerCase()))
    .flatMap((commit) => [...new Set(cherryPickedFrom(commit.message))].map((noted) => ({ pick: commit.sha.toLowerCase(), noted })));
}

/**
 * The noted commits whose place on main the caller asks GitHub about, once each: those named in
 * full and not in the pull request (its own commits' place is known from one compare). An
 * abbreviated note is never asked about: GitHub would take a branch or tag of that name for it.
 */
export function shasToAsk(notes: readonly PickNote[], commits: readonly PrCommit[]): string[] {
  const inPull = new Set(commits.map((commit) => commit.sha.toLowerCase()));
  return [...new Set(notes.map((note) => note.noted).filter((sha) => sha.length === 40 && !inPull.has(sha)))];
}

/** The `mainline/merge-first` check run for a pull request (SPEC section 4). */
export function decidePrCheck(facts: PrFacts): PrCheckDecision {
  const main = codeSpan(facts.mainBranch);
  if (judgesCommits(facts)) return decideReleasePr(facts);
  if (facts.baseRef === facts.mainBranch && matchesGlob(facts.headRef, HOTFIX_BRANCHES, { caseSensitive: true })) {
    return check("success", "Hotfix into main", `Hotfix into ${main} from ${codeSpan(facts.headRef)}: merging it resolves its merge-back items.`);
  }
  if (facts.otherPrs === "none") return { kind: "no-check" };
  if (facts.baseRef === facts.mainBranch) {
    return check("success", "Into main: nothing to check", `A pull request into ${main} is how a change reaches ${main}: nothing to check.`);
  }
  return check(
    "success",
    "Not a release branch: nothing to check",
    `${codeSpan(facts.baseRef)} is not a release branch (${facts.releaseBranches.map((p) => codeSpan(p)).join(", ") || "none configured"}): only pull requests into release branches must carry commits already on ${main}.`,
  );
}

function decideReleasePr(facts: PrFacts): PrCheckDecision {
  if (facts.unverified) return couldNotVerify(facts.mode, facts.unverified);
  if (facts.commits.length === 0) return check("success", "No commits", "No commits: nothing to check.");
  const onMain = lowercased(facts.onMain);
  const judged = facts.commits.filter(isJudged);
  const offenders = judged.flatMap((commit) => judge(commit, onMain, facts.diffs, facts.mainBranch));
  const mergeNote = judged.length < facts.commits.length ? ["Merge commits are not judged; their parents are."] : [];
  const into = `into ${codeSpan(facts.baseRef)}`;
  const main = codeSpan(facts.mainBranch);

  if (offenders.length === 0) {
    const title =
      judged.length === 0 ? "Only merge commits: nothing to judge" : judged.length === 1 ? `The commit comes from ${facts.mainBranch}` : `All ${judged.length} commits come from ${facts.mainBranch}`;
    const summary = `Every commit in this pull request ${into} is on ${main} or a \`git cherry-pick -x\` of a commit on ${main}.`;
    return check("success", title, [summary, ...mergeNote].join("\n\n"));
  }

  const count = `${offenders.length} of ${judged.length} ${judged.length === 1 ? "commit" : "commits"} ${offenders.length === 1 ? "is" : "are"} not on ${facts.mainBranch}`;
  const offending = offenders.map(({ sha, why }) => ({ sha, why }));
  const rule = `Release branches take only commits already on ${main}. In this pull request ${into}:`;
  if (facts.exception) {
    const incident = `incident #${facts.exception.incident}`;
    const allowed =
      `These commits ${into} are not on ${main}, but the exception ${quietLogin(facts.exception.grantedBy)} granted in ${incident} ` +
      `covers this pull request. When it merges, each gets a merge-back issue in ${incident}:`;
    return check("neutral", `${count}; allowed by the exception in ${incident}`, withOffenders([allowed], offenders, mergeNote), offending);
  }
  const outro = [...mergeNote, ...fixBlock(facts)];
  if (facts.mode === "shadow") {
    const intro = [`**Shadow mode:** enforce mode would fail this check; it blocks nothing.`, rule];
    return check("neutral", `[shadow] would fail: ${count}`, withOffenders(intro, offenders, outro), offending);
  }
  return check("failure", count, withOffenders([rule], offenders, outro), offending);
}

const UNVERIFIED: Record<Unverified["what"], { reason: (limit: number) => string; fix: string }> = {
  commits: { reason: (n) => `the pull request has more than ${n} commits`, fix: "Split it into smaller pull requests." },
  notes: { reason: (n) => `its commits carry more than ${n} cherry-pick notes to check`, fix: "Split it into smaller pull requests." },
  siblings: {
    reason: (n) => `its head commit is also the head of more than ${n} other open pull requests into release branches`,
    fix: "Close the ones not needed, or give each its own head commit.",
  },
  pulls: { reason: (n) => `GitHub lists ${n} or more pull requests with its head commit`, fix: "Give this pull request a head commit of its own." },
};

/**
 * The check when a bound stopped a read: what was not read is not known to be on main, so it
 * fails (SPEC 8: "could not verify", never a pass); shadow mode only says it would.
 */
export function couldNotVerify(mode: PrFacts["mode"], unverified: Unverified): PrCheckDecision {
  const { reason, fix } = UNVERIFIED[unverified.what];
  const what = reason(unverified.limit);
  const summary =
    `mainline could not verify: ${what}. It reads no further, so that one pull request costs a bounded number of API calls, ` +
    `and what it has not read never passes. ${fix}`;
  if (mode === "shadow") return check("neutral", `[shadow] would fail: could not verify: ${what}`, `**Shadow mode:** enforce mode would fail this check; it blocks nothing.\n\n${summary}`);
  return check("failure", `Could not verify: ${what}`, summary);
}

function isJudged(commit: PrCommit): boolean {
  return commit.parents <= 1;
}

function lowercased(shas: ReadonlySet<string>): Set<string> {
  return new Set([...shas].map((sha) => sha.toLowerCase()));
}

type Offence = Offender & { message: string };

/**
 * Why a commit may not go into a release branch: none when it may. It may when it is on main, or
 * when one of its cherry-pick notes holds (`noteVerdict`: it names a commit on main whose change
 * the commit's change contains).
 */
function judge(commit: PrCommit, onMain: ReadonlySet<string>, diffs: ReadonlyMap<string, Uint8Array>, mainBranch: string): Offence[] {
  const sha = commit.sha.toLowerCase();
  if (onMain.has(sha)) return [];
  const verdicts = [...new Set(cherryPickedFrom(commit.message))].map((noted) => noteVerdict({ pick: sha, noted }, onMain, diffs));
  const failed = verdicts.filter((v): v is FailedNote => !v.holds);
  if (failed.length < verdicts.length) return [];
  const why = failed.length === 0 ? `not on ${mainBranch}` : whyNotesFail(failed, mainBranch);
  return [{ sha: commit.sha, why, message: commit.message }];
}

function fixBlock(facts: PrFacts): string[] {
  const lines = [
    `# 1. merge the change into ${facts.mainBranch} first (a pull request into ${facts.mainBranch}), then`,
    `# 2. on a branch from ${facts.baseRef}, cherry-pick the commit that landed on ${facts.mainBranch}:`,
    `git cherry-pick -x <sha on ${facts.mainBranch}>`,
  ].join("\n");
  // Branch names may hold backticks, so the fence is longer than any run of them.
  const fence = "`".repeat(Math.max(3, ...(lines.match(/`+/g) ?? []).map((run) => run.length + 1)));
  return [
    `**To fix:** bring each change to ${codeSpan(facts.mainBranch)} first, then cherry-pick it here with \`-x\`, which records the commit it came from:`,
    `${fence}sh\n${lines}\n${fence}`,
  ];
}

/**
 * The summary with one line per offender, as many as fit GitHub's limit, and a count of the rest.
 * Sizes are counted in UTF-8 bytes, never fewer than characters, so the text fits whichever GitHub counts.
 */
function withOffenders(intro: string[], offenders: readonly Offence[], outro: string[]): string {
  const lines = offenders.map((o) => `- \`${shortSha(o.sha)}\` ${escapeUserText(firstLine(o.message), 120)}: ${o.why}`);
  const fixed = bytes([...intro, "", ...outro].join("\n\n"));
  const room = CHECK_SUMMARY_LIMIT - fixed - bytes(`\n…and ${offenders.length} more`);
  let used = 0;
  let shown = 0;
  for (const line of lines) {
    if (used + bytes(line) + 1 > room) break;
    used += bytes(line) + 1;
    shown++;
  }
  const rest = offenders.length - shown;
  const list = [...lines.slice(0, shown), ...(rest > 0 ? [`…and ${rest} more`] : [])].join("\n");
  return [...intro, list, ...outro].join("\n\n");
}

function firstLine(message: string): string {
  return message.split(/\r?\n/, 1)[0] ?? "";
}

const utf8 = new TextEncoder();

function bytes(text: string): number {
  return utf8.encode(text).length;
}

function check(conclusion: "success" | "failure" | "neutral", title: string, summary: string, offending: Offender[] = []): PrCheckDecision {
  return { kind: "check", conclusion, title: clipTitle(title.replace(/\s+/g, " ")), summary, offending };
}

/** A title within GitHub's limit (counted in UTF-8 bytes, as for the summary), cut between whole characters. */
function clipTitle(title: string): string {
  if (bytes(title) <= CHECK_TITLE_LIMIT) return title;
  let kept = "";
  let size = bytes("…");
  for (const ch of title) {
    size += bytes(ch);
    if (size > CHECK_TITLE_LIMIT) break;
    kept += ch;
  }
  return `${kept}…`;
}
