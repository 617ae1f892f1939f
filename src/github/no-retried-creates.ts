import type { Octokit } from "./client.js";
import { isGraphQLQuery } from "./write-kinds.js";

/**
 * Probot's client retries a failed request up to three times, POSTs included. A POST that timed
 * out or got a 5xx may have been carried out all the same (the answer was lost), and sending it
 * again opens a second issue or writes a second comment. So a POST is sent once: when it fails,
 * the delivery fails, and its redelivery finds what the first one made (every handler looks
 * before it creates). Reads (GraphQL queries too), edits and deletions are safe to repeat and keep their retries.
 */
export function sendCreatesOnce<O extends Octokit>(octokit: O): O {
  octokit.hook.before("request", (options) => {
    if (options.method === "POST" && !isGraphQLQuery(options.method, options.url)) options.request = { ...options.request, retries: 0 };
  });
  return octokit;
}
