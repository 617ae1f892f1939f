import nock from "nock";
import { checkRequest } from "./openapi.js";
import { INSTALLATION_ID } from "./fixtures.js";

/** The calls a delivery starts with: the token exchange, then `.github/mainline.yml`, absent in the repository and the org. */
export const CONFIG_READS = [
  "POST /app/installations/2/access_tokens",
  "GET /repos/Codertocat/Hello-World/contents/.github%2Fmainline.yml",
  "GET /repos/Codertocat/.github/contents/.github%2Fmainline.yml",
];

/** What the app reads to see incident #`incident` as GitHub records it: its comments, the merge-back issues, the RCA issues. */
export const incidentViewReads = (incident: number) => [
  `GET /repos/Codertocat/Hello-World/issues/${incident}/comments?per_page=100`,
  "GET /repos/Codertocat/Hello-World/issues?labels=merge-back&state=all&per_page=100",
  "GET /repos/Codertocat/Hello-World/issues?labels=rca&state=all&per_page=100",
];

export type RecordedRequest = { method: string; path: string; body: unknown };

/**
 * nock for api.github.com that records every request the app makes and checks each one
 * against GitHub's OpenAPI description. `done()` fails the test on an invalid request, an
 * unmatched request, or a mock the app never called.
 */
export function mockGitHub() {
  const requests: RecordedRequest[] = [];
  const problems: string[] = [];
  const scope = nock("https://api.github.com");
  scope.on("request", (req: { method: string; path: string }, _interceptor: unknown, body: string) => {
    const parsed = body ? JSON.parse(body) : undefined;
    requests.push({ method: req.method, path: req.path, body: parsed });
    problems.push(...checkRequest({ method: req.method, path: req.path, body: parsed }));
  });
  const onNoMatch = (req: { method: string; path: string }) => problems.push(`unexpected request: ${req.method} ${req.path}`);
  nock.emitter.on("no match", onNoMatch);
  return {
    scope,
    requests,
    /** The access token exchange every installation-authenticated delivery starts with. */
    token() {
      return scope.post(`/app/installations/${INSTALLATION_ID}/access_tokens`).reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
    },
    /** `.github/mainline.yml`: YAML text for the repository, or absent (404) in both repository and org. */
    config(yaml?: string) {
      if (yaml === undefined) {
        scope.get("/repos/Codertocat/Hello-World/contents/.github%2Fmainline.yml").reply(404);
        return scope.get("/repos/Codertocat/.github/contents/.github%2Fmainline.yml").reply(404);
      }
      return scope.get("/repos/Codertocat/Hello-World/contents/.github%2Fmainline.yml").reply(200, yaml, { "content-type": "text/plain; charset=utf-8" });
    },
    /** The gate's look for exceptions: the open incidents. */
    incidents(list: unknown[] = []) {
      return scope.get("/repos/Codertocat/Hello-World/issues?labels=incident&state=open&per_page=100").reply(200, list);
    },
    /** The lines "METHOD path" in order, for asserting exactly what the app asked of GitHub. */
    calls() {
      return requests.map((r) => `${r.method} ${r.path}`);
    },
    done() {
      nock.emitter.removeListener("no match", onNoMatch);
      const pending = scope.pendingMocks();
      expect({ problems, pending }).toEqual({ problems: [], pending: [] });
    },
  };
}

/** mockGitHub() with the token exchange and the config answered: no `.github/mainline.yml`, or `yaml` in the repository. */
export function mockGitHubWithConfig(yaml?: string) {
  const github = mockGitHub();
  github.token();
  github.config(yaml);
  return github;
}
