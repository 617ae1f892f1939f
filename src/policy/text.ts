/** The 7-character form GitHub shows for a commit. */
export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

/**
 * Takes the marker syntax out of text the app writes (SPEC section 8): `<!--` and `-->` are
 * split by a zero-width space, so nothing echoed from a user can open or close an HTML comment,
 * hide text, or look like one of the app's markers. Every body the app writes passes through
 * here outside its own marker lines (`appBody`), and so does every echo of user text.
 */
export function neutraliseMarkers(text: string): string {
  return text.replace(/<!--/g, "<!-\u200b-").replace(/--(?=!?>)/g, "-\u200b-");
}

/** Who grants an exception, as a person reads it: "a maintainer" for the `maintain` role. */
export function grantorNoun(role: string): string {
  const nouns: Record<string, string> = { write: "a writer", maintain: "a maintainer", admin: "an admin" };
  return nouns[role] ?? `a ${role}`;
}

/** A body the app writes: text in which no marker can stand, then the app's own marker lines. */
export function appBody(text: string, ...markerLines: string[]): string {
  return [neutraliseMarkers(text), ...markerLines].join("\n\n");
}

/**
 * Makes user text safe to echo inside a comment: no raw HTML, no live @-mentions or
 * #-references it did not intend, no markdown that could forge a heading or a table.
 */
export function escapeUserText(text: string, maxLength = 300): string {
  return neutraliseMarkers(
    clip(text, maxLength)
      .replace(/[\r\n]+/g, " ")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/([\\`*_[\]|#~])/g, "\\$1")
      .replace(/@/g, "@\u200b"),
  );
}

/** A GitHub login as text that does not notify its owner. */
export function quietLogin(login: string): string {
  return `**${escapeUserText(login, 100)}**`;
}

/** User text shown verbatim as inline code: GitHub renders nothing inside it (no HTML, links or mentions). */
export function codeSpan(text: string, maxLength = 200): string {
  const flat = text.replace(/[\r\n]+/g, " ").replace(/`/g, "'");
  return `\`${neutraliseMarkers(clip(flat, maxLength))}\``;
}

/** At most `maxLength` characters, cut between whole characters (never inside an emoji). */
function clip(text: string, maxLength: number): string {
  const chars = Array.from(text.toWellFormed());
  return chars.length > maxLength ? `${chars.slice(0, maxLength - 1).join("")}…` : chars.join("");
}
