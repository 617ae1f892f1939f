import { readRecord, type AppRecord, type RecordKind } from "../records.js";
import type { CommentLike, RepoClient } from "./client.js";
import { inAppShape, isOwnComment, type RecordReader } from "./own-comments.js";

/** Comments a page of the repository's comments holds (one request). */
export const COMMENTS_PER_PAGE = 100;

export type RecordsSince = {
  /** This repository's records, newest first, each once (a restore or a redelivery writes the same record again). */
  records: AppRecord[];
  /** The app's comments of the window that are not as it wrote them: any of them may have been a record. */
  changed: CommentLike[];
  /** False when the window held more comments than the pages read. */
  complete: boolean;
};

/**
 * The app's signed records among the repository's comments (issues and pull requests) created
 * since `since`, wherever they stand: no label or issue list has to find their issue first (a
 * triager can take a label off). At most `pages` pages of 100, one request each, newest first.
 */
export async function readRecordsSince(client: RepoClient, reader: RecordReader, since: string, pages: number): Promise<RecordsSince> {
  const { comments, complete } = await commentsSince(client, since, pages);
  const own = comments.filter((c) => isOwnComment(c, reader.appId));
  const seen = new Set<string>();
  const records: AppRecord[] = [];
  for (const comment of own) {
    const record = readRecord(reader.key, comment.body);
    if (!record || record.repo !== client.repoId || seen.has(record.sig)) continue;
    seen.add(record.sig);
    records.push(record);
  }
  return { records, changed: own.filter((c) => !inAppShape(reader.key, c.body ?? "")), complete };
}

/** The records of one kind, newest first. */
export function recordsOf<K extends RecordKind>(records: readonly AppRecord[], kind: K): Array<AppRecord<K>> {
  return records.filter((r) => r.kind === kind) as Array<AppRecord<K>>;
}

/**
 * The repository's comments created since `since`, newest first. GitHub's `since` is about updates:
 * a page may go on with older comments edited lately, where the window ends.
 */
async function commentsSince({ octokit, owner, repo }: RepoClient, since: string, pages: number): Promise<{ comments: CommentLike[]; complete: boolean }> {
  const from = Date.parse(since);
  const comments: CommentLike[] = [];
  for (let page = 1; page <= pages; page++) {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/issues/comments", { owner, repo, since, sort: "created", direction: "desc", per_page: COMMENTS_PER_PAGE, page });
    const listed = data as CommentLike[];
    const inWindow = listed.filter((c) => Date.parse(c.created_at) >= from);
    comments.push(...inWindow);
    if (listed.length < COMMENTS_PER_PAGE || inWindow.length < listed.length) return { comments, complete: true };
  }
  return { comments, complete: false };
}
