import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";

// compose.yaml checked offline (no Docker engine here): what its services are built from, that the
// replicas are configured alike with the README's variables and one Redis, that health is /readyz,
// that only the load balancer is published beyond the host's loopback, and that no public path reaches
// /metrics. Whether Compose and Caddy accept it is not checked.

type Service = {
  image?: string;
  build?: string | { context: string };
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  ports?: string[];
  secrets?: string[];
  depends_on?: string[] | Record<string, unknown>;
  stop_grace_period?: string;
  command?: string[];
  volumes?: string[];
};
type Compose = { services: Record<string, Service>; configs: Record<string, { content?: string }>; secrets: Record<string, unknown>; volumes?: Record<string, unknown> };

const text = readFileSync("compose.yaml", "utf8");
// Compose resolves YAML merge keys (`<<: *mainline`); the yaml package does so only when asked.
const compose = parse(text, { merge: true }) as Compose;
const readme = readFileSync("README.md", "utf8");
const replicas = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);
const caddyfile = compose.configs.caddyfile?.content ?? "";

function section(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  expect(start).toBeGreaterThan(-1);
  const level = heading.split(" ")[0]!;
  const end = readme.slice(start + heading.length + 2).search(new RegExp(`\\n#{1,${level.length}} `));
  return end === -1 ? readme.slice(start) : readme.slice(start, start + heading.length + 2 + end);
}

test("every service is built from the Dockerfile or runs an official image; two replicas, alike", () => {
  for (const [name, service] of Object.entries(compose.services)) expect([name, Boolean(service.image || service.build)]).toEqual([name, true]);
  expect(replicas.map(([name]) => name)).toEqual(["mainline-1", "mainline-2"]);
  for (const [, replica] of replicas) expect(replica.build).toBe(".");
  expect(existsSync("Dockerfile")).toBe(true);
  // Alike but for the loopback port each publishes its /metrics on.
  const alike = replicas.map(([, { ports, ...rest }]) => rest);
  expect(alike[0]).toEqual(alike[1]);
  expect(compose.services.redis?.image).toMatch(/^redis:/);
  expect(compose.services.caddy?.image).toMatch(/^caddy:/);
});

test("the replicas' variables are the README's, with credentials, a mounted key and one REDIS_URL at the redis service", () => {
  const documented = new Set(
    section("### Environment variables")
      .split("\n")
      .filter((line) => line.startsWith("| `"))
      .flatMap((line) => [...line.split("|")[1]!.matchAll(/`([A-Z_]+)`/g)].map((match) => match[1]!)),
  );
  for (const [, replica] of replicas) {
    const env = replica.environment!;
    for (const name of Object.keys(env)) expect([name, documented.has(name)]).toEqual([name, true]);
    expect(Object.keys(env)).toEqual(expect.arrayContaining(["APP_ID", "WEBHOOK_SECRET", "MAINLINE_RECORD_KEY", "REDIS_URL"]));
    expect(env.PRIVATE_KEY_PATH).toBe("/run/secrets/mainline-private-key");
    expect(replica.secrets).toEqual(["mainline-private-key"]);
    const redis = new URL(env.REDIS_URL!);
    expect(redis.protocol).toBe("redis:");
    expect(compose.services[redis.hostname]?.image).toMatch(/^redis:/);
  }
  expect(Object.keys(compose.secrets)).toEqual(["mainline-private-key"]);
});

