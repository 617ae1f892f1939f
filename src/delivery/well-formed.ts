import type { Context } from "probot";
import { z } from "zod";

/** A login, repository, branch or environment name: none GitHub allows is longer, and each may end up in a URL. */
const name = z.string().min(1).max(255);
const count = z.number().int().positive();
const sha = z.string().regex(/^[0-9a-f]{40}$/, "expected a 40-hex commit SHA");
const timestamp = z.iso.datetime();

/** What every handled event carries: without the installation no client can act for it. */
const delivered = {
  installation: z.object({ id: count }),
  repository: z.object({
    id: z.number().int(),
    name,
    full_name: z.string().min(3).max(511),
    default_branch: name,
    html_url: z.string(),
    owner: z.object({ login: name }),
  }),
};

const issue = z.object({
  number: count,
  title: z.string(),
  body: z.string().nullish(),
  state: z.string(),
  labels: z.array(z.union([z.string(), z.object({ name: z.string().nullish() })])),
  created_at: timestamp,
  closed_at: timestamp.nullable(),
  html_url: z.string(),
  assignees: z.array(z.object({ login: name })).nullish(),
});

const deployment = z.object({ id: count, sha, environment: name });

/** The run the answer goes to: the handler answers through this URL's path, on the API it is configured for. */
const callbackUrl = z
  .string()
  .refine((url) => URL.canParse(url) && /\/actions\/runs\/\d+\/deployment_protection_rule$/.test(new URL(url).pathname), "expected a deployment protection rule callback URL");

const pullRequests = z.array(z.object({ number: count }));

/** A pushed commit's added, modified or removed paths (GitHub always lists them). */
const files = z.array(z.string()).optional();

// A protection rule must be answered whenever it can be: a missing commit or environment is the
// handler's to answer (or report), so only the types are checked here.
const protectionRule = z.object({
  ...delivered,
  deployment_callback_url: callbackUrl.optional(),
  environment: z.string().optional(),
  sha: z.string().optional(),
  deployment: z.object({ id: count, sha: z.string().optional(), environment: z.string().optional() }).nullish(),
});

const issues = z.object({ ...delivered, issue });

/**
 * The fields each handler reads from its webhook (by event, or event.action where that reads
 * more), and the shapes it relies on, so a payload GitHub would never send (a field missing, of
 * the wrong type, a date that is no date) is refused in one place with a log line saying what is
 * wrong, instead of failing deep inside a handler with a TypeError. Only what the handlers read
 * is checked: GitHub adds fields often. Ids, SHAs and timestamps that end up in the app's hidden
 * markers are held to the marker's own format, or the record written from them could never be
 * read back.
 */
const schemas: Record<string, z.ZodType> = {
  deployment_protection_rule: protectionRule,
  deployment: z.object({ ...delivered, deployment }),
  deployment_status: z.object({
    ...delivered,
    deployment_status: z.object({ state: z.string(), created_at: z.iso.datetime({ offset: true }) }),
    deployment: deployment.extend({
      creator: z.object({ login: name }).nullish(),
      performed_via_github_app: z.object({ slug: z.string() }).nullish(),
    }),
  }),
  issue_comment: z.object({
    ...delivered,
    issue,
    comment: z.object({
      id: count,
      body: z.string(),
      html_url: z.string(),
      user: z.object({ type: z.string().optional() }).nullable(),
      performed_via_github_app: z.object({ id: z.number().int() }).nullish(),
    }),
    // The sender's id goes into the records of `/hotfix allow|approve` (a renamed account is still its person).
    sender: z.object({ login: name, id: count, type: z.string() }),
    changes: z.object({ body: z.object({ from: z.string() }).optional() }).optional(),
  }),
  issues,
  // Who added the label decides whether it makes an incident (their role is asked of GitHub).
  "issues.labeled": issues.extend({ label: z.object({ name: z.string() }).nullish(), sender: z.object({ login: name }) }),
  // The close is identified by its timestamp when the app reopens it; who closed a post-merge review decides whether it is done.
  "issues.closed": issues.extend({ issue: issue.extend({ closed_at: timestamp }), sender: z.object({ login: name, id: count, type: z.string() }) }),
  // Which files each commit changed says whether the push touched the config; the head and who
  // pushed go into a post-merge review's marker and record.
  push: z.object({
    ...delivered,
    ref: z.string(),
    after: sha,
    forced: z.boolean(),
    compare: z.string(),
    sender: z.object({ login: name, id: count }),
    commits: z.array(z.object({ id: sha, message: z.string(), added: files, modified: files, removed: files })),
  }),
  pull_request: z.object({
    ...delivered,
    pull_request: z.object({
      number: count,
      merged: z.boolean().nullish(),
      base: z.object({ ref: name, sha }),
      head: z.object({ ref: name, sha }),
    }),
  }),
  check_run: z.object({ ...delivered, check_run: z.object({ name: z.string(), pull_requests: pullRequests }) }),
  check_suite: z.object({ ...delivered, check_suite: z.object({ pull_requests: pullRequests }) }),
};

export type PayloadProblem = { path: string; message: string };

/** What is wrong with a payload of `event` (with its `action`), or undefined when the handlers can rely on it. */
export function payloadProblem(event: string, action: unknown, payload: unknown): PayloadProblem | undefined {
  const schema = (typeof action === "string" ? schemas[`${event}.${action}`] : undefined) ?? schemas[event];
  const result = schema?.safeParse(payload);
  if (!result || result.success) return undefined;
  const [first] = result.error.issues;
  return { path: first?.path.join(".") || "(payload)", message: first?.message ?? "invalid" };
}

/**
 * Runs `handler` only on a payload it can rely on. Anything else is logged with the delivery id
 * and what is wrong, and ignored: a redelivery of the same payload could not do better. Errors
 * from the handler itself (GitHub's API failing) still fail the delivery, so it is redelivered.
 * `dropped` hears of each ignored delivery (the metrics count them).
 */
export function ifWellFormed<C extends Context>(handler: (context: C) => Promise<void>, dropped: (context: C) => void = () => {}) {
  return async (context: C): Promise<void> => {
    const action = (context.payload as { action?: unknown }).action;
    const problem = payloadProblem(context.name, action, context.payload);
    if (!problem) return handler(context);
    const event = typeof action === "string" ? `${context.name}.${action.slice(0, 40)}` : context.name;
    context.log.warn({ deliveryId: context.id, event, ...problem }, `ignored ${event} delivery ${context.id}: malformed payload, ${problem.path}: ${problem.message}`);
    dropped(context);
  };
}
