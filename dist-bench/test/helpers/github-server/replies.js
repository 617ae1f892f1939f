/** How GitHub answers: its error bodies, and lists cut into pages with a `Link` header. */
const DOCS = "https://docs.github.com/rest";
export function notFound(message = "Not Found") {
    return { status: 404, body: { message, documentation_url: DOCS, status: "404" } };
}
export function unprocessable(message, errors) {
    return { status: 422, body: { message, ...(errors ? { errors } : {}), documentation_url: DOCS, status: "422" } };
}
export function requiresAuthentication() {
    return { status: 401, body: { message: "Requires authentication", documentation_url: DOCS, status: "401" } };
}
/**
 * One page of `items` (per_page default 30, at most 100; page from 1) with the `Link` header
 * GitHub sends: first/prev when there is a page before, next/last when there is one after.
 */
export function paginated(items, query, selfUrl, render = (item) => item) {
    const perPage = Math.min(100, Math.max(1, Number(query.get("per_page") ?? 30) || 30));
    const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
    const lastPage = Math.max(1, Math.ceil(items.length / perPage));
    const body = items.slice((page - 1) * perPage, page * perPage).map(render);
    const link = (n, rel) => {
        const url = new URL(selfUrl);
        url.search = query.toString();
        url.searchParams.set("page", String(n));
        return `<${url.toString()}>; rel="${rel}"`;
    };
    const links = [
        ...(page > 1 ? [link(Math.min(page - 1, lastPage), "prev")] : []),
        ...(page < lastPage ? [link(page + 1, "next"), link(lastPage, "last")] : []),
        ...(page > 1 ? [link(1, "first")] : []),
    ];
    return { status: 200, body, headers: links.length > 0 ? { link: links.join(", ") } : {} };
}
