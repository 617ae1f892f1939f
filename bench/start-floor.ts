import { fileURLToPath } from "node:url";
import { startApp, type RunningApp } from "../test/helpers/start-app.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FLOOR_APP = fileURLToPath(new URL("./floor-app.js", import.meta.url));

/**
 * Starts the floor app as mainline is started, minus npm: `probot run` on compiled JS, in its own
 * process group, with the same environment and the same signed deliveries.
 */
export function startFloor(env: Record<string, string>): Promise<RunningApp> {
  return startApp(env, "/healthz", { file: `${ROOT}node_modules/.bin/probot`, args: ["run", FLOOR_APP] });
}
