/**
 * Whether a deployment to this environment goes through the gate. When the config could not be
 * read the gated list is unknown, so the answer is yes: a failure must not open a gate.
 */
export function shouldGate(environment: string, patterns: readonly string[], configReadable: boolean): boolean {
  return !configReadable || isGatedEnvironment(environment, patterns);
}

/**
 * Whether an environment is gated by the configured patterns. GitHub treats environment
 * names case-insensitively, so matching does too; `*` is any run of characters, `?` one.
 */
export function isGatedEnvironment(environment: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => globToRegExp(pattern).test(environment));
}

function globToRegExp(pattern: string): RegExp {
  const body = [...pattern]
    .map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, "iu");
}
