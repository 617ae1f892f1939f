/** What GitHub tells about a deployment that reached a gated environment without approval. */
export type BypassFacts = {
  creator: string;
  /** The app that created the deployment (e.g. `github-actions`), when one did. */
  viaApp: string | null;
  fromActions: boolean;
  /** mainline's own failure status on the deployment, when it wrote one. */
  refusedBy: string | null;
};

/** How a deployment got past the gate, one sentence each, as far as the facts go. */
export function describeBypass(facts: BypassFacts): string[] {
  const lines: string[] = [];
  if (facts.refusedBy) {
    lines.push(`mainline had refused it (deployment status \`failure\`: ${facts.refusedBy.replace(/`/g, "'")}), and the deploy tool went on anyway.`);
  }
  if (facts.fromActions || facts.viaApp === "github-actions") {
    lines.push("GitHub Actions deployed it: an admin may have bypassed the environment's protection rules, or the environment does not have mainline as a custom protection rule.");
  } else if (facts.viaApp) {
    lines.push(`The app \`${facts.viaApp}\` created the deployment through the API.`);
  }
  if (!facts.refusedBy && !facts.fromActions && facts.viaApp !== "github-actions") {
    lines.push("mainline never refused this deployment: its webhook may not have reached mainline, or the deployment was made before mainline was installed.");
  }
  lines.push(`The deployment was created by \`${facts.creator.replace(/`/g, "'")}\`.`);
  return lines;
}
