import { containsChange } from "./change-contains.js";
import { shortSha } from "./text.js";

/**
 * How many cherry-pick notes one pull request's check verifies: each costs up to three reads
 * (whether the noted commit is on main, its diff, the pick's diff), and users write the notes.
 * Past it the check fails, "could not verify" (SPEC 8).
 */
export const NOTE_LIMIT = 20;

/** One `(cherry picked from commit <noted>)` note of commit `pick`; `noted` is 7 to 40 hex. All lowercase. */
export type PickNote = { pick: string; noted: string };

/**
 * The commits known to be on main that a note names: a full sha names itself; an abbreviated one
 * names the known commits it abbreviates, and is never looked up (GitHub would take a branch or
 * tag of that name for it). More than one is an ambiguous note, as git would call it.
 */
export function namedOnMain(noted: string, onMain: ReadonlySet<string>): string[] {
  if (noted.length === 40) return onMain.has(noted) ? [noted] : [];
  return [...onMain].filter((sha) => sha.startsWith(noted));
}

/** The diffs that decide whether the notes hold: each note's pick and the one commit on main it names. */
export function diffsToRead(notes: readonly PickNote[], onMain: ReadonlySet<string>): string[] {
  const shas = notes.flatMap((note) => {
    const named = namedOnMain(note.noted, onMain);
    return named.length === 1 ? [note.pick, named[0]!] : [];
  });
  return [...new Set(shas)];
}

export type FailedNote = { holds: false; why: "off-main" | "unknown-abbreviation" | "ambiguous" | "claim" | "not-read"; noted: string };
export type NoteVerdict = { holds: true } | FailedNote;

/**
 * Whether a note proves that its pick carries a change already on main (SPEC 4, as section 5
 * verifies notes): it names one commit on main, and the pick's change contains that commit's.
 * A note is a claim anyone can write; a diff that was not read proves nothing.
 */
export function noteVerdict(note: PickNote, onMain: ReadonlySet<string>, diffs: ReadonlyMap<string, Uint8Array>): NoteVerdict {
  const shas = namedOnMain(note.noted, onMain);
  if (shas.length === 0) return { holds: false, why: note.noted.length === 40 ? "off-main" : "unknown-abbreviation", noted: note.noted };
  if (shas.length > 1) return { holds: false, why: "ambiguous", noted: note.noted };
  const pick = diffs.get(note.pick);
  const source = diffs.get(shas[0]!);
  if (!pick || !source) return { holds: false, why: "not-read", noted: note.noted };
  return containsChange(pick, source) ? { holds: true } : { holds: false, why: "claim", noted: note.noted };
}

/** Why none of a commit's notes holds, one clause per kind of failure, in words for the check run. */
export function whyNotesFail(verdicts: readonly FailedNote[], mainBranch: string): string {
  const of = (why: FailedNote["why"]) => verdicts.filter((v) => v.why === why).map((v) => shortSha(v.noted));
  const offMain = of("off-main");
  const clauses = [
    ...(offMain.length === 0 ? [] : [`cherry-pick of ${offMain.join(" and ")}, which ${offMain.length === 1 ? "is" : "are"} not on ${mainBranch}`]),
    ...of("unknown-abbreviation").map((s) => `its note names ${s}, which abbreviates no commit known to be on ${mainBranch} (an abbreviated note is not looked up)`),
    ...of("ambiguous").map((s) => `its note names ${s}, which abbreviates more than one commit on ${mainBranch}`),
    ...of("claim").map((s) => `its note names ${s} but its change does not contain ${s}'s`),
    ...of("not-read").map((s) => `could not verify its note of ${s}: a change was not read`),
  ];
  return clauses.join("; ");
}
