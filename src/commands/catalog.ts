import type { Role } from "../policy/roles.js";

/**
 * Every command this app answers, with its arguments as parsed. A new command is a variant
 * here, then an entry in COMMANDS, an argument reader in parse.ts and a runner in
 * procedures/commands/runners.ts: each is keyed by the name, so none can be forgotten.
 */
export type Command =
  | { name: "incident"; title?: string }
  | { name: "incident-close" }
  | { name: "incident-force-close"; reason: string }
  | { name: "incident-rollback"; environment?: string }
  | { name: "hotfix-allow"; sha: string; environment?: string; reason: string }
  | { name: "hotfix-approve"; sha: string }
  | { name: "hotfix-revoke"; sha: string }
  | { name: "merge-back"; sha: string }
  | { name: "mainline-status" }
  | { name: "mainline-report" }
  | { name: "mainline-help" };

export type CommandName = Command["name"];

export type CommandOf<N extends CommandName> = Extract<Command, { name: N }>;

/**
 * Where a command may run (SPEC section 6): anywhere; in an incident or a pull request; in an
 * issue that is not a pull request; in an incident, open or closed; in an open incident.
 * policy/command-rules.ts says why a place does not fit.
 */
export type PlaceRule = "anywhere" | "incident or pull request" | "issue" | "incident" | "open incident";

/** The least role that may run a command: anyone, the config's `override.permission`, or a fixed role. */
export type RoleRule = "anyone" | "override.permission" | Role;

export type CommandEntry = {
  /** What follows the slash: the family, then the subcommand if it has one (`["hotfix", "allow"]`). */
  words: readonly [string] | readonly [string, string];
  /** The usage line: the words, then the arguments. */
  usage: string;
  /** The command's row in `/mainline help`: where and who as people say it, and what it does. */
  help: { where: string; who: string; does: string };
  place: PlaceRule;
  role: RoleRule;
};

export type CommandCatalog = Readonly<Record<CommandName, CommandEntry>>;

const OVERRIDE_ROLE = "`override.permission` (default maintain)";

/** One entry per command, in the order of `/mainline help` (SPEC section 6). */
export const COMMANDS: CommandCatalog = {
  incident: {
    words: ["incident"],
    usage: "/incident [title]",
    help: { where: "any issue", who: "write", does: "makes the issue an incident" },
    place: "issue",
    role: "write",
  },
  "hotfix-allow": {
    words: ["hotfix", "allow"],
    usage: "/hotfix allow <sha> [env] -- <reason>",
    help: {
      where: "incident",
      who: OVERRIDE_ROLE,
      does: "grants one exception for (sha, env; default the first gated environment), expiring after `override.ttlHours`",
    },
    place: "open incident",
    role: "override.permission",
  },
  "hotfix-approve": {
    words: ["hotfix", "approve"],
    usage: "/hotfix approve <sha>",
    help: { where: "incident", who: `${OVERRIDE_ROLE}, not the grantor`, does: "second approval when `override.approvals: 2`" },
    place: "open incident",
    role: "override.permission",
  },
  "hotfix-revoke": {
    words: ["hotfix", "revoke"],
    usage: "/hotfix revoke <sha>",
    help: { where: "incident", who: OVERRIDE_ROLE, does: "withdraws an unused exception" },
    place: "open incident",
    role: "override.permission",
  },
  "merge-back": {
    words: ["merge-back"],
    usage: "/merge-back <sha>",
    help: { where: "incident", who: "write", does: "tracks a merge-back item by hand" },
    place: "incident",
    role: "write",
  },
  "incident-close": {
    words: ["incident", "close"],
    usage: "/incident close",
    help: { where: "incident", who: "write", does: "closes if nothing blocks, else lists blockers" },
    place: "open incident",
    role: "write",
  },
  "incident-force-close": {
    words: ["incident", "force-close"],
    usage: "/incident force-close <reason>",
    help: { where: "incident", who: "admin", does: "closes anyway, recorded in the ledger" },
    place: "open incident",
    role: "admin",
  },
  "incident-rollback": {
    words: ["incident", "rollback"],
    usage: "/incident rollback [env]",
    help: {
      where: "open incident",
      who: "write",
      does: "deploys the rollback candidate (the last deployment of env, default the first gated environment, that was on main and succeeded)",
    },
    place: "open incident",
    role: "write",
  },
  "mainline-status": {
    words: ["mainline", "status"],
    usage: "/mainline status",
    help: { where: "incident or PR", who: "anyone", does: "re-renders the ledger / re-runs the check" },
    place: "incident or pull request",
    role: "anyone",
  },
  "mainline-report": {
    words: ["mainline", "report"],
    usage: "/mainline report",
    help: {
      where: "any issue",
      who: "write",
      does:
        "replies with the repository's last 90 days: incidents, exceptions granted and used, median time from " +
        "exception deploy to merge-back, RCAs done on time, cascades, days since the last hotfix",
    },
    place: "issue",
    role: "write",
  },
  "mainline-help": {
    words: ["mainline", "help"],
    usage: "/mainline help",
    help: { where: "anywhere", who: "anyone", does: "lists the commands" },
    place: "anywhere",
    role: "anyone",
  },
};

/** Every command's name, in the catalog's order (its keys are exactly the names: the type above says so). */
export const COMMAND_NAMES = Object.keys(COMMANDS) as readonly CommandName[];

/** What the user types for a command without its arguments, e.g. "/mainline status". */
export function typed(name: CommandName): string {
  return `/${COMMANDS[name].words.join(" ")}`;
}
