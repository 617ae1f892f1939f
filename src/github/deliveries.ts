import type { DeliveryRow } from "../policy/redelivery.js";
import type { Octokit } from "./client.js";

export type DeliveryListing = { deliveries: DeliveryRow[]; pages: number };

/**
 * The app's webhook deliveries back to `since`, as GitHub lists them: newest first, a page at
 * a time, each page's `Link: <…cursor=…>; rel="next"` naming where the next one starts. Paging
 * stops at the first page that reaches back past `since`, so a sweep reads about one window of
 * deliveries however long GitHub keeps them. Needs the app's JWT (`probot.auth()` without an
 * installation id). Rows older than `since` on the last page are returned as GitHub sent them.
 */
export async function listDeliveriesSince(octokit: Octokit, since: Date, perPage = 100): Promise<DeliveryListing> {
  const deliveries: DeliveryRow[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const response = await octokit.request("GET /app/hook/deliveries", { per_page: perPage, ...(cursor ? { cursor } : {}) });
    pages++;
    deliveries.push(...response.data.map(toRow));
    const reachedSince = response.data.some((row) => Date.parse(row.delivered_at) < since.getTime());
    cursor = reachedSince ? undefined : nextCursor(response.headers.link);
  } while (cursor);
  return { deliveries, pages };
}

/** Asks GitHub to deliver this delivery's event again; it answers 202 and delivers in its own time. */
export async function redeliver(octokit: Octokit, deliveryId: number): Promise<void> {
  await octokit.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: deliveryId });
}

/** Delivery ids are int64 in GitHub's description, but far below 2^53: JSON gives them as numbers. */
function toRow({ id, guid, delivered_at, redelivery, status, status_code, event, action }: Omit<DeliveryRow, "id"> & { id: number | bigint }): DeliveryRow {
  return { id: Number(id), guid, delivered_at, redelivery, status, status_code, event, action };
}

/**
 * The cursor of the `rel="next"` link, or undefined on the last page. Only the cursor is taken
 * from the link: the next page is asked of the configured API base, so the app's JWT never goes
 * to a host named in a response.
 */
function nextCursor(link: string | undefined): string | undefined {
  const next = /<([^>]+)>;\s*rel="next"/.exec(link ?? "")?.[1];
  if (next === undefined) return undefined;
  const cursor = new URL(next).searchParams.get("cursor");
  if (!cursor) throw new Error(`GitHub's next page of webhook deliveries names no cursor: ${next}`);
  return cursor;
}
