/**
 * The commit graph as GitHub reads it: refs to shas, reachability, compare and history order.
 */
/** A branch name, a full sha, or a unique abbreviation of 7+ hex digits; undefined otherwise. */
export function resolveRef(repo, ref) {
    const name = ref.replace(/^refs\/heads\//, "");
    const branch = repo.branches.get(name);
    if (branch)
        return branch;
    if (repo.commits.has(ref))
        return ref;
    if (!/^[0-9a-f]{7,39}$/i.test(ref))
        return undefined;
    const matches = [...repo.commits.keys()].filter((sha) => sha.startsWith(ref.toLowerCase()));
    return matches.length === 1 ? matches[0] : undefined;
}
export function ancestors(repo, sha) {
    const seen = new Set();
    const queue = [sha];
    while (queue.length > 0) {
        const next = queue.pop();
        if (seen.has(next))
            continue;
        seen.add(next);
        queue.push(...(repo.commits.get(next)?.parents ?? []));
    }
    return seen;
}
/**
 * Every commit reachable from `head`, newest first and never a parent before its child
 * (`git log` order): among the commits whose children are all listed, the latest by date,
 * and for equal dates the one added to the model last.
 */
export function history(repo, head) {
    const reachable = ancestors(repo, head);
    const order = new Map([...repo.commits.keys()].map((sha, i) => [sha, i]));
    const pendingChildren = new Map([...reachable].map((sha) => [sha, 0]));
    for (const sha of reachable) {
        for (const parent of repo.commits.get(sha)?.parents ?? []) {
            if (pendingChildren.has(parent))
                pendingChildren.set(parent, pendingChildren.get(parent) + 1);
        }
    }
    const newestFirst = (a, b) => b.date.localeCompare(a.date) || order.get(b.sha) - order.get(a.sha);
    const ready = [repo.commits.get(head)].filter((c) => c !== undefined);
    const listed = [];
    while (ready.length > 0) {
        ready.sort(newestFirst);
        const next = ready.shift();
        listed.push(next);
        for (const parent of next.parents) {
            const left = pendingChildren.get(parent) - 1;
            pendingChildren.set(parent, left);
            const commit = repo.commits.get(parent);
            if (left === 0 && commit)
                ready.push(commit);
        }
    }
    return listed;
}
export function compare(repo, base, head) {
    const fromBase = ancestors(repo, base);
    const fromHead = ancestors(repo, head);
    const ahead = history(repo, head).filter((c) => !fromBase.has(c.sha));
    const behindBy = [...fromBase].filter((sha) => !fromHead.has(sha)).length;
    const status = ahead.length === 0 && behindBy === 0 ? "identical" : ahead.length === 0 ? "behind" : behindBy === 0 ? "ahead" : "diverged";
    const mergeBase = history(repo, head).find((c) => fromBase.has(c.sha))?.sha;
    return { status, ahead_by: ahead.length, behind_by: behindBy, mergeBase, commits: ahead.reverse() };
}
