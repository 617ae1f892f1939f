/** The 7-character form GitHub shows for a commit. */
export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}
