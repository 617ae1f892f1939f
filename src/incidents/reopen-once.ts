import type { RepoClient } from "../github/client.js";
import { createComment, getIssue, listComments, setIssueState } from "../github/issues.js";
import { findOwnComment } from "../github/own-comments.js";
import { marker } from "../markers.js";
import { appBody } from "../policy/text.js";

/**
 * Reopens an issue closed too early and says why, once per close: the close is identified by
 * its timestamp, so a redelivered event neither reopens a later close nor repeats the comment.
 */
export async function reopenOnce(client: RepoClient, number: number, closedAt: string, why: string, appId: number): Promise<"reopened" | "superseded"> {
  const current = await getIssue(client, number);
  if (current.state === "closed" && current.closed_at !== closedAt) return "superseded";
  if (current.state === "closed") await setIssueState(client, number, "open", "reopened");
  const comments = await listComments(client, number);
  if (!findOwnComment(comments, appId, "reopened", (m) => m.closed === closedAt)) {
    await createComment(client, number, appBody(why, marker("reopened", { closed: closedAt })));
  }
  return "reopened";
}
