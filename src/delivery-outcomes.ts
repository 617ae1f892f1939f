import type { Context } from "probot";
import type { Metrics } from "./metrics.js";

type Handler<C extends Context> = (context: C) => Promise<void>;

/**
 * Counts each delivery that reaches a handler by its event and how it ended: `ok`; `failed`, the
 * handler threw (Probot answers 500, so GitHub records the delivery failed and it can come
 * again); or `dropped`, its payload was malformed and ignored (delivery/well-formed.ts).
 */
export function deliveryOutcomes(metrics: Pick<Metrics, "delivered">) {
  return {
    /** Counts how `handler` ended for each delivery it is given. */
    counted:
      <C extends Context>(handler: Handler<C>): Handler<C> =>
      async (context) => {
        try {
          await handler(context);
        } catch (error) {
          metrics.delivered(eventOf(context), "failed");
          throw error;
        }
        metrics.delivered(eventOf(context), "ok");
      },
    /** Counts a delivery the well-formedness check ignored. */
    dropped: (context: Context): void => metrics.delivered(eventOf(context), "dropped"),
  };
}

/**
 * The event as the decision log names it (`deployment_protection_rule.requested`), so a series
 * and its log lines are found by the same name. An action GitHub would not send (a dropped
 * payload may carry anything) is left out: each label value is a series kept for the process's life.
 */
function eventOf(context: Pick<Context, "name" | "payload">): string {
  const { action } = context.payload as { action?: unknown };
  return typeof action === "string" && /^[a-z_]{1,40}$/.test(action) ? `${context.name}.${action}` : context.name;
}
