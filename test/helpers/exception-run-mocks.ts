import { OWNER, REPO } from "./fixtures.js";
import { restCheckRuns } from "./rest-objects.js";

/**
 * The gate's one read of an exception's state, for nock tests: this app's `mainline/exception`
 * check runs on S (filtered by app id 123, as `testApp()` runs it).
 */
export const exceptionRunsPath = (sha: string) =>
  `/repos/${OWNER}/${REPO}/commits/${sha}/check-runs?check_name=mainline%2Fexception&app_id=123&filter=all&per_page=100`;

/** `GET .../commits/{S}/check-runs` when S has no exception runs of this app. */
export function exceptionRunsReply() {
  return restCheckRuns([]);
}

/**
 * Compares the calls made with the calls expected, where a group (an array) holds calls made
 * side by side (`Promise.all`): those may come in either order, the rest in the order given.
 */
export function normaliseConcurrent(actual: readonly string[], expected: ReadonlyArray<string | readonly string[]>): string[] {
  const result: string[] = [];
  let at = 0;
  for (const step of expected) {
    if (typeof step === "string") {
      result.push(actual[at] ?? "<missing>");
      at += 1;
      continue;
    }
    const block = actual.slice(at, at + step.length);
    // Put the block in the expected order when it holds exactly the expected calls; else leave it as made, to fail visibly.
    const same = [...block].sort().join("\n") === [...step].sort().join("\n");
    result.push(...(same ? step : block));
    at += step.length;
  }
  return [...result, ...actual.slice(at)];
}

/** `expected` with its groups flattened: what `normaliseConcurrent(actual, expected)` must equal. */
export function flatCalls(expected: ReadonlyArray<string | readonly string[]>): string[] {
  return expected.flatMap((step) => (typeof step === "string" ? [step] : [...step]));
}

/** The calls made were exactly `expected`, a group's calls (made side by side) in any order among themselves. */
export function expectCalls(actual: readonly string[], expected: ReadonlyArray<string | readonly string[]>): void {
  expect(normaliseConcurrent(actual, expected)).toEqual(flatCalls(expected));
}
