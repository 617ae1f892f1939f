/**
 * Whether a name matches any of the glob patterns: `*` is any run of characters (`/` included,
 * so `release/*` covers `release/1.2/hotfix` too), `?` is one character, anything else is literal.
 * Git branch names are case-sensitive on GitHub, environment names are not; the caller says which.
 */
export function matchesGlob(name: string, patterns: readonly string[], options: { caseSensitive: boolean }): boolean {
  return patterns.some((pattern) => globToRegExp(pattern, options.caseSensitive).test(name));
}

function globToRegExp(pattern: string, caseSensitive: boolean): RegExp {
  const body = [...pattern]
    .map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, caseSensitive ? "u" : "iu");
}
