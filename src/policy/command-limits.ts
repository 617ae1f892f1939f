/** At most this many command lines run per comment (SPEC section 8): a comment's length never sets a delivery's cost. */
export const MAX_COMMAND_LINES = 10;

/**
 * Which command lines of a comment run: each distinct line once, in order, up to the limit.
 * The rest is named in the reply, so nothing is dropped silently.
 */
export function linesToRun<T extends { line: string; command?: unknown }>(lines: readonly T[]): { run: T[]; repeated: T[]; overLimit: T[] } {
  const seen = new Set<string>();
  const run: T[] = [];
  const repeated: T[] = [];
  const overLimit: T[] = [];
  for (const line of lines) {
    // The same command however it is spelt (`/Mainline STATUS`) is the same line.
    const key = line.command !== undefined ? JSON.stringify(line.command) : line.line.trim().replace(/\s+/g, " ");
    if (seen.has(key)) repeated.push(line);
    else if (run.length >= MAX_COMMAND_LINES) overLimit.push(line);
    else {
      seen.add(key);
      run.push(line);
    }
  }
  return { run, repeated, overLimit };
}

/** The reply's sentence about what did not run, or undefined when everything ran. */
export function skippedSentence(skipped: { repeated: number; overLimit: number }): string | undefined {
  const parts = [
    ...(skipped.overLimit > 0 ? [`${skipped.overLimit} command ${skipped.overLimit === 1 ? "line" : "lines"} past the first ${MAX_COMMAND_LINES} (post them in another comment)`] : []),
    ...(skipped.repeated > 0 ? [`${skipped.repeated} repeated ${skipped.repeated === 1 ? "line" : "lines"} (each distinct line runs once)`] : []),
  ];
  return parts.length > 0 ? `Skipped: ${parts.join("; ")}.` : undefined;
}