test("every ${VARIABLE} compose.yaml reads is explained in the README's section on it", () => {
  const read = new Set([...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((match) => match[1]!));
  expect([...read].sort()).toEqual(["APP_ID", "LOG_LEVEL", "MAINLINE_PRIVATE_KEY_FILE", "MAINLINE_RECORD_KEY", "MAINLINE_SITE_ADDRESS", "WEBHOOK_SECRET"]);
  const walkThrough = section("### Run it for high availability");
  for (const name of read) expect([name, walkThrough.includes(`\`${name}\``)]).toEqual([name, true]);
});

test("health is /readyz, for Compose and for the load balancer, which names both replicas in round robin", () => {
  for (const [, replica] of replicas) expect(replica.healthcheck!.test.join(" ")).toContain("http://127.0.0.1:3000/readyz");
  const proxy = caddyfile.split("\n").find((line) => line.trim().startsWith("reverse_proxy mainline-1:3000"));
  expect(proxy?.trim().split(/\s+/)).toEqual(["reverse_proxy", "mainline-1:3000", "mainline-2:3000", "{"]);
  expect(caddyfile).toMatch(/^\s*lb_policy round_robin$/m);
  expect(caddyfile).toMatch(/^\s*health_uri \/readyz$/m);
  expect(caddyfile).toMatch(/^\s*handle \/api\/github\/webhooks \{$/m);
  expect(compose.services.caddy?.depends_on).toEqual(["mainline-1", "mainline-2"]);
});

// A short-syntax port, "[HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL]": the host address it is bound to
// (undefined: every address), the host port and the container port.
function published(port: string): { hostIp?: string; hostPort: string; containerPort: string } {
  const match = /^(?:(\[[^\]]+\]|\d+\.\d+\.\d+\.\d+):)?(?:(\d+(?:-\d+)?):)?(\d+(?:-\d+)?)(?:\/\w+)?$/.exec(port);
  expect([port, match !== null]).toEqual([port, true]);
  return { hostIp: match![1], hostPort: match![2] ?? "", containerPort: match![3]! };
}
test("the port parser tells a bound address from a port", () => {
  expect(published("80:80")).toEqual({ hostIp: undefined, hostPort: "80", containerPort: "80" });
  expect(published("3000")).toEqual({ hostIp: undefined, hostPort: "", containerPort: "3000" });
  expect(published("127.0.0.1:9101:3000")).toEqual({ hostIp: "127.0.0.1", hostPort: "9101", containerPort: "3000" });
  expect(published("[::1]:9101:3000/tcp")).toEqual({ hostIp: "[::1]", hostPort: "9101", containerPort: "3000" });
  expect(published("0.0.0.0:9101:3000").hostIp).toBe("0.0.0.0");
});
const loopback = (hostIp: string | undefined) => hostIp !== undefined && (/^127\.\d+\.\d+\.\d+$/.test(hostIp) || hostIp === "[::1]");

test("no public path reaches /metrics: Caddy proxies the webhook path alone and answers 404 to the rest", () => {
  // The Caddyfile's directives, without its comments.
  const lines = caddyfile
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  expect(lines.filter((line) => /metrics/i.test(line))).toEqual([]);
  expect(lines.filter((line) => /^(handle|handle_path|route)\b/.test(line))).toEqual(["handle /api/github/webhooks {", "handle {"]);
  expect(lines.filter((line) => line.startsWith("reverse_proxy"))).toEqual(["reverse_proxy mainline-1:3000 mainline-2:3000 {"]);
  // Nothing turns another path into one the replicas serve, and no address allow-list stands in for that.
  expect(lines.filter((line) => /^(rewrite|uri|try_files|remote_ip|client_ip|@)/.test(line))).toEqual([]);
  expect(lines.slice(lines.indexOf("handle {"))).toEqual(["handle {", "respond 404", "}", "}"]);
});

test("each replica publishes its /metrics on the host's loopback only, and the README names the addresses", () => {
  const walkThrough = section("#### With Docker Compose");
  const hostPorts = replicas.map(([name, replica]) => {
    expect([name, (replica.ports ?? []).length]).toEqual([name, 1]);
    const port = published(replica.ports![0]!);
    expect([name, port.hostIp, port.containerPort]).toEqual([name, "127.0.0.1", "3000"]);
    expect(port.hostPort).toMatch(/^\d+$/);
    expect(walkThrough).toContain(`http://127.0.0.1:${port.hostPort}/metrics`);
    return port.hostPort;
  });
  expect(new Set(hostPorts).size).toBe(replicas.length);
  expect(walkThrough).not.toMatch(/\/metrics\/mainline-/);
});

test("Redis keeps the journal of deliveries in progress across a restart: append-only file on a volume, as the README says", () => {
  const redis = compose.services.redis!;
  const command = redis.command!.join(" ");
  expect(command).toContain("--appendonly yes");
  expect(command).not.toContain("--appendonly no");
  const [volume, target] = (redis.volumes ?? [])[0]!.split(":");
  expect(target).toBe("/data");
  expect(Object.keys(compose.volumes ?? {})).toContain(volume);
  expect(section("#### With Docker Compose")).toContain("--appendonly yes");
  expect(readme).not.toMatch(/needs no persistence|nothing to save/);
  expect(text).not.toMatch(/nothing to save/);
});

test("only the load balancer publishes beyond the host's loopback; a replica may take its whole shutdown grace", () => {
  const open = Object.entries(compose.services).filter(([, service]) => (service.ports ?? []).some((port) => !loopback(published(port).hostIp)));
  expect(open.map(([name]) => name)).toEqual(["caddy"]);
  expect(compose.services.caddy!.ports!.map((port) => published(port).containerPort).sort()).toEqual(["443", "80"]);
  expect(compose.services.redis?.ports).toBeUndefined();
  const grace = Number(/MAINLINE_SHUTDOWN_GRACE_SECONDS=(\d+)/.exec(readFileSync("Dockerfile", "utf8"))![1]);
  // mainline exits at most grace + 4.5 s after SIGTERM (README, environment variables).
  for (const [, replica] of replicas) expect(Number.parseInt(replica.stop_grace_period!, 10)).toBeGreaterThanOrEqual(grace + 4.5);
});
