import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { markerValue } from "./markers.js";
import { neutraliseMarkers } from "./policy/text.js";

/**
 * The app's records (SPEC section 8.3): what it believes about an incident besides git and roles.
 * WARNING: changing a kind or field name orphans every record already written (exceptions and
 * merge-back items would be forgotten). Add, never rename.
 *
 * A record is a comment of this app whose FIRST line is exactly
 * `<!-- mainline:record kind=<kind> repo=<id> incident=<n> <field>=<value>… sig=<hmac> -->`.
 * Values are URI-encoded. `sig` is an HMAC (key known only to the app) over that line without
 * `sig` and everything after it, so an edit of any byte — by a writer who may edit any comment,
 * within the same second or not — makes the record absent; nothing a user types can be a record,
 * and text elsewhere in a body, however it looks, is never read as one.
 */
const { sha, count, iso, login, source } = markerValue;
const environment = z.string().min(1).max(255);

export const recordSchemas = {
  /**
   * The issue became an incident: by the label (`via=label`), `/incident`, or an unapproved deploy;
   * with the RCA issue opened for it (one comment, not two: each costs GitHub's content-creation pacing).
   */
  incident: z.object({ by: login, via: z.enum(["label", "command", "unapproved"]), at: iso, rca: count, deployment: count.optional() }),
  /** A new RCA issue, when the one recorded left the repository. */
  rca: z.object({ issue: count, at: iso }),
  /** A merge-back item: commit S, tracked by an issue. */
  "merge-back": z.object({ sha, issue: count, at: iso }),
  /**
   * `/hotfix allow` (the exception's state for the gate is in its `mainline/exception` check run).
   * `criterion`: the `hotfix.criteria` entry its reason begins with (absent: the list was empty).
   * `approvals`: how many people it needs, decided at the grant (`override.approvals`, or 2 by
   * hotfix discipline); absent in grants written before it was recorded: the config's then.
   * `waives`: for a commit on main, the promotion step (SPEC 10) the gate would have refused it for
   * ("skipped staging"); absent for a commit off main, whose exception waives main-first.
   * `account`: the grantor's account id (a renamed grantor is still the grantor); absent in grants
   * written before it was recorded.
   */
  exception: z.object({
    sha,
    env: environment,
    by: login,
    account: count.optional(),
    at: iso,
    expires: iso,
    reason: z.string().max(2000),
    source,
    criterion: z.string().min(1).max(2000).optional(),
    approvals: z
      .enum(["1", "2"])
      .transform((n): 1 | 2 => (n === "2" ? 2 : 1))
      .optional(),
    waives: z.string().min(1).max(600).optional(),
  }),
  /** A second person's `/hotfix approve`; `account` as in `exception` (absent in approvals written before it). */
  approval: z.object({ sha, by: login, account: count.optional(), at: iso, source }),
  /** `/hotfix revoke`. */
  revoke: z.object({ sha, by: login, at: iso, source }),
  /**
   * A deployment the gate let through under an exception; `issue` is S's merge-back item, recorded
   * with it. A commit on main let through past its promotion rule has none: `skipped` names the
   * environment it did not go through first.
   */
  deploy: z.object({ sha, env: environment, deployment: count, at: iso, issue: count.optional(), skipped: environment.optional() }),
  /** That deployment reached the environment (its `success` status): the deploy time that counts. */
  deployed: z.object({ sha, env: environment, deployment: count, at: iso, issue: count.optional(), skipped: environment.optional() }),
  /** `/incident force-close <reason>`. */
  "force-close": z.object({ by: login, at: iso, reason: z.string().max(2000), source }),
  /** An overdue reminder on merge-back issue `issue` for interval k (1, 2, 4, … days overdue). */
  reminder: z.object({ issue: count, interval: count }),
  /**
   * A post-merge review (SPEC 11): the first line of its own issue's body (its `incident` is that
   * issue), written by an edit right after the issue is opened — a comment would be content GitHub
   * paces 3 s after the issue. The push, by the head it left on main, and who pushed it: GitHub's
   * authenticated sender, by login and by account id (a renamed account is still the pusher). Any
   * edit of the body voids it (src/github/post-merge-reviews.ts).
   */
  "post-merge-review": z.object({ after: sha, pusher: login, account: count, at: iso }),
  /** That review done (a comment on it): the close at `closed`, by a person other than the pusher with write role or more. */
  "post-merge-reviewed": z.object({ by: login, account: count, role: z.enum(["write", "maintain", "admin"]), closed: iso }),
  /**
   * Issue `moved` — the incident, or an issue that kept its exception deploys — was transferred to
   * repository `to` by `by` (GitHub's sender); `at`: when the app heard of it. The first line of
   * the body of the issue the app opens to keep the incident's `deploy` and `deployed` records here
   * (written again there, they count for the hotfix budget): how a redelivery finds that issue
   * (src/github/transfer-trails.ts).
   */
  transfer: z.object({ moved: count, by: login, to: z.string().min(1).max(300), at: iso }),
  /**
   * Issue `incident` (its number here; whether it was an incident the app cannot know) was
   * transferred to repository `to` by `by`, `at` when the app heard of it, and the app could not see
   * what it held: `read=none`, its old address answers 404 or 410 (GitHub's answer when the app may
   * not read the new repository); `read=part`, it held more comments than the app reads. Its
   * exception deploys may have left with it: within `hotfix.budget.days` of `at` the budget counts as
   * not verified. A comment of the issue the app opens here for it (src/incidents/keep-unread-transfer.ts).
   */
  "unread-transfer": z.object({ by: login, to: z.string().min(1).max(300), at: iso, read: z.enum(["none", "part"]) }),
  /** `/incident rollback [env]`: deployment `deployment` of S to `env`, the commit deployment `of` ran (the rollback candidate). */
  rollback: z.object({ sha, env: environment, deployment: count, of: count, by: login, at: iso, source }),
} as const;

