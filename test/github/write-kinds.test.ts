import { isAppAuthentication, isGateAnswer, isGraphQLQuery, isWrite, restoresState } from "../../src/github/write-kinds.js";

// Each kind as a hook sees it: the caller's route template, or the URL filled in (github.com, or GHES's /api/v3).
const forms = (template: string, filled: string) => [template, `https://api.github.com${filled}`, `https://ghe.example/api/v3${filled}`];

test.each([
  ["POST", "/app/installations/{installation_id}/access_tokens", "/app/installations/7/access_tokens", "authentication"],
  ["PATCH", "/applications/{client_id}/token/scoped", "/applications/abc/token/scoped", "authentication"],
  ["POST", "/repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule", "/repos/o/r/actions/runs/9/deployment_protection_rule", "gate answer"],
  ["POST", "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses", "/repos/o/r/deployments/5/statuses", "gate answer"],
  ["PUT", "/repos/{owner}/{repo}/issues/{issue_number}/lock", "/repos/o/r/issues/3/lock", "restores"],
  ["DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/lock", "/repos/o/r/issues/3/lock", "write"],
  ["POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", "/repos/o/r/issues/3/comments", "write"],
  ["POST", "/repos/{owner}/{repo}/deployments", "/repos/o/r/deployments", "write"],
  ["GET", "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses", "/repos/o/r/deployments/5/statuses", "read"],
])("%s %s is a %s", (method, template, filled, kind) => {
  for (const url of forms(template, filled)) {
    expect(isWrite(method, url)).toBe(kind !== "read");
    expect(isAppAuthentication(method, url)).toBe(kind === "authentication");
    expect(isGateAnswer(method, url)).toBe(kind === "gate answer");
    expect(restoresState(method, url)).toBe(kind === "restores");
  }
});

test("a GraphQL query is a read, sent as a POST to /graphql (GHES: /api/graphql)", () => {
  for (const url of ["/graphql", "https://api.github.com/graphql", "https://ghe.example/api/graphql"]) {
    expect(isGraphQLQuery("POST", url)).toBe(true);
    expect(isWrite("POST", url)).toBe(false);
  }
  expect(isGraphQLQuery("POST", "/repos/o/graphql")).toBe(false);
  expect(isWrite("POST", "/repos/o/graphql")).toBe(true);
});
