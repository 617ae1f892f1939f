#!/usr/bin/env node
/** `mainline-gate`: run as a deploy workflow's step (README, "A gate in a workflow step"). No logic here: see run-gate.ts. */
import { runCommand } from "./run-gate.js";

process.exitCode = await runCommand(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
});
