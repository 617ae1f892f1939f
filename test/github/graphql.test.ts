import { ProbotOctokit } from "probot";
import { queryGitHub } from "../../src/github/graphql.js";
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
