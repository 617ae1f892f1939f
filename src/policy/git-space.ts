/**
 * Whitespace as git's own `isspace` sees it (sane_ctype in git's ctype.c): space, tab, LF and CR.
 * Not the C library's, not JavaScript's: vertical tab and form feed are text to git, and so are
 * bytes above 0x7f, so a patch id computed with any wider idea of whitespace would not be git's.
 */
export function isGitSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/** The bytes with git's whitespace removed: how `git patch-id` compares lines. */
export function withoutGitSpace(bytes: Uint8Array): Buffer {
  const kept = Buffer.alloc(bytes.length);
  let length = 0;
  for (const byte of bytes) if (!isGitSpace(byte)) kept[length++] = byte;
  return kept.subarray(0, length);
}
