import { symbols } from "pino";
import type { Context, Logger } from "probot";
import type { Metrics } from "./metrics.js";

/** Where mainline decided something: a deployment gate, a PR check run, a slash-command, the incident close gate. */
export type Surface = "gate" | "check" | "command" | "close-gate";

/** The fields that make a decision line findable; a surface adds its own (sha, environment, check, command, issue…). */
export type DecisionFields = Record<string, string | number | boolean | null | undefined | readonly string[]>;

export type DecisionLog = {
  /** One info line per decision, the same keys on every surface: delivery, installation, repo, event, surface, outcome. */
  decided(surface: Surface, outcome: string, fields: DecisionFields, message: string): void;
  /** The delivery's logger with the same keys (no surface), for what goes wrong on the way. */
  log: Logger;
};

type DeliveryPayload = { installation?: { id?: unknown }; repository?: { full_name?: unknown }; action?: unknown };

/**
 * Builds the decision lines of one delivery from its Probot context. Never logs a payload: only
 * ids, names and the decision.
 *
 * Why the lines are built from a rebuilt logger: Probot's `context.log` repeats `name` —
 * `probot run` creates the root logger with `name: "probot"`, `new Probot()` adds a child
 * `{name: "probot"}` and each webhook a child `{name: "event", id}`, and pino appends every
 * child's bindings as text, so a line carried `"name"` three times. Here the inherited bindings
 * are read back once (later ones win, as a JSON reader would), the keys this line sets are taken
 * out, and Probot's `id` gives way to `delivery`: each key appears once.
 *
 * With `metrics`, each gate decision is also counted by its outcome: the line and the count
 * cannot disagree, as every gate decision is logged here once.
 */
export function decisionLog(context: Pick<Context, "id" | "name" | "log"> & { payload: unknown }, metrics?: Pick<Metrics, "gateDecided">): DecisionLog {
  const payload = (context.payload ?? {}) as DeliveryPayload;
  const keys = {
    delivery: context.id,
    installation: typeof payload.installation?.id === "number" ? payload.installation.id : undefined,
    repo: typeof payload.repository?.full_name === "string" ? payload.repository.full_name : undefined,
    event: typeof payload.action === "string" ? `${context.name}.${payload.action}` : context.name,
  };
  return {
    decided(surface, outcome, fields, message) {
      const line = { ...keys, surface, outcome, ...withoutUndefined(fields) };
      withoutBindings(context.log, Object.keys(line)).info(line, message);
      if (surface === "gate") metrics?.gateDecided(outcome);
    },
    log: withoutBindings(context.log, Object.keys(keys)).child(keys),
  };
}

/** What a gate decision says about itself, as both deployment events log it. */
export type GateDecisionFacts = { outcome: string; verdict: string; enforcedVerdict: string; message: string; exception?: { incident: number } };

/** The gate's decision line: the same fields whichever deployment event asked. */
export function logGateDecision(decisions: DecisionLog, gate: DecisionFields, decision: GateDecisionFacts, mode: string): void {
  const fields = { ...gate, verdict: decision.verdict, enforcedVerdict: decision.enforcedVerdict, mode, incident: decision.exception?.incident };
  decisions.decided("gate", decision.outcome, fields, decision.message);
}

function withoutUndefined(fields: DecisionFields): DecisionFields {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/**
 * A child of `log` whose inherited bindings hold each key once and none of `dropped` (nor Probot's `id`).
 * Also for mainline's own lines outside a delivery: `withoutBindings(probot.log, ["name"]).child({ name })`.
 */
export function withoutBindings(log: Logger, dropped: readonly string[]): Logger {
  const child = log.child({});
  const holder = child as unknown as Record<symbol, unknown>;
  const text = holder[symbols.chindingsSym];
  if (typeof text !== "string") return child;
  let inherited: Record<string, unknown>;
  try {
    inherited = JSON.parse(`{${text.slice(1)}}`) as Record<string, unknown>;
  } catch {
    return child;
  }
  for (const key of [...dropped, "id"]) delete inherited[key];
  const rebuilt = JSON.stringify(inherited);
  holder[symbols.chindingsSym] = rebuilt === "{}" ? "" : `,${rebuilt.slice(1, -1)}`;
  return child;
}
