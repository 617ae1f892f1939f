import { readMarkers, type MarkerFields, type MarkerKind } from "../markers.js";
import { looksLikeRecord, readRecord, type AppRecord, type RecordFields, type RecordKind, type RecordScope } from "../records.js";
import type { CommentLike } from "./client.js";

/** Written by this app (not another bot or a person copying a marker). */
export function isOwnComment(comment: CommentLike, appId: number): boolean {
  return comment.performed_via_github_app?.id === appId;
}

/** How records are told apart from everything else in a thread: this app's id and its signing key. */
export type RecordReader = { appId: number; key: string };

export type Found<K extends RecordKind> = RecordFields<K> & { commentId: number; createdAt: string };

/**
 * The records of one incident in one repository, read from a thread: only this app's comments,
 * only their first line, only with a valid signature, only naming this repository and this
 * incident. The same record written twice (a restore, a redelivery) counts once. `tampered`:
 * this app's comments that claim to be records but fail the check (someone edited them).
 */
export function threadRecords(comments: readonly CommentLike[], reader: RecordReader, scope: RecordScope) {
  const seen = new Set<string>();
  const records: Array<AppRecord & { commentId: number; createdAt: string }> = [];
  const tampered: CommentLike[] = [];
  for (const comment of comments) {
    if (!isOwnComment(comment, reader.appId) || !looksLikeRecord(comment.body)) continue;
    const record = readRecord(reader.key, comment.body);
    if (!record) {
      tampered.push(comment);
      continue;
    }
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

/** The first of this app's comments carrying a (non-record) marker of `kind` that matches. */
export function findOwnComment<K extends MarkerKind>(
  comments: readonly CommentLike[],
  appId: number,
  kind: K,
  matches: (fields: MarkerFields<K>) => boolean = () => true,
): CommentLike | undefined {
  return comments.find((c) => isOwnComment(c, appId) && readMarkers(c.body, kind).some(matches));
}
