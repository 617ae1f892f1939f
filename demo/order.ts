import type { LoggedRequest } from "../test/helpers/github-server.js";
import type { Seen } from "./observe.js";

/**
 * Puts what changed in the order the app did it: each change is placed at the last request to
 * the loopback GitHub that made it (a comment edited twice shows once, where it ended).
 * A change no request explains goes last.
 */
export function inOrder(seen: Seen[], requests: LoggedRequest[]): Seen[] {
  const at = (change: Seen) => requests.findLastIndex((request) => request.method !== "GET" && madeBy(change, request.method, request.path.split("?")[0]!, request.body));
  const placed = seen.map((change, index) => ({ change, index, at: at(change) }));
  const key = (p: { at: number }) => (p.at === -1 ? Number.MAX_SAFE_INTEGER : p.at);
  return placed.sort((a, b) => key(a) - key(b) || a.index - b.index).map((p) => p.change);
}

function madeBy(change: Seen, method: string, path: string, body: unknown): boolean {
  const field = (name: string) => (body as Record<string, unknown> | undefined)?.[name];
  switch (change.kind) {
    case "answer":
      return method === "POST" && path.endsWith("/deployment_protection_rule");
    case "deployment-status":
      return method === "POST" && path.endsWith("/statuses");
    case "issue-opened":
      return method === "POST" && path.endsWith("/issues") && field("title") === change.title;
    case "issue-state":
      return method === "PATCH" && path.endsWith(`/issues/${change.number}`) && field("state") === change.state;
    case "labels":
      return path.includes(`/issues/${change.number}/labels`);
    case "comment":
      return method === "POST" && path.endsWith(`/issues/${change.number}/comments`) && field("body") === change.body;
    case "comment-edited":
      return method === "PATCH" && path.endsWith(`/issues/comments/${change.id}`);
    case "reaction":
      return method === "POST" && path.endsWith(`/issues/comments/${change.id}/reactions`);
    case "check-run":
      return (method === "POST" && path.endsWith("/check-runs") && field("head_sha") === change.sha) || (method === "PATCH" && path.endsWith(`/check-runs/${change.id}`));
  }
}
