import { readFileSync } from "node:fs";
import type { Context } from "probot";
import { parse } from "yaml";
import { ifWellFormed, payloadProblem } from "../../src/delivery/well-formed.js";
import {
  checkRunRerequested,
  checkSuiteRerequested,
  deploymentCreated,
  deploymentStatusCreated,
  issueComment,
  issueEvent,
  protectionRuleRequested,
  pullRequestEvent,
  pushEvent,
  SHA,
} from "../helpers/fixtures.js";
import { capturedLogger } from "../helpers/log-capture.js";

const push = () => pushEvent({ before: SHA.onMain, after: SHA.mainHead, commits: [{ id: SHA.mainHead, message: "Fix" }] });

describe("payloadProblem", () => {
  test("every event the manifest subscribes to has a schema", () => {
    const events: string[] = parse(readFileSync("app.yml", "utf8")).default_events;
    expect(events.filter((event) => payloadProblem(event, undefined, {}) === undefined)).toEqual([]);
  });

  test.each<[string, () => { action?: string }]>([
    ["deployment_protection_rule", () => protectionRuleRequested({ sha: SHA.offMain })],
    ["deployment", () => deploymentCreated({ sha: SHA.offMain })],
    ["deployment_status", () => deploymentStatusCreated({ sha: SHA.offMain })],
    ["issue_comment", () => issueComment({ body: "/mainline help", issue: { number: 1 } })],
    ["issues", () => issueEvent("labeled", { number: 1, labels: ["incident"] })],
    ["issues", () => issueEvent("closed", { number: 1, state: "closed" })],
    ["issues", () => issueEvent("edited", { number: 1 })],
    ["push", push],
    ["pull_request", () => pullRequestEvent("closed")],
    ["check_run", () => checkRunRerequested({ name: "mainline/merge-first" })],
    ["check_suite", () => checkSuiteRerequested({})],
  ])("GitHub's %s payload is well-formed", (event, payload) => {
    const made = payload();
    expect(payloadProblem(event, made.action, made)).toBeUndefined();
  });

  const mangled = (make: () => object, change: (payload: Record<string, any>) => void) => () => {
    const payload = make() as Record<string, any>;
    change(payload);
    return payload;
  };

  test.each<[string, string, () => Record<string, any>, { path: string; message: string }]>([
    ["deployment without its commit", "deployment", mangled(() => deploymentCreated({ sha: SHA.offMain }), (p) => delete p.deployment.sha), { path: "deployment.sha", message: "Invalid input: expected string, received undefined" }],
    ["deployment of a branch name, not a SHA", "deployment", () => deploymentCreated({ sha: "main" }), { path: "deployment.sha", message: "expected a 40-hex commit SHA" }],
    ["no installation to act for", "deployment", mangled(() => deploymentCreated({ sha: SHA.offMain }), (p) => delete p.installation), { path: "installation", message: "Invalid input: expected object, received undefined" }],
    ["a repository name longer than GitHub allows", "deployment", mangled(() => deploymentCreated({ sha: SHA.offMain }), (p) => (p.repository.name = "x".repeat(256))), { path: "repository.name", message: "Too big: expected string to have <=255 characters" }],
    ["a repository without owner", "push", mangled(push, (p) => (p.repository.owner = null)), { path: "repository.owner", message: "Invalid input: expected object, received null" }],
    ["a status time that is no time", "deployment_status", mangled(() => deploymentStatusCreated({ sha: SHA.offMain }), (p) => (p.deployment_status.created_at = "yesterday")), { path: "deployment_status.created_at", message: "Invalid ISO datetime" }],
    ["a closed issue without its close time", "issues", mangled(() => issueEvent("closed", { number: 1, state: "closed" }), (p) => (p.issue.closed_at = null)), { path: "issue.closed_at", message: "Invalid input: expected string, received null" }],
    ["a label without a name", "issues", mangled(() => issueEvent("labeled", { number: 1, labels: ["incident"] }), (p) => (p.label = { name: 5 })), { path: "label.name", message: "Invalid input: expected string, received number" }],
    ["an issue without labels", "issues", mangled(() => issueEvent("edited", { number: 1 }), (p) => delete p.issue.labels), { path: "issue.labels", message: "Invalid input: expected array, received undefined" }],
    ["a comment id that is no id", "issue_comment", mangled(() => issueComment({ body: "/mainline help", issue: { number: 1 } }), (p) => (p.comment.id = -1)), { path: "comment.id", message: "Too small: expected number to be >0" }],
    ["a pushed commit without a SHA", "push", mangled(push, (p) => (p.commits[0].id = 7)), { path: "commits.0.id", message: "Invalid input: expected string, received number" }],
    ["a pull request without its head", "pull_request", mangled(() => pullRequestEvent("opened"), (p) => delete p.pull_request.head), { path: "pull_request.head", message: "Invalid input: expected object, received undefined" }],
    ["a check suite's pull requests as a string", "check_suite", mangled(() => checkSuiteRerequested({}), (p) => (p.check_suite.pull_requests = "2")), { path: "check_suite.pull_requests", message: "Invalid input: expected array, received string" }],
    ["a callback URL that is no URL", "deployment_protection_rule", mangled(() => protectionRuleRequested({ sha: SHA.offMain }), (p) => (p.deployment_callback_url = "not a url")), { path: "deployment_callback_url", message: "expected a deployment protection rule callback URL" }],
    ["a callback URL to another API", "deployment_protection_rule", mangled(() => protectionRuleRequested({ sha: SHA.offMain }), (p) => (p.deployment_callback_url = "https://api.github.com/repos/a/b/deployments")), { path: "deployment_callback_url", message: "expected a deployment protection rule callback URL" }],
    ["a payload that is no object", "push", () => "push" as never, { path: "(payload)", message: "Invalid input: expected object, received string" }],
  ])("%s", (_case, event, payload, problem) => {
    const made = payload();
    expect(payloadProblem(event, made?.action, made)).toEqual(problem);
  });

  test.each<[string, () => Record<string, any>]>([
    ["without a deployment", mangled(() => protectionRuleRequested({ sha: SHA.offMain }), (p) => (p.deployment = null))],
    ["without a commit", mangled(() => protectionRuleRequested({ sha: SHA.offMain }), (p) => delete p.deployment.sha)],
    ["without a callback URL", mangled(() => protectionRuleRequested({ sha: SHA.offMain }), (p) => delete p.deployment_callback_url)],
  ])("a protection rule request %s is left to its handler, which answers or reports it", (_case, payload) => {
    expect(payloadProblem("deployment_protection_rule", "requested", payload())).toBeUndefined();
  });

  test("an event the app does not handle has nothing to check", () => {
    expect(payloadProblem("star", "created", {})).toBeUndefined();
  });
});

