import { COMMAND_NAMES, COMMANDS, type CommandName } from "./catalog.js";

/** The usage line of each command, e.g. "/hotfix allow <sha> [env] -- <reason>" */
export const USAGE = Object.fromEntries(COMMAND_NAMES.map((name) => [name, COMMANDS[name].usage])) as Readonly<Record<CommandName, string>>;

/** Markdown for /mainline help: every command, where it works, who may run it, what it does (SPEC table). */
export function helpText(): string {
  return [
    "**mainline commands**: one per line of a comment; lines in code blocks and quotes are ignored.",
    "",
    "| command | where | who | does |",
    "| --- | --- | --- | --- |",
    ...COMMAND_NAMES.map((name) => {
      const { usage, help } = COMMANDS[name];
      return `| \`${usage}\` | ${help.where} | ${help.who} | ${help.does} |`;
    }),
  ].join("\n");
}
