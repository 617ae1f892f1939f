import { ensureOnce } from "../../src/github/ensure-once.js";

type Item = { id: number; by: string };

/** `list` counting its calls. */
function counted(list: () => Promise<Item[]>) {
  const calls = { count: 0 };
  return { calls, findAll: () => (calls.count++, list()) };
}

/**
 * A place where items are made: `listed` is what GitHub lists, `racer` is what another delivery
 * makes between this call's create and its look again. Records what was created and retired.
 */
function place(listed: Item[], options: { nextId: number; racer?: Item; failCreate?: boolean }) {
  const items = [...listed];
  const created: Item[] = [];
  const retired: { duplicate: number; kept: number }[] = [];
  const steps = {
    findAll: async () => [...items],
    create: async () => {
      if (options.failCreate) throw new Error("GitHub answered 502");
      const made = { id: options.nextId, by: "this call" };
      created.push(made);
      items.push(made);
      if (options.racer) items.push(options.racer);
      return made;
    },
    order: (item: Item) => item.id,
    retire: async (duplicate: Item, kept: Item) => {
      retired.push({ duplicate: duplicate.id, kept: kept.id });
    },
  };
  return { steps, created, retired };
}

describe("ensureOnce", () => {
  it("creates the item when none is found", async () => {
    const { steps, created, retired } = place([], { nextId: 7 });
    await expect(ensureOnce(steps)).resolves.toEqual({ kept: { id: 7, by: "this call" }, made: true });
    expect(created).toHaveLength(1);
    expect(retired).toEqual([]);
  });

  it("takes the oldest one found and creates nothing", async () => {
    const { steps, created, retired } = place(
      [
        { id: 9, by: "later" },
        { id: 4, by: "earlier" },
      ],
      { nextId: 12 },
    );
    await expect(ensureOnce(steps)).resolves.toEqual({ kept: { id: 4, by: "earlier" }, made: false });
    expect(created).toEqual([]);
    expect(retired).toEqual([]);
  });

  it("takes what `find` gives without listing", async () => {
    const { steps, created } = place([], { nextId: 12 });
    const { calls, findAll } = counted(steps.findAll);
    await expect(ensureOnce({ ...steps, findAll, find: () => ({ id: 3, by: "the view" }) })).resolves.toEqual({ kept: { id: 3, by: "the view" }, made: false });
    expect(calls.count).toBe(0);
    expect(created).toEqual([]);
  });

  it("retires its own when an older one appears on the look again, and keeps the older", async () => {
    const { steps, created, retired } = place([], { nextId: 8, racer: { id: 5, by: "a replica" } });
    await expect(ensureOnce(steps)).resolves.toEqual({ kept: { id: 5, by: "a replica" }, made: false });
    expect(created).toHaveLength(1);
    expect(retired).toEqual([{ duplicate: 8, kept: 5 }]);
  });

  it("keeps its own when the one appearing on the look again is newer: that one's maker retires it", async () => {
    const { steps, retired } = place([], { nextId: 8, racer: { id: 11, by: "a replica" } });
    await expect(ensureOnce(steps)).resolves.toEqual({ kept: { id: 8, by: "this call" }, made: true });
    expect(retired).toEqual([]);
  });

  it("leaves two racing calls with the older one, the newer retired once", async () => {
    const items: Item[] = [];
    const retired: number[] = [];
    let next = 20;
    const steps = (by: string) => ({
      findAll: async () => [...items],
      create: async () => {
        const made = { id: next++, by };
        items.push(made);
        return made;
      },
      order: (item: Item) => item.id,
      retire: async (duplicate: Item) => {
        retired.push(duplicate.id);
      },
    });
    // Both found nothing; both create before either looks again.
    const first = steps("first");
    const second = steps("second");
    const [a, b] = [await first.create(), await second.create()];
    const look = (made: Item, s: ReturnType<typeof steps>) => ensureOnce({ ...s, find: () => undefined, create: async () => made });
    const [keptBySecond, keptByFirst] = [await look(b, second), await look(a, first)];
    expect(keptByFirst).toEqual({ kept: a, made: true });
    expect(keptBySecond).toEqual({ kept: a, made: false });
    expect(retired).toEqual([b.id]);
  });

  it("throws when the create fails, and retires nothing", async () => {
    const { steps, retired } = place([], { nextId: 8, failCreate: true });
    const { calls, findAll } = counted(steps.findAll);
    await expect(ensureOnce({ ...steps, findAll })).rejects.toThrow("GitHub answered 502");
    // The find only: no look again after a create that made nothing.
    expect(calls.count).toBe(1);
    expect(retired).toEqual([]);
  });
});
