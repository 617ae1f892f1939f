import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApplicationFunction, Context } from "probot";

/**
 * The floor: a bare Probot app that answers a deployment gate with only the calls the decision
 * cannot do without — one compare (is the commit reachable from the default branch?) and one
 * protection-rule answer. No config, no incidents, no cache, no error handling. Whatever
 * mainline spends beyond this is the price of its features.
 */
const CALLBACK_RUN = /\/repos\/[^/]+\/[^/]+\/actions\/runs\/(\d+)\/deployment_protection_rule$/;

type RuleContext = Context<"deployment_protection_rule.requested">;
export type Target = { owner: string; repo: string; sha: string };

/** Reads a variant of the floor makes too: `first` before the compare, `beside` together with it. It still decides on the compare alone. */
export type ExtraReads = { first?: (context: RuleContext) => Promise<unknown>; beside?: (context: RuleContext, target: Target) => Promise<unknown> };

export function bareGate({ first, beside }: ExtraReads = {}): ApplicationFunction {
  return (app, { addHandler }) => {
    app.on("deployment_protection_rule.requested", async (context) => {
      const { payload } = context;
      const target = { owner: payload.repository.owner.login, repo: payload.repository.name, sha: payload.deployment?.sha ?? "" };
      const { owner, repo, sha } = target;
      const runId = Number(CALLBACK_RUN.exec(new URL(payload.deployment_callback_url ?? "http://x/").pathname)?.[1]);
      await first?.(context);
      const [{ data }] = await Promise.all([
        context.octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", { owner, repo, basehead: `${payload.repository.default_branch}...${sha}`, per_page: 1 }),
        beside?.(context, target),
      ]);
      const onMain = data.status === "identical" || data.status === "behind";
      await context.octokit.request("POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule", {
        owner,
        repo,
        run_id: runId,
        environment_name: payload.environment ?? "",
        state: onMain ? "approved" : "rejected",
        comment: onMain ? "on main" : "not on main",
      });
    });
    // The same readiness answer mainline gives, so both are started and awaited alike.
    addHandler((req: IncomingMessage, res: ServerResponse) => {
      if (req.method !== "GET" || req.url !== "/healthz") return false;
      res.writeHead(200).end("ok");
      return true;
    });
  };
}

export default bareGate();
