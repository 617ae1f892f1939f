import { Writable } from "node:stream";
import { pino, type Logger } from "pino";

/** A pino logger whose lines are kept, so tests can read what the app logged (and what it must never log). */
export function capturedLogger(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: "trace" }, stream), lines };
}
