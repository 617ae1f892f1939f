import { performance } from "node:perf_hooks";
import type { RunningApp } from "../test/helpers/start-app.js";
import type { RequestClock, SeenRequest } from "./request-clock.js";

/** One signed webhook, and how to recognise the write that completes the decision it asks for. */
export type Delivery = {
  event: string;
  payload: unknown;
  /** The decision's last write. Without it (warm-ups), the webhook's answer completes the delivery. */
  isEnd?: (request: SeenRequest) => boolean;
  /** What is wrong with that write when the decision came out wrong. */
  verify?: (request: SeenRequest) => string | undefined;
  /** Without `isEnd`: what is wrong with the state the delivery left once it has ended. */
  check?: () => string | undefined;
  /** The call budget (issue 15) this delivery is held to. */
  budget?: Budget;
};

/** One of issue 15's call budgets: the step it names, and at most how many counted calls (`of: "reads"`: counted GETs) its delivery may make. */
export type Budget = { step: string; limit: number; of: "calls" | "reads" };

export type Load = {
  count: number;
  concurrency: number;
  /** No delivery is sent after this many seconds; those in flight are still awaited. */
  maxSeconds: number;
  next: (index: number) => Delivery | Promise<Delivery>;
  /** "last-write": a slot frees at the decision's last write, without waiting for the webhook's answer (see Scenario). */
  slotFreedBy?: "last-write";
  /**
   * Each delivery is sent with `deliverSettled`: one that Probot answers 202 (past 9 s) ends when
   * the app's /metrics counts it ended, so that, one at a time, every request until then is its own.
   */
  settled?: boolean;
};

/** Where deliveries go: one app, or several behind `roundRobin`. */
export type Target = Pick<RunningApp, "deliver" | "deliverSettled">;

/** Each delivery to the next app in turn, as a load balancer in front of replicas would. */
export function roundRobin(apps: readonly RunningApp[]): Target {
  let next = 0;
  return { deliver: (...args) => apps[next++ % apps.length]!.deliver(...args), deliverSettled: (...args) => apps[next++ % apps.length]!.deliverSettled(...args) };
}

export type Outcome = { sentAt: number; endAt?: number; status: number | string; problem?: string; budget?: Budget };

/** A delivery whose last write has not come within this is counted as failed. */
const DELIVERY_TIMEOUT_MS = 60_000;

/**
 * Sends deliveries with at most `concurrency` in flight (closed loop): a slot frees when the
 * webhook has been answered and its last write has been seen, whichever comes later (or, with
 * `slotFreedBy: "last-write"`, at that write; the webhook's answers are then awaited at the end).
 */
export async function drive(app: Target, clock: RequestClock, load: Load): Promise<Outcome[]> {
  const deadline = performance.now() + load.maxSeconds * 1000;
  const outcomes: Outcome[] = [];
  const answers: Array<Promise<void>> = [];
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < load.count && performance.now() < deadline) {
      const delivery = await load.next(nextIndex++);
      const { outcome, answered } = await deliverOne(app, clock, delivery, load);
      outcomes.push(outcome);
      answers.push(answered);
    }
  };
  await Promise.all(Array.from({ length: load.concurrency }, worker));
  await Promise.all(answers);
  return outcomes;
}

async function deliverOne(app: Target, clock: RequestClock, delivery: Delivery, { slotFreedBy, settled }: Load): Promise<{ outcome: Outcome; answered: Promise<void> }> {
  type End = { at: number; request?: SeenRequest } | { problem: string };
  let finish!: (end: End) => void;
  // The first end wins: the last write, the webhook's refusal, or the timeout.
  const ended = new Promise<End>((resolve) => (finish = resolve));
  const unwatch = clock.watch((request) => {
    if (delivery.isEnd?.(request)) finish({ at: request.at, request });
  });
  const timer = setTimeout(() => finish({ problem: `no last write within ${DELIVERY_TIMEOUT_MS / 1000} s` }), DELIVERY_TIMEOUT_MS);
  const sentAt = performance.now();
  const answer = settled ? app.deliverSettled(delivery.event, delivery.payload) : app.deliver(delivery.event, delivery.payload).then(async (res) => (await res.text(), res));
  const webhook = answer.then(
    (res) => res.status,
    (error: unknown) => String(error),
  );
  // 202 is Probot's "still processing" after 9 s: the handler goes on, so its write is still awaited.
  // Settled, a 202 means the delivery had not ended 60 s after Probot answered 202.
  const refusal = (status: number | string) => (status !== 200 && (settled || status !== 202) ? `webhook answered ${status}` : undefined);
  void webhook.then((status) => {
    const refused = refusal(status);
    if (refused) finish({ problem: refused });
    else if (!delivery.isEnd) finish({ at: performance.now() });
  });
  const end = await ended;
  unwatch();
  clearTimeout(timer);
  const outcome: Outcome = { sentAt, status: "pending", budget: delivery.budget, ...("problem" in end ? { problem: end.problem } : { endAt: end.at }) };
  const wrong = "problem" in end ? undefined : end.request && delivery.verify?.(end.request);
  const answered = webhook.then((status) => {
    outcome.status = status;
    // A refusal outranks a wrong write, as it always did; a problem already found stays.
    const problem = outcome.problem ?? refusal(status) ?? wrong ?? delivery.check?.();
    if (problem) outcome.problem = problem;
  });
  if (slotFreedBy !== "last-write") await answered;
  return { outcome, answered };
}
