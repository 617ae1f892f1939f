import { recordBody, type NewRecordFields, type RecordKind } from "../records.js";
import type { CommentLike, RepoClient } from "./client.js";
import { createComment } from "./issues.js";

/**
 * Writes one record of `incident` as a comment on issue `on` (the incident itself, or for a
 * reminder its merge-back issue), signed with the app's key and scoped to this repository.
 * Only call it after the actor's role was checked: a record is what the app believes.
 */
export function writeRecord<K extends RecordKind>(
  client: RepoClient,
  key: string,
  where: { incident: number; on?: number },
  kind: K,
  fields: NewRecordFields<K>,
  text: string,
): Promise<CommentLike> {
  return createComment(client, where.on ?? where.incident, recordBody(key, kind, { repo: client.repoId, incident: where.incident }, fields, text));
}
