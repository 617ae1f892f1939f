import nock from "nock";
import { ProbotOctokit } from "probot";
import { isApiError } from "../../src/github/api-error.js";
import { isNotFoundOnly, queryGitHub } from "../../src/github/graphql.js";
import { checkRequest } from "../helpers/openapi.js";

const octokit = new ProbotOctokit({ auth: { token: "ghs_test" }, throttle: { enabled: false }, retry: { enabled: false } });

test("only a named query is sent: a mutation, or an unnamed document, is refused before any request", async () => {
  const sent: string[] = [];
  octokit.hook.before("request", (options) => void sent.push(options.url));
  await expect(queryGitHub(octokit, "mutation closeIt { closeIssue(input: {issueId: \"I\"}) { clientMutationId } }", {})).rejects.toThrow("only a named GraphQL query");
  await expect(queryGitHub(octokit, "{ viewer { login } }", {})).rejects.toThrow("only a named GraphQL query");
  await expect(queryGitHub(octokit, "query a { viewer { login } } mutation b { x }", {})).rejects.toThrow("only a named GraphQL query");
  expect(sent).toEqual([]);
});

describe("requests to GitHub's GraphQL endpoint are checked against GitHub's schema", () => {
  const document = "query who($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { nameWithOwner } }";
  test.each(["/graphql", "/api/graphql"])("%s: a valid query with its variables passes", (path) => {
    expect(checkRequest({ method: "POST", path, body: { query: document, variables: { owner: "o", name: "r" } } })).toEqual([]);
  });
  test.each([
    ["a field GitHub does not have", { query: "query who { viewer { nickname } }" }, /Cannot query field "nickname" on type "User"/],
    ["a missing variable", { query: document, variables: { owner: "o" } }, /Variable "\$name" of required type "String!" was not provided/],
    ["a variable of the wrong type", { query: document, variables: { owner: "o", name: 7 } }, /String cannot represent a non string value/],
    ["an undeclared variable", { query: document, variables: { owner: "o", name: "r", extra: 1 } }, /variable \$extra is not declared/],
    ["a mutation", { query: "mutation m { closeIssue(input: {issueId: \"I\"}) { clientMutationId } }" }, /one named query, and nothing else/],
    ["no query", { variables: {} }, /the body has no query/],
  ])("%s is a problem", (_what, body, problem) => {
    expect(checkRequest({ method: "POST", path: "/api/graphql", body }).join("\n")).toMatch(problem);
  });
});

describe("GitHub's errors in a query's answer are API errors (a close gate says \"could not verify\" on them, and never crashes)", () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  const document = "query who { viewer { login } }";

  test("an answer with errors (a repository GitHub cannot find): HTTP 200 with GitHub's message, and known as not found", async () => {
    nock("https://api.github.com").post("/graphql").reply(200, { data: { repository: null }, errors: [{ type: "NOT_FOUND", message: "Could not resolve to a Repository with the name 'o/r'." }] });
    const error = await queryGitHub(octokit, document, {}).catch((e: unknown) => e);
    expect(isApiError(error)).toBe(true);
    expect((error as Error).message).toBe("the query failed: Could not resolve to a Repository with the name 'o/r'.");
    expect(isNotFoundOnly(error)).toBe(true);
  });

  test("a rate-limited query, as Probot's throttling throws it (a plain Error with GitHub's answer)", async () => {
    const throttled = new ProbotOctokit({ auth: { token: "ghs_test" }, throttle: { enabled: true, onRateLimit: () => false, onSecondaryRateLimit: () => false }, retry: { enabled: false } });
    const reset = String(Math.floor(Date.now() / 1000) + 3600);
    nock("https://api.github.com")
      .post("/graphql")
      .reply(200, { data: null, errors: [{ type: "RATE_LIMITED", message: "API rate limit exceeded" }] }, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset });
    const error = await queryGitHub(throttled, document, {}).catch((e: unknown) => e);
    expect(isApiError(error)).toBe(true);
    expect((error as Error).message).toBe("the query failed: API rate limit exceeded");
    expect(isNotFoundOnly(error)).toBe(false);
  });
});
