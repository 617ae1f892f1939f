import type { GitHubTestServer } from "../test/helpers/github-server.js";
import type { RunningApp } from "../test/helpers/start-app.js";

const ANSWER_WITHIN_MS = 60_000;
/** After a 202, the app is done when the test server has had no request for this long (longer than Probot's 3 s comment spacing). */
const QUIET_MS = 4_000;

/**
 * Sends one signed webhook and waits until the app has done its work: its 200, or, when Probot
 * answered 202 ("still processing" after 9 s), until GitHub hears nothing more from it.
 */
export async function deliver(app: RunningApp, github: GitHubTestServer, event: string, payload: unknown): Promise<{ late: boolean }> {
  let timer: NodeJS.Timeout | undefined;
  const tooLate = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the app did not answer the ${event} webhook within ${ANSWER_WITHIN_MS / 1000} s`)), ANSWER_WITHIN_MS);
  });
  try {
    const res = await Promise.race([app.deliver(event, payload), tooLate]);
    const text = await res.text();
    if (res.status === 202) return (await quiet(github), { late: true });
    if (res.status !== 200) throw new Error(`the app answered the ${event} webhook with ${res.status}: ${text.slice(0, 300)}`);
    return { late: false };
  } finally {
    clearTimeout(timer);
  }
}

async function quiet(github: GitHubTestServer): Promise<void> {
  let seen = -1;
  while (seen !== github.log.length) {
    seen = github.log.length;
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  }
}
