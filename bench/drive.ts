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
};

export type Outcome = { sentAt: number; endAt?: number; status: number | string; problem?: string };

/** A delivery whose last write has not come within this is counted as failed. */
const DELIVERY_TIMEOUT_MS = 60_000;

/**
 * Sends deliveries with at most `concurrency` in flight (closed loop): a slot frees when the
 * webhook has been answered and its last write has been seen, whichever comes later.
 */
export async function drive(app: RunningApp, clock: RequestClock, load: Load): Promise<Outcome[]> {
  const deadline = performance.now() + load.maxSeconds * 1000;
  const outcomes: Outcome[] = [];
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < load.count && performance.now() < deadline) {
      const delivery = await load.next(nextIndex++);
      outcomes.push(await deliverOne(app, clock, delivery));
    }
  };
  await Promise.all(Array.from({ length: load.concurrency }, worker));
  return outcomes;
}

async function deliverOne(app: RunningApp, clock: RequestClock, delivery: Delivery): Promise<Outcome> {
  type End = { at: number; request?: SeenRequest } | { problem: string };
  let finish!: (end: End) => void;
  // The first end wins: the last write, the webhook's refusal, or the timeout.
  const ended = new Promise<End>((resolve) => (finish = resolve));
  const unwatch = clock.watch((request) => {
    if (delivery.isEnd?.(request)) finish({ at: request.at, request });
  });
  const timer = setTimeout(() => finish({ problem: `no last write within ${DELIVERY_TIMEOUT_MS / 1000} s` }), DELIVERY_TIMEOUT_MS);
  const sentAt = performance.now();
  const status = await app.deliver(delivery.event, delivery.payload).then(
    async (res) => (await res.text(), res.status),
    (error: unknown) => String(error),
  );
  // 202 is Probot's "still processing" after 9 s: the handler goes on, so its write is still awaited.
  const refused = status !== 200 && status !== 202 ? `webhook answered ${status}` : undefined;
  if (refused) finish({ problem: refused });
  else if (!delivery.isEnd) finish({ at: performance.now() });
  const end = await ended;
  unwatch();
  clearTimeout(timer);
  if ("problem" in end) return { sentAt, status, problem: end.problem };
  const problem = refused ?? (end.request && delivery.verify?.(end.request));
  return { sentAt, endAt: end.at, status, ...(problem ? { problem } : {}) };
}
