import { readFileSync } from "node:fs";
import semver from "semver";

// What the image and package.json promise an operator, read from the files themselves (no
// Docker engine runs here): Node 22, node as PID 1 so SIGTERM reaches it, a probe in exec form,
// and an `engines` range that every production dependency accepts.
const dockerfile = readFileSync("Dockerfile", "utf8");
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { engines: { node: string }; scripts: Record<string, string> };
const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as { packages: Record<string, { dev?: boolean; engines?: { node?: string } | string[] }> };

test("every stage builds on Node 22, and the container's command is node itself, in exec form", () => {
  expect(dockerfile.match(/^FROM\s+\S+/gm)).toEqual(["FROM node:22-bookworm-slim", "FROM node:22-bookworm-slim"]);
  expect(dockerfile).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
  expect(dockerfile).toMatch(/^HEALTHCHECK .* CMD \["node", "-e", .*\/readyz/m);
  expect(pkg.scripts.start).toBe("node dist/main.js");
});

test("npm ci in the image skips `prepare`, which needs src/ and TypeScript", () => {
  const installs = dockerfile.match(/npm ci[^\n&]*/g) ?? [];
  expect(installs).toHaveLength(2);
  for (const install of installs) expect(install).toContain("--ignore-scripts");
});

test("engines: every Node release package.json allows is one every production dependency allows", () => {
  const floor = semver.minVersion(pkg.engines.node)!;
  const refused = Object.entries(lock.packages)
    .filter(([path, entry]) => path !== "" && !entry.dev && !Array.isArray(entry.engines) && entry.engines?.node)
    .filter(([, entry]) => !semver.satisfies(floor, (entry.engines as { node: string }).node) || !semver.satisfies("24.0.0", (entry.engines as { node: string }).node))
    .map(([path, entry]) => `${path} ${JSON.stringify(entry.engines)}`);
  expect(refused).toEqual([]);
  expect(lock.packages[""]!.engines).toEqual(pkg.engines);
});
