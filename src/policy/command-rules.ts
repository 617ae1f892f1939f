import { COMMANDS, typed, type CommandName, type PlaceRule } from "../commands/catalog.js";
import type { Config } from "../config.js";
import type { Role } from "./roles.js";

export type Place = { isPullRequest: boolean; isIncident: boolean; isOpen: boolean };

const ONLY_INCIDENT = "this command works only in an incident (an issue labelled as one: run `/incident` first)";

/** Each place rule of the catalog: why a place does not fit a command (as typed, e.g. "/mainline status"), or undefined when it does. */
const PLACE_RULES: Record<PlaceRule, (place: Place, command: string) => string | undefined> = {
  anywhere: () => undefined,
  "incident or pull request": (place, command) => (place.isIncident || place.isPullRequest ? undefined : `\`${command}\` works in an incident or a pull request`),
  issue: (place, command) => (place.isPullRequest ? `\`${command}\` works in an issue, not a pull request` : undefined),
  incident: (place) => (place.isIncident ? undefined : ONLY_INCIDENT),
  "open incident": (place) => (!place.isIncident ? ONLY_INCIDENT : place.isOpen ? undefined : "this incident is closed"),
};

/** Where each command may run (SPEC section 6); a sentence saying why not, or undefined when it may. */
export function wrongPlace(name: CommandName, place: Place): string | undefined {
  return PLACE_RULES[COMMANDS[name].place](place, typed(name));
}

/** The least role that may run each command; undefined = anyone. */
export function requiredRole(name: CommandName, config: Config): Role | undefined {
  const rule = COMMANDS[name].role;
  if (rule === "anyone") return undefined;
  return rule === "override.permission" ? config.override.permission : rule;
}
