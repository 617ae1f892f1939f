import { z } from "zod";

/**
 * Every hidden marker mainline writes into GitHub and parses back, in one place.
 * WARNING: changing a kind or field name orphans the markers already written in existing
 * issues and comments (ledgers would be duplicated, exceptions forgotten). Add, never rename.
 *
 * A marker is an HTML comment: `<!-- mainline:<kind> key=value key=value -->`. Values are
 * URI-encoded, so user text inside them can never close the comment or break the parse.
 */
/** The value formats markers and records share (a value is always read back from a string). */
export const markerValue = {
  sha: z.string().regex(/^[0-9a-f]{40}$/),
  count: z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number),
  iso: z.iso.datetime(),
  login: z.string().min(1).max(100),
  /** The command line that wrote something: its comment id and line number. */
  source: z.string().regex(/^\d{1,15}:\d{1,4}$/),
};
const { sha, count, iso, login } = markerValue;

export const markerSchemas = {
  /** The incident's ledger comment. */
  ledger: z.object({ incident: count }),
  /** The RCA issue's body. */
  rca: z.object({ incident: count }),
  /** The merge-back issue's body (the exact form the SPEC names). */
  "merge-back": z.object({ incident: count, sha }),
  /** A reply to a command comment that had errors. */
  reply: z.object({ source: count }),
  /** The body of an incident mainline opened because a deployment reached a gated environment unapproved. */
  unapproved: z.object({ deployment: count, env: z.string().min(1), sha }),
  /** Why the app closed a merge-back issue. */
  "merge-back-done": z.object({ sha, commit: sha, way: z.string() }),
  /** Why the app reopened an incident, merge-back or RCA closed too early (closed: that close's timestamp). */
  reopened: z.object({ closed: iso }),
  /**
   * An exception's state, in the output of its `mainline/exception` check run (no person can edit
   * a check run; the gate reads only this app's). Lists are comma-separated logins; "" = not yet.
   */
  "exception-run": z.object({
    incident: count,
    sha,
    env: z.string().min(1),
    by: login,
    at: iso,
    expires: iso,
    approvals: z.enum(["1", "2"]).transform(Number),
    approved: z.string().regex(/^[A-Za-z0-9_.\[\]-]*(,[A-Za-z0-9_.\[\]-]+)*$/),
    revoked: z.string().max(100),
    used: z.union([z.literal(""), iso]),
    ended: z.union([z.literal(""), iso]),
    suspended: z.string().max(100),
    source: markerValue.source,
  }),
  /** The app's note that someone changed one of its comments (source: comment id and the change's time). */
  "tamper-notice": z.object({ comment: count, at: z.string().max(40) }),
  /** The app's notice in an incident that a commit on main weakened the config (how a redelivered push finds it already said). */
  "config-weakened": z.object({ commit: sha }),
  /**
   * The body of a post-merge review issue as it is opened: the push it reviews, by the head it left
   * on main (`after`), until the signed record that then heads the body replaces it. How a
   * redelivered push finds an issue whose first delivery failed before writing that record.
   */
  "post-merge-review": z.object({ after: sha }),
} as const;

export type MarkerKind = keyof typeof markerSchemas;
export type MarkerFields<K extends MarkerKind> = z.output<(typeof markerSchemas)[K]>;

export function marker<K extends MarkerKind>(kind: K, fields: MarkerFields<K>): string {
  // toWellFormed: a lone surrogate in user text would make encodeURIComponent throw.
  const pairs = Object.entries(fields as Record<string, unknown>).map(([key, value]) => `${key}=${encodeURIComponent(String(value).toWellFormed())}`);
  return `<!-- mainline:${kind} ${pairs.join(" ")} -->`;
}

const MARKER = /<!-- mainline:([a-z-]+) ([^<>]*?) -->/g;

/** Every valid marker of `kind` in a text; malformed ones (edited by hand, truncated) are skipped. */
export function readMarkers<K extends MarkerKind>(text: string | null | undefined, kind: K): Array<MarkerFields<K>> {
  const found: Array<MarkerFields<K>> = [];
  for (const [, foundKind, body] of (text ?? "").matchAll(MARKER)) {
    if (foundKind !== kind) continue;
    const fields = Object.fromEntries(
      body!.split(" ").map((pair) => {
        const eq = pair.indexOf("=");
        return [pair.slice(0, eq), safeDecode(pair.slice(eq + 1))];
      }),
    );
    const parsed = markerSchemas[kind].safeParse(fields);
    if (parsed.success) found.push(parsed.data as MarkerFields<K>);
  }
  return found;
}

export function readMarker<K extends MarkerKind>(text: string | null | undefined, kind: K): MarkerFields<K> | undefined {
  return readMarkers(text, kind)[0];
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return "";
  }
}
