/**
 * Whether nothing listens at `url` any more, waiting up to `withinMs`: a stopped app may first
 * finish the deliveries it has in flight, and only its exit closes the port.
 */
export async function refusesConnections(url: string, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    try {
      await (await fetch(url, { signal: AbortSignal.timeout(1000) })).text();
    } catch (error) {
      if ((error as { cause?: { code?: string } }).cause?.code === "ECONNREFUSED") return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}