export type RecordKind = keyof typeof recordSchemas;
export type RecordFields<K extends RecordKind> = z.output<(typeof recordSchemas)[K]>;
/** Where a record counts: one repository (by id, so a transferred issue takes nothing along) and one incident. */
export type RecordScope = { repo: number; incident: number };
/** Fields added since records were first written: optional on read (older records lack them), required on every write. */
type AddedSince = { exception: { account: number }; approval: { account: number } };
/** A record's fields as the app writes it now. */
export type NewRecordFields<K extends RecordKind> = RecordFields<K> & (K extends keyof AddedSince ? AddedSince[K] : unknown);
export type AppRecord<K extends RecordKind = RecordKind> = RecordScope & { kind: K; fields: RecordFields<K>; sig: string };

const FIRST_LINE = /^<!-- mainline:record kind=([a-z-]+) ((?:[a-z]+=[^\s<>]* )*)sig=([0-9a-f]{64}) -->$/;

/** A record comment's body: the signed first line, then the people's text (neutralised). */
export function recordBody<K extends RecordKind>(key: string, kind: K, scope: RecordScope, fields: RecordFields<K>, text: string): string {
  // Checked on write as on read: a record that could not be read back would be a silent loss.
  const asRead = recordSchemas[kind].safeParse(Object.fromEntries(Object.entries(fields as Record<string, unknown>).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v).toWellFormed()])));
  if (!asRead.success) throw new Error(`a ${kind} record with these fields could not be read back: ${asRead.error.issues[0]?.path.join(".")}: ${asRead.error.issues[0]?.message}`);
  const rest = neutraliseMarkers(text);
  const line = unsignedLine(kind, { repo: scope.repo, incident: scope.incident, ...(fields as Record<string, unknown>) });
  return `${line} sig=${sign(key, line, rest)} -->\n\n${rest}`;
}

/** The record a body holds, when its first line is one and its signature holds; else undefined. */
export function readRecord(key: string, body: string | null | undefined): AppRecord | undefined {
  const text = body ?? "";
  const newline = text.indexOf("\n");
  // The shape recordBody writes: the signed line, a blank line, the text.
  if (newline === -1 || text[newline + 1] !== "\n") return undefined;
  const match = FIRST_LINE.exec(text.slice(0, newline));
  if (!match) return undefined;
  const [, kind, pairs, sig] = match as unknown as [string, string, string, string];
  if (!(kind in recordSchemas)) return undefined;
  const line = `<!-- mainline:record kind=${kind} ${pairs.trimEnd()}`;
  if (!sameSignature(sig, sign(key, line, text.slice(newline + 2)))) return undefined;
  const values = Object.fromEntries(
    pairs
      .trim()
      .split(" ")
      .filter(Boolean)
      .map((pair) => {
        const eq = pair.indexOf("=");
        return [pair.slice(0, eq), safeDecode(pair.slice(eq + 1))];
      }),
  );
  const scope = z.object({ repo: count, incident: count }).safeParse(values);
  const { repo: _repo, incident: _incident, ...own } = values;
  const fields = recordSchemas[kind as RecordKind].safeParse(own);
  if (!scope.success || !fields.success) return undefined;
  return { kind: kind as RecordKind, repo: scope.data.repo, incident: scope.data.incident, fields: fields.data, sig } as AppRecord;
}

/** Whether a body claims to be a record (its first line starts like one), valid or not: a failed check is tampering. */
export function looksLikeRecord(body: string | null | undefined): boolean {
  return (body ?? "").startsWith("<!-- mainline:record ");
}

function unsignedLine(kind: string, values: Record<string, unknown>): string {
  const pairs = Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}=${encodeURIComponent(String(value).toWellFormed())}`);
  return `<!-- mainline:record kind=${kind} ${pairs.join(" ")}`;
}

function sign(key: string, line: string, rest: string): string {
  return createHmac("sha256", key).update(line).update("\n").update(rest).digest("hex");
}

function sameSignature(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return "\u0000invalid";
  }
}
