import { Repo } from "./real-git.js";

const bytes = (...parts: Array<string | number[] | Uint8Array>): Buffer =>
  Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part, "latin1") : Buffer.from(part))));
const lines = (count: number, prefix: string): string => Array.from({ length: count }, (_, i) => `${prefix} ${i + 1}\n`).join("");

const PAY = 'function charge(order) {\n  const total = order.total;\n  return gateway.charge(total);\n}\n\nmodule.exports = { charge };\n';
const PAY_FIXED = 'function charge(order) {\n  const total = order.total;\n  log("charging");\n  return gateway.charge(total, { retry: true });\n}\n\nmodule.exports = { charge };\n';
/** The same fix typed with other whitespace: `git patch-id` and `containsChange` see the same lines. */
const PAY_FIXED_RESPACED = 'function charge(order) {\n  const total = order.total;\n\tlog( "charging" );\n\treturn gateway.charge(total, {retry: true});\n}\n\nmodule.exports = { charge };\n';
const NOTES = "docs/caf\u00e9 notes.txt";

/**
 * Real commits for the ways a change can (or can only claim to) reach main. Each hotfix S is made
 * on a branch of its own from the base; main then moves on (so a cherry-pick lands at other line
 * numbers, next to other context), and each commit that may carry S is made on a branch of its own
 * from that main. The diffs are what `git show --format=` prints: GitHub's `.diff` format.
 */
export function mergeBackScenario() {
  const repo = new Repo();
  try {
    return build(repo);
  } catch (error) {
    repo.remove();
    throw error;
  }
}

