/**
 * An error that came back from GitHub's API, or from the network on the way to it
 * (Octokit reports both as a RequestError carrying a status), not from our own code.
 */
export function isApiError(error: unknown): error is Error & { status: number } {
  return error instanceof Error && typeof (error as { status?: unknown }).status === "number";
}

/** A short, secret-free description for messages: the status and GitHub's first line. */
export function describeApiError(error: Error & { status: number }): string {
  const message = error.message.split("\n")[0]!.slice(0, 120);
  return `HTTP ${error.status}: ${message}`;
}
