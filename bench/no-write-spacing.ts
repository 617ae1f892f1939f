import { createRequire } from "node:module";

/**
 * Diagnostic, bench only: preloaded with `--import` into the app's process for the second pass.
 * It sets `minTime` to 0 in every limiter group @octokit/plugin-throttling creates (writes 1 s,
 * notifications 3 s, search 2 s apart), keeping their concurrency limits, to show what the app
 * itself costs once Probot's client stops spacing writes. Nothing users run is changed.
 *
 * The plugin builds its groups with `new Bottleneck.Group(…)` from `bottleneck/light.js` on its
 * first request; that module is CommonJS, so this require shares its exports object.
 */
type GroupOptions = Record<string, unknown> & { minTime?: number };
type GroupConstructor = new (options?: GroupOptions) => unknown;

const bottleneck = createRequire(import.meta.url)("bottleneck/light.js") as { Group: GroupConstructor };
const Group = bottleneck.Group;
bottleneck.Group = function GroupWithoutSpacing(options: GroupOptions = {}) {
  return new Group({ ...options, minTime: 0 });
} as unknown as GroupConstructor;