function build(repo: Repo) {
  const base = repo.commit("base", {
    "pay.js": PAY,
    "README.md": "# Pay\n",
    "tool.sh": "echo hi\n",
    "image.bin": bytes([0, 1, 2, 255]),
    "old.txt": lines(3, "old"),
    "legacy.txt": lines(12, "legacy"),
    [NOTES]: lines(4, "note"),
    "latin.txt": "plain\n",
  });
  const fromBase = (name: string, make: () => void) => {
    repo.git("checkout", "-q", "-b", name, base);
    make();
    return repo.git("rev-parse", "HEAD").trim();
  };
  const S = fromBase("hotfix", () => repo.commit("Retry charges", { "pay.js": PAY_FIXED, [NOTES]: lines(4, "note").replace("note 2\n", "note two\n") }));
  const bytesS = fromBase("hotfix-bytes", () => repo.commit("A byte that is not UTF-8", { "latin.txt": bytes("plain\n", [0xff], " byte\n") }));
  const twiceS = fromBase("hotfix-twice", () => repo.commit("Retry twice", { "pay.js": `${PAY}retry();\nretry();\n` }));
  const binaryS = fromBase("hotfix-binary", () => repo.commit("New image", { "image.bin": bytes([0, 7, 7, 255]) }));
  const renameS = fromBase("hotfix-rename", () => {
    repo.git("mv", "legacy.txt", "modern.txt");
    repo.commit("Rename legacy", { "modern.txt": lines(12, "legacy").replace("legacy 6\n", "modern 6\n") });
  });
  const deleteS = fromBase("hotfix-delete", () => {
    repo.git("rm", "-q", "old.txt");
    repo.commit("Drop old.txt");
  });
  const modeS = fromBase("hotfix-mode", () => {
    repo.chmod("tool.sh", 0o755);
    repo.commit("Make tool.sh executable");
  });
  const emptyS = fromBase("hotfix-empty", () => repo.commit("Nothing at all"));

  // Main moves on: five lines above the fix, so a cherry-pick lands elsewhere.
  repo.git("checkout", "-q", "main");
  const grown = repo.commit("Grow", { "pay.js": `const gateway = require("gateway");\nconst log = require("log");\n\n\n\n${PAY}`, "README.md": "# Pay\n\nCharges.\n" });
  const onMain = (name: string, make: () => void) => {
    repo.git("checkout", "-q", "-b", name, grown);
    make();
    return repo.git("rev-parse", "HEAD").trim();
  };
  const pick = (sha: string) => () => repo.git("cherry-pick", "-x", sha);
  const note = (sha: string) => `\n\n(cherry picked from commit ${sha})`;
  const grownWith = (text: string) => `const gateway = require("gateway");\nconst log = require("log");\n\n\n\n${text}`;
  /** A pull request's branch from main, squash-merged into main: the one commit it puts there. */
  const squashed = (name: string, make: () => void) => {
    onMain(name, make);
    return onMain(`${name}-squashed`, () => {
      repo.git("merge", "-q", "--squash", name);
      repo.commit(`Squash ${name}`);
    });
  };

  const shas = {
    S,
    honestPick: onMain("honest-pick", pick(S)),
    lyingNote: onMain("lying-note", () => repo.commit(`Tidy the README${note(S)}`, { "README.md": "# Payments\n" })),
    otherLines: onMain("other-lines", () => repo.commit(`Retry charges${note(S)}`, { "pay.js": grownWith(PAY.replace("return", "return await")) })),
    respacedPick: onMain("respaced-pick", () =>
      repo.commit(`Retry charges${note(S)}`, { "pay.js": grownWith(PAY_FIXED_RESPACED), [NOTES]: lines(4, "note").replace("note 2\n", "note two\n") }),
    ),
    partialPick: onMain("partial-pick", () => repo.commit(`Retry charges${note(S)}`, { "pay.js": grownWith(PAY_FIXED) })),
    squashWithS: squashed("pr-with-s", () => {
      repo.git("cherry-pick", S);
      repo.commit("More retries", { "pay.js": grownWith(PAY_FIXED.replace("const total", "const total = order.total;\n  const tries")), "README.md": "# Pay\n\nRetries.\n" });
    }),
    squashReverted: squashed("pr-reverted", () => {
      repo.git("cherry-pick", S);
      repo.commit("README", { "README.md": "# Pay\n\nReverted.\n" });
      repo.git("revert", "--no-edit", "HEAD~1");
    }),
    bytesS,
    bytesPick: onMain("bytes-pick", pick(bytesS)),
    bytesLie: onMain("bytes-lie", () => repo.commit(`Another byte${note(bytesS)}`, { "latin.txt": bytes("plain\n", [0xfe], " byte\n") })),
    twiceS,
    twicePick: onMain("twice-pick", pick(twiceS)),
    onceOnly: onMain("once-only", () => repo.commit(`Retry once${note(twiceS)}`, { "pay.js": grownWith(`${PAY}retry();\n`) })),
    binaryS,
    binaryPick: onMain("binary-pick", pick(binaryS)),
    binaryOther: onMain("binary-other", () => repo.commit(`Other image${note(binaryS)}`, { "image.bin": bytes([0, 8, 8, 255]) })),
    renameS,
    renamePick: onMain("rename-pick", pick(renameS)),
    renameEditOnly: onMain("rename-edit-only", () => repo.commit(`Edit legacy${note(renameS)}`, { "legacy.txt": lines(12, "legacy").replace("legacy 6\n", "modern 6\n") })),
    deleteS,
    deletePick: onMain("delete-pick", pick(deleteS)),
    emptiedOnly: onMain("emptied-only", () => repo.commit(`Empty old.txt${note(deleteS)}`, { "old.txt": "" })),
    modeS,
    modePick: onMain("mode-pick", pick(modeS)),
    modeEditOnly: onMain("mode-edit-only", () => repo.commit(`Edit tool.sh${note(modeS)}`, { "tool.sh": "echo hi\necho bye\n" })),
    emptyS,
  };
  const diffs = Object.fromEntries(Object.entries(shas).map(([name, sha]) => [name, repo.diffOf(sha)])) as Record<keyof typeof shas, Buffer>;
  const messages = Object.fromEntries(Object.entries(shas).map(([name, sha]) => [name, repo.git("log", "-1", "--format=%B", sha)])) as Record<keyof typeof shas, string>;
  return { shas, diffs, messages, remove: () => repo.remove() };
}
