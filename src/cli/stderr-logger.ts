import type { GateLogger } from "../procedures/gate-decision.js";

/**
 * The gate's log for a workflow step: the decision itself is printed on stdout; warnings and
 * errors go to stderr, where the job log shows them.
 */
export function stderrLogger(write: (line: string) => void): GateLogger {
  const line = (level: string, fields: object, message: string) => write(`mainline-gate ${level}: ${message} ${describe({ ...fields })}`);
  return {
    warn: (fields, message) => line("warning", fields, message),
    error: (fields, message) => line("error", fields, message),
  };
}

/** Fields as JSON, an error as its stack: JSON.stringify would write an Error as `{}`. */
function describe(fields: Record<string, unknown>): string {
  return JSON.stringify(fields, (_key, value: unknown) => (value instanceof Error ? (value.stack ?? value.message) : value));
}
