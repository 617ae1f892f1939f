import { COMMAND_NAMES, COMMANDS, typed, type CommandCatalog, type CommandName } from "../../src/commands/catalog.js";
import { parseCommands } from "../../src/commands/parse.js";
import { RUNNERS } from "../../src/procedures/commands/runners.js";

/** One line that runs each command: a new command without one does not compile. */
const EXAMPLES: Record<CommandName, string> = {
  incident: "/incident Checkout returns 500",
  "hotfix-allow": "/hotfix allow abc1234 production -- outage: checkout returns 500",
  "hotfix-approve": "/hotfix approve abc1234",
  "hotfix-revoke": "/hotfix revoke abc1234",
  "merge-back": "/merge-back abc1234",
  "incident-close": "/incident close",
  "incident-force-close": "/incident force-close the fix is on main by another route",
  "incident-rollback": "/incident rollback production",
  "mainline-status": "/mainline status",
  "mainline-report": "/mainline report",
  "mainline-help": "/mainline help",
};

describe("the command catalog", () => {
  test.each(COMMAND_NAMES.map((name) => [name]))("%s has every field", (name) => {
    const { words, usage, help, place, role } = COMMANDS[name];
    for (const word of words) expect(word).toMatch(/^[a-z][a-z-]*$/);
    expect(usage === typed(name) || usage.startsWith(`${typed(name)} `)).toBe(true);
    for (const cell of [help.where, help.who, help.does]) expect(cell.trim()).not.toBe("");
    expect(["anywhere", "incident or pull request", "issue", "incident", "open incident"]).toContain(place);
    expect(["anyone", "override.permission", "read", "triage", "write", "maintain", "admin"]).toContain(role);
    expect(RUNNERS[name]).toBeInstanceOf(Function);
  });

  test("names every command once, and the runner table runs exactly those", () => {
    expect(COMMAND_NAMES).toHaveLength(11);
    expect(new Set(COMMAND_NAMES.map(typed)).size).toBe(COMMAND_NAMES.length);
    expect(Object.keys(RUNNERS).sort()).toEqual([...COMMAND_NAMES].sort());
  });

  test.each(COMMAND_NAMES.map((name) => [name, EXAMPLES[name]]))("the parser reads %s from its words", (name, line) => {
    expect(parseCommands(line)).toEqual([expect.objectContaining({ ok: true, command: expect.objectContaining({ name }) })]);
  });

  test("a catalog without a command's entry does not compile", () => {
    const withoutHelp: Omit<CommandCatalog, "mainline-help"> = COMMANDS;
    // @ts-expect-error mainline-help has no entry
    const incomplete: CommandCatalog = withoutHelp;
    expect(incomplete).toBe(COMMANDS);
  });
});
