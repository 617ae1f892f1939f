import { randomUUID } from "node:crypto";
import { notFound, unprocessable } from "../replies.js";
/**
 * The app webhook's delivery log. GitHub never redelivers by itself; when asked to, it sends
 * the event again and records the attempt as a new delivery with the same guid and
 * `redelivery: true`. Here the `receiver` plays the app's webhook URL for that attempt: it
 * answers the HTTP status (0 for no answer), 200 unless a test says otherwise, and may forward
 * the delivery to a running app.
 */
export class AppHookDeliveries {
    rows = [];
    receiver = () => 200;
    #mint;
    constructor(mint) {
        this.#mint = mint;
    }
    seed(...deliveries) {
        const seeded = deliveries.map((d) => ({
            id: this.#mint.id(),
            guid: randomUUID(),
            delivered_at: this.#mint.now(),
            redelivery: false,
            duration: 0.05,
            status: statusText(d.status_code),
            action: null,
            installation_id: 1,
            repository_id: null,
            throttled_at: null,
            payload: {},
            ...d,
        }));
        this.rows.push(...seeded);
        return seeded;
    }
    /** The deliveries as GitHub lists them: newest first, a later id first among equal times. */
    newestFirst() {
        return [...this.rows].sort((a, b) => Date.parse(b.delivered_at) - Date.parse(a.delivered_at) || b.id - a.id);
    }
    async redeliver(original) {
        const statusCode = await this.receiver(original);
        const { id: _id, delivered_at: _at, status: _status, redelivery: _redelivery, ...event } = original;
        return this.seed({ ...event, redelivery: true, status_code: statusCode })[0];
    }
}
/** GitHub's words for an attempt's outcome: "OK" for a 2xx answer. */
function statusText(statusCode) {
    if (statusCode === 0)
        return "failed to connect to host";
    return statusCode >= 200 && statusCode < 300 ? "OK" : `Invalid HTTP Response: ${statusCode}`;
}
const JWT_REQUIRED = { status: 401, body: { message: "A JSON web token could not be decoded", documentation_url: "https://docs.github.com/rest", status: "401" } };
/**
 * `GET /app/hook/deliveries`, cursor-paged as GitHub does it: `per_page` rows from the cursor's
 * delivery on, and while older rows remain a `Link` header whose `rel="next"` URL repeats the
 * query with `cursor=v1_<id>` of the next page's first delivery. No page numbers, no `last`.
 */
export function installDeliveryRoutes(site, deliveries, isAppJwt) {
    site.route("GET", "/app/hook/deliveries", ({ path, query, headers }) => {
        if (!isAppJwt(headers))
            return JWT_REQUIRED;
        const perPage = Math.min(100, Math.max(1, Number(query.get("per_page") ?? 30) || 30));
        const rows = deliveries.newestFirst();
        const cursor = query.get("cursor");
        const start = cursor === null ? 0 : rows.findIndex((row) => `v1_${row.id}` === cursor);
        if (start < 0)
            return unprocessable(`Invalid cursor: ${cursor}`);
        const page = rows.slice(start, start + perPage);
        const next = rows[start + perPage];
        if (!next)
            return { status: 200, body: page.map(render) };
        const url = new URL(`${site.apiBase}${path}`);
        url.search = query.toString();
        url.searchParams.set("cursor", `v1_${next.id}`);
        return { status: 200, body: page.map(render), headers: { link: `<${url.toString()}>; rel="next"` } };
    });
    site.route("POST", "/app/hook/deliveries/:id/attempts", async ({ params, headers }) => {
        if (!isAppJwt(headers))
            return JWT_REQUIRED;
        const original = deliveries.rows.find((row) => row.id === Number(params.id));
        if (!original)
            return notFound();
        // GitHub answers first and delivers later; recording the attempt before answering lets a test see it once the call returns.
        await deliveries.redeliver(original);
        return { status: 202, body: {} };
    });
}
function render({ payload: _payload, ...row }) {
    return row;
}
