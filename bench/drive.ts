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
};

export type Load = {
  count: number;
  concurrency: number;
  /** No delivery is sent after this many seconds; those in flight are still awaited. */
  maxSeconds: number;
  next: (index: number) => Delivery | Promise<Delivery>;
  /** "last-write": a slot frees at the decision's last write, without waiting for the webhook's answer (see Scenario). */
  slotFreedBy?: "last-write";
};

/** Where deliveries go: one app, or several behind `roundRobin`. */
export type Target = Pick<RunningApp, "deliver">;

/** Each delivery to the next app in turn, as a load balancer in front of replicas would. */
export function roundRobin(apps: readonly RunningApp[]): Target {
  let next = 0;
  return { deliver: (...args) => apps[next++ % apps.length]!.deliver(...args) };
}

export type Outcome = { sentAt: number; endAt?: number; status: number | string; problem?: string };

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
      const { outcome, answered } = await deliverOne(app, clock, delivery, load.slotFreedBy);
      outcomes.push(outcome);
      answers.push(answered);
    }
  };
  await Promise.all(Array.from({ length: load.concurrency }, worker));
  await Promise.all(answers);
  return outcomes;
}

async function deliverOne(app: Target, clock: RequestClock, delivery: Delivery, slotFreedBy: Load["slotFreedBy"]): Promise<{ outcome: Outcome; answered: Promise<void> }> {
  type End = { at: number; request?: SeenRequest } | { problem: string };
  let finish!: (end: End) => void;
  // The first end wins: the last write, the webhook's refusal, or the timeout.
  const ended = new Promise<End>((resolve) => (finish = resolve));
  const unwatch = clock.watch((request) => {
    if (delivery.isEnd?.(request)) finish({ at: request.at, request });
  });
  const timer = setTimeout(() => finish({ problem: `no last write within ${DELIVERY_TIMEOUT_MS / 1000} s` }), DELIVERY_TIMEOUT_MS);
  const sentAt = performance.now();
  const webhook = app.deliver(delivery.event, delivery.payload).then(
    async (res) => (await res.text(), res.status),
    (error: unknown) => String(error),
  );
  // 202 is Probot's "still processing" after 9 s: the handler goes on, so its write is still awaited.
  const refusal = (status: number | string) => (status !== 200 && status !== 202 ? `webhook answered ${status}` : undefined);
  void webhook.then((status) => {
    const refused = refusal(status);
    if (refused) finish({ problem: refused });
    else if (!delivery.isEnd) finish({ at: performance.now() });
  });
  const end = await ended;
  unwatch();
  clearTimeout(timer);
  const outcome: Outcome = "problem" in end ? { sentAt, status: "pending", problem: end.problem } : { sentAt, endAt: end.at, status: "pending" };
  const wrong = "problem" in end ? undefined : end.request && delivery.verify?.(end.request);
  const answered = webhook.then((status) => {
    outcome.status = status;
    // A refusal outranks a wrong write, as it always did; a problem already found stays.
    const problem = outcome.problem ?? refusal(status) ?? wrong;
    if (problem) outcome.problem = problem;
  });
  if (slotFreedBy !== "last-write") await answered;
  return { outcome, answered };
}
