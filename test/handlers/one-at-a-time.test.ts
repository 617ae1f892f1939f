import { RepositoryQueue } from "../../src/delivery/one-at-a-time.js";

/** A decision that runs until `finish()` is called. */
function heldDecision(queue: RepositoryQueue) {
  let finish!: () => void;
  const held = new Promise<void>((resolve) => (finish = resolve));
  const done = queue.deciding(() => held);
  return { finish, done };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("RepositoryQueue: gate decisions come first", () => {
  it("starts queued work at once when no decision is in flight", async () => {
    const queue = new RepositoryQueue({ maxWaitMs: 60_000 });
    await expect(queue.run(1, async () => "recorded")).resolves.toBe("recorded");
  });

  it("holds bookkeeping while a decision is in flight and starts it when the last one answers", async () => {
    const queue = new RepositoryQueue({ maxWaitMs: 60_000 });
    const first = heldDecision(queue);
    const second = heldDecision(queue);
    const started: string[] = [];
    const work = queue.run(1, async () => void started.push("record"), { afterDecisions: true });
    await tick();
    first.finish();
    await first.done;
    await tick();
    expect(started).toEqual([]);
    second.finish();
    await work;
    expect(started).toEqual(["record"]);
  });

  it("a decision that fails still lets queued work start", async () => {
    const queue = new RepositoryQueue({ maxWaitMs: 60_000 });
    const failing = queue.deciding(async () => {
      await tick();
      throw new Error("compare failed");
    });
    const work = queue.run(1, async () => "recorded", { afterDecisions: true });
    await expect(failing).rejects.toThrow("compare failed");
    await expect(work).resolves.toBe("recorded");
  });

  it("a steady stream of decisions delays queued work by at most the wait, counted from when each was queued", async () => {
    const queue = new RepositoryQueue({ maxWaitMs: 150 });
    const held = heldDecision(queue);
    const queuedAt = Date.now();
    const startedAfter: number[] = [];
    const works = [1, 2, 3].map(() => queue.run(7, async () => void startedAfter.push(Date.now() - queuedAt), { afterDecisions: true }));
    await Promise.all(works);
    held.finish();
    expect(startedAfter).toHaveLength(3);
    // All three were queued together: none waits a second full wait behind the one before it.
    for (const ms of startedAfter) {
      expect(ms).toBeGreaterThanOrEqual(140);
      expect(ms).toBeLessThan(450);
    }
  });

  it("only the bookkeeping of a deploy waits: a revoke, a push or a close queued while decisions run starts at once, even behind waiting bookkeeping", async () => {
    const queue = new RepositoryQueue({ maxWaitMs: 60_000 });
    const held = heldDecision(queue);
    const order: string[] = [];
    const record = queue.run(1, async () => void order.push("record"), { afterDecisions: true });
    await queue.run(1, async () => void order.push("revoke"));
    expect(order).toEqual(["revoke"]);
    held.finish();
    await record;
    expect(order).toEqual(["revoke", "record"]);
  });

  it("from shutdown on, nothing waits for decisions", async () => {
    const stopping = new AbortController();
    const queue = new RepositoryQueue({ maxWaitMs: 60_000, stopping: stopping.signal });
    const held = heldDecision(queue);
    const record = queue.run(1, async () => "recorded", { afterDecisions: true });
    await tick();
    stopping.abort();
    await expect(record).resolves.toBe("recorded");
    held.finish();
    await expect(queue.run(2, async () => "after", { afterDecisions: true })).resolves.toBe("after");
  });

  it("keeps one repository's work in order and lets another repository's run beside it", async () => {
    const queue = new RepositoryQueue({ maxWaitMs: 60_000 });
    const order: string[] = [];
    let release!: () => void;
    const slow = queue.run(1, () => new Promise<void>((resolve) => (release = () => (order.push("a1"), resolve()))));
    const next = queue.run(1, async () => void order.push("a2"));
    await queue.run(2, async () => void order.push("b1"));
    await tick();
    release();
    await Promise.all([slow, next]);
    expect(order).toEqual(["b1", "a1", "a2"]);
  });
});
