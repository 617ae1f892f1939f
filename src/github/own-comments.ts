import { readMarkers, type MarkerFields, type MarkerKind } from "../markers.js";
import { looksLikeRecord, readRecord, type AppRecord, type RecordFields, type RecordKind, type RecordScope } from "../records.js";
import type { CommentLike, IssueLike } from "./client.js";

/** Written by this app (not another bot or a person copying a marker). */
export function isOwnComment(comment: CommentLike, appId: number): boolean {
  // Written by the app's bot (a person's token acting through the app would carry the app too).
  return comment.performed_via_github_app?.id === appId && comment.user?.type === "Bot";
}

/** Opened by this app (the issues it adopts after a failed delivery must be its own). */
export function isOwnIssue(issue: Pick<IssueLike, "performed_via_github_app">, appId: number): boolean {
  return issue.performed_via_github_app?.id === appId;
}

/** How records are told apart from everything else in a thread: this app's id and its signing key. */
export type RecordReader = { appId: number; key: string };

export type Found<K extends RecordKind> = RecordFields<K> & { commentId: number; createdAt: string };

/**
 * The records of one incident in one repository, read from a thread: only this app's comments,
 * only their first line, only with a valid signature, only naming this repository and this
 * incident. The same record written twice (a restore, a redelivery) counts once. `tampered`:
 * this app's comments that are no longer as it wrote them (someone edited them).
 */
export function threadRecords(comments: readonly CommentLike[], reader: RecordReader, scope: RecordScope) {
  const seen = new Set<string>();
  const records: Array<AppRecord & { commentId: number; createdAt: string }> = [];
  const tampered: CommentLike[] = [];
  for (const comment of comments) {
    if (!isOwnComment(comment, reader.appId)) continue;
    // Not as the app wrote it: a record whose signature fails, or any comment of its changed into something it never writes.
    if (!inAppShape(reader.key, comment.body ?? "")) {
      tampered.push(comment);
      continue;
    }
    const record = readRecord(reader.key, comment.body);
    if (!record) continue;
    if (record.repo !== scope.repo || record.incident !== scope.incident || seen.has(record.sig)) continue;
    seen.add(record.sig);
    records.push({ ...record, commentId: comment.id, createdAt: comment.created_at });
  }
  return {
    tampered,
    of<K extends RecordKind>(kind: K): Array<Found<K>> {
      return records.filter((r) => r.kind === kind).map((r) => ({ ...(r.fields as RecordFields<K>), commentId: r.commentId, createdAt: r.createdAt }));
    },
  };
}

export type ThreadRecords = ReturnType<typeof threadRecords>;

/**
 * Whether a body is in a shape this app writes: a record whose signature holds, or text without
 * comment syntax followed only by the app's marker lines (what `appBody` writes; the ledger's
 * marker comes first). A comment of the app's in any other shape was changed by someone.
 */
export function inAppShape(key: string, body: string): boolean {
  if (looksLikeRecord(body)) return readRecord(key, body) !== undefined;
  // Every comment the app writes carries a marker: at the end (appBody), or first (the ledger).
  let text = body.replace(LEADING_MARKER, "");
  let marked = text !== body;
  for (let trailing = TRAILING_MARKER.exec(text); trailing; trailing = TRAILING_MARKER.exec(text)) {
    text = text.slice(0, trailing.index);
    marked = true;
  }
  return marked && !/<!--|--!?>/.test(text);
}

const LEADING_MARKER = /^<!-- mainline:ledger [^<>\n]*? -->\n\n/;
const TRAILING_MARKER = /\n\n<!-- mainline:[a-z-]+ [^<>\n]*? -->$/;

/** The first of this app's comments carrying a (non-record) marker of `kind` that matches. */
export function findOwnComment<K extends MarkerKind>(
  comments: readonly CommentLike[],
  appId: number,
  kind: K,
  matches: (fields: MarkerFields<K>, comment: CommentLike) => boolean = () => true,
): CommentLike | undefined {
  return comments.find((c) => isOwnComment(c, appId) && readMarkers(c.body, kind).some((fields) => matches(fields, c)));
}
