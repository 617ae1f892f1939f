import { fileURLToPath } from "node:url";
import { startApp, type RunningApp } from "../test/helpers/start-app.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FLOOR_APPS = {
  floor: fileURLToPath(new URL("./floor-app.js", import.meta.url)),
  "floor-reads": fileURLToPath(new URL("./floor-reads-app.js", import.meta.url)),
};

/**
 * Starts a floor app (floor-app.ts, or floor-reads-app.ts) as mainline is started, minus npm:
 * `probot run` on compiled JS, in its own process group, with the same environment and the same
 * signed deliveries.
 */
export function startFloor(env: Record<string, string>, which: keyof typeof FLOOR_APPS = "floor"): Promise<RunningApp> {
  return startApp(env, "/healthz", { file: `${ROOT}node_modules/.bin/probot`, args: ["run", FLOOR_APPS[which]] });
}
