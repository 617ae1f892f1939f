import { bareGate } from "./floor-app.js";

/**
 * A diagnostic second floor: the bare Probot app of floor-app.ts plus the reads mainline's gate
 * makes on a commit not known to be on main (SPEC sections 3 and 8), and nothing else — the config
 * file (Probot's `context.config`), then together the compare and this app's `mainline/exception`
 * check runs on the commit (one request, filtered by app id; when there is one, then its incident's
 * issue: is it open here?), then the answer. It decides as the floor does (on the compare alone):
 * what it measures is what those reads cost a bare Probot app, so that mainline's figures can be
 * split into the price of the reads and the price of the rest.
 */
const appId = Number(process.env.APP_ID);

export default bareGate({
  first: (context) => context.config("mainline.yml"),
  beside: async (context, { owner, repo, sha }) => {
    const { data: runs } = await context.octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { owner, repo, ref: sha, check_name: "mainline/exception", app_id: appId, filter: "all", per_page: 100 });
    // A run names its incident (external_id `incident-<n>:<env>`): is that incident an open issue here?
    const incident = Number(/^incident-(\d+):/.exec(runs.check_runs[0]?.external_id ?? "")?.[1]);
    if (incident) await context.octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { owner, repo, issue_number: incident });
  },
});