describe("ifWellFormed", () => {
  function contextFor(name: string, payload: unknown) {
    const { log, lines } = capturedLogger();
    return { context: { name, id: "delivery-7", payload, log } as unknown as Context, lines };
  }

  test("a malformed payload never reaches the handler, and the log says which delivery and what is wrong", async () => {
    const handled: string[] = [];
    const { context, lines } = contextFor("deployment", deploymentCreated({ sha: "main" }));
    await ifWellFormed(async (c) => void handled.push(c.id))(context);
    expect(handled).toEqual([]);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        deliveryId: "delivery-7",
        event: "deployment.created",
        path: "deployment.sha",
        message: "expected a 40-hex commit SHA",
        msg: "ignored deployment.created delivery delivery-7: malformed payload, deployment.sha: expected a 40-hex commit SHA",
      }),
    ]);
  });

  test("an action of any length is named by at most its first 40 characters", async () => {
    const payload = Object.assign(push(), { action: "x".repeat(1000), ref: 7 });
    const { context, lines } = contextFor("push", payload);
    await ifWellFormed(async () => undefined)(context);
    expect(lines[0]).toMatchObject({ event: `push.${"x".repeat(40)}`, path: "ref" });
  });

  test("a well-formed payload is handled, and the handler's failure (GitHub's API) still fails the delivery", async () => {
    const { context, lines } = contextFor("push", push());
    const apiError = Object.assign(new Error("Server Error"), { status: 502 });
    await expect(ifWellFormed(async () => Promise.reject(apiError))(context)).rejects.toBe(apiError);
    expect(lines).toEqual([]);
  });
});
