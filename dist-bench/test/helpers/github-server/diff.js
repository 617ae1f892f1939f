export function fileChanges(diff) {
    const files = [];
    for (const section of diff.split(/^(?=diff --git )/m).filter((s) => s.startsWith("diff --git "))) {
        const lines = section.replace(/\n$/, "").split("\n");
        const header = /^diff --git a\/(.+) b\/(.+)$/.exec(lines[0]);
        const from = lines.find((l) => l.startsWith("--- "))?.slice(4);
        const to = lines.find((l) => l.startsWith("+++ "))?.slice(4);
        const oldName = stripPrefix(from) ?? header?.[1] ?? "";
        const newName = stripPrefix(to) ?? header?.[2] ?? oldName;
        const hunkStart = lines.findIndex((l) => l.startsWith("@@"));
        const hunks = hunkStart < 0 ? [] : lines.slice(hunkStart);
        const additions = hunks.filter((l) => l.startsWith("+")).length;
        const deletions = hunks.filter((l) => l.startsWith("-")).length;
        const status = from === "/dev/null" ? "added" : to === "/dev/null" ? "removed" : oldName !== newName ? "renamed" : "modified";
        const filename = status === "removed" ? oldName : newName;
        files.push({
            filename,
            ...(status === "renamed" ? { previous_filename: oldName } : {}),
            status,
            additions,
            deletions,
            changes: additions + deletions,
            patch: hunks.join("\n"),
        });
    }
    return files;
}
function stripPrefix(name) {
    if (name === undefined || name === "/dev/null")
        return undefined;
    return name.replace(/^[ab]\//, "").replace(/\t.*$/, "");
}
