import type { Command } from "../commands/parse.js";
import type { Config } from "../config.js";
import type { Role } from "./roles.js";

export type Place = { isPullRequest: boolean; isIncident: boolean; isOpen: boolean };

/** Where each command may run (SPEC section 6); a sentence saying why not, or undefined when it may. */
export function wrongPlace(name: Command["name"], place: Place): string | undefined {
  switch (name) {
    case "mainline-help":
      return undefined;
    case "mainline-status":
      return place.isIncident || place.isPullRequest ? undefined : "`/mainline status` works in an incident or a pull request";
    case "incident":
    case "mainline-report":
      return place.isPullRequest ? `\`/${name.replace("-", " ")}\` works in an issue, not a pull request` : undefined;
    default:
      if (!place.isIncident) return "this command works only in an incident (an issue labelled as one: run `/incident` first)";
      if (!place.isOpen && name !== "merge-back") return "this incident is closed";
      return undefined;
  }
}

/** The least role that may run each command; undefined = anyone. */
export function requiredRole(name: Command["name"], config: Config): Role | undefined {
  switch (name) {
    case "mainline-help":
    case "mainline-status":
      return undefined;
    case "hotfix-allow":
    case "hotfix-approve":
    case "hotfix-revoke":
      return config.override.permission;
    case "incident-force-close":
      return "admin";
    default:
      return "write";
  }
}
