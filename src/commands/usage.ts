import type { Command } from "./parse.js";

/** The usage line of each command, e.g. "/hotfix allow <sha> [env] -- <reason>" */
export const USAGE: Record<Command["name"], string> = {
  incident: "/incident [title]",
  "incident-close": "/incident close",
  "incident-force-close": "/incident force-close <reason>",
  "incident-rollback": "/incident rollback [env]",
  "hotfix-allow": "/hotfix allow <sha> [env] -- <reason>",
  "hotfix-approve": "/hotfix approve <sha>",
  "hotfix-revoke": "/hotfix revoke <sha>",
  "merge-back": "/merge-back <sha>",
  "mainline-status": "/mainline status",
  "mainline-report": "/mainline report",
  "mainline-help": "/mainline help",
};

/** The usage lines of several commands, one per line, for a reply that shows every form. */
export function usageOf(...names: Command["name"][]): string {
  return names.map((name) => USAGE[name]).join("\n");
}

type HelpRow = { command: Command["name"]; where: string; who: string; does: string };

const OVERRIDE_ROLE = "`override.permission` (default maintain)";

/** SPEC section 6, in its order. */
const HELP_ROWS: readonly HelpRow[] = [
  { command: "incident", where: "any issue", who: "write", does: "makes the issue an incident" },
  {
    command: "hotfix-allow",
    where: "incident",
    who: OVERRIDE_ROLE,
    does: "grants one exception for (sha, env; default the first gated environment), expiring after `override.ttlHours`",
  },
  {
    command: "hotfix-approve",
    where: "incident",
    who: `${OVERRIDE_ROLE}, not the grantor`,
    does: "second approval when `override.approvals: 2`",
  },
  { command: "hotfix-revoke", where: "incident", who: OVERRIDE_ROLE, does: "withdraws an unused exception" },
  { command: "merge-back", where: "incident", who: "write", does: "tracks a merge-back item by hand" },
  { command: "incident-close", where: "incident", who: "write", does: "closes if nothing blocks, else lists blockers" },
  { command: "incident-force-close", where: "incident", who: "admin", does: "closes anyway, recorded in the ledger" },
  {
    command: "incident-rollback",
    where: "open incident",
    who: "write",
    does: "deploys the rollback candidate (the last deployment of env, default the first gated environment, that was on main and succeeded)",
  },
  { command: "mainline-status", where: "incident or PR", who: "anyone", does: "re-renders the ledger / re-runs the check" },
  {
    command: "mainline-report",
    where: "any issue",
    who: "write",
    does:
      "replies with the repository's last 90 days: incidents, exceptions granted and used, median time from " +
      "exception deploy to merge-back, RCAs done on time, cascades, days since the last hotfix",
  },
  { command: "mainline-help", where: "anywhere", who: "anyone", does: "lists the commands" },
];

/** Markdown for /mainline help: every command, where it works, who may run it, what it does (SPEC table). */
export function helpText(): string {
  return [
    "**mainline commands**: one per line of a comment; lines in code blocks and quotes are ignored.",
    "",
    "| command | where | who | does |",
    "| --- | --- | --- | --- |",
    ...HELP_ROWS.map(({ command, where, who, does }) => `| \`${USAGE[command]}\` | ${where} | ${who} | ${does} |`),
  ].join("\n");
}
