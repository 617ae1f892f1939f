import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApplicationFunction } from "probot";

/**
 * A diagnostic second floor: the bare Probot app of floor-app.ts plus the reads mainline's gate
 * makes on a commit not known to be on main (SPEC sections 3 and 8), and nothing else — the config
 * file (Probot's `context.config`), then together the compare and this app's `mainline/exception`
 * check runs on the commit (one request, filtered by app id; when there is one, then its incident's
 * issue: is it open here?), then the answer. It decides as the floor does (on the compare alone):
 * what it measures is what those reads cost a bare Probot app, so that mainline's figures can be
 * split into the price of the reads and the price of the rest.
 */
const CALLBACK_RUN = /\/repos\/[^/]+\/[^/]+\/actions\/runs\/(\d+)\/deployment_protection_rule$/;

const floorWithReads: ApplicationFunction = (app, { addHandler }) => {
  const appId = Number(process.env.APP_ID);
  app.on("deployment_protection_rule.requested", async (context) => {
    const { payload } = context;
    const owner = payload.repository.owner.login;
    const repo = payload.repository.name;
    const sha = payload.deployment?.sha ?? "";
    const runId = Number(CALLBACK_RUN.exec(new URL(payload.deployment_callback_url ?? "http://x/").pathname)?.[1]);
    await context.config("mainline.yml");
    const exceptions = async () => {
      const { data: runs } = await context.octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { owner, repo, ref: sha, check_name: "mainline/exception", app_id: appId, filter: "all", per_page: 100 });
      // A run names its incident (external_id `incident-<n>:<env>`): is that incident an open issue here?
      const incident = Number(/^incident-(\d+):/.exec(runs.check_runs[0]?.external_id ?? "")?.[1]);
      if (incident) await context.octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { owner, repo, issue_number: incident });
    };
    const [{ data }] = await Promise.all([
      context.octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", { owner, repo, basehead: `${payload.repository.default_branch}...${sha}`, per_page: 1 }),
      exceptions(),
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
  addHandler((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "GET" || req.url !== "/healthz") return false;
    res.writeHead(200).end("ok");
    return true;
  });
};

export default floorWithReads;
