import { readMarkers, type MarkerFields, type MarkerKind } from "../markers.js";
import type { CommentLike } from "./client.js";

/** Written by this app (not another bot or a person copying a marker). */
export function isOwnComment(comment: CommentLike, appId: number): boolean {
  return comment.performed_via_github_app?.id === appId;
}

/**
 * The records of `kind` in this app's comments. A record comment is never edited by the app,
 * so one that was edited since (people with write access can edit any comment) is not trusted.
 */
export function ownRecords<K extends MarkerKind>(comments: readonly CommentLike[], appId: number, kind: K): Array<MarkerFields<K>> {
  return comments
    .filter((c) => isOwnComment(c, appId) && c.created_at === c.updated_at)
    .flatMap((c) => readMarkers(c.body, kind));
}

/** The first of this app's comments carrying a marker of `kind` that matches. */
export function findOwnComment<K extends MarkerKind>(
  comments: readonly CommentLike[],
  appId: number,
  kind: K,
  matches: (fields: MarkerFields<K>) => boolean = () => true,
): CommentLike | undefined {
  return comments.find((c) => isOwnComment(c, appId) && readMarkers(c.body, kind).some(matches));
}
