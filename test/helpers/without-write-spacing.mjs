import { createRequire } from "node:module";

/**
 * Preloaded (`--import`, see WITHOUT_WRITE_SPACING in start-app.ts) into an app whose test is not
 * about GitHub's write spacing. Probot's client (@octokit/plugin-throttling) spaces one
 * installation's writes 1 s apart and those that notify (a comment, an issue) 3 s apart, so a
 * story of a few dozen writes spends most of its time waiting. Here every limiter group the plugin
 * makes gets `minTime` 0, keeping its concurrency limits (writes still go one at a time, in order).
 * The bench's second pass preloads it too (bench/run.ts), as a diagnostic of what the app itself
 * costs. Plain JavaScript, because the app's process loads it as it is.
 *
 * The plugin builds its groups with `new Bottleneck.Group(…)` from `bottleneck/light.js` on its
 * first request; that module is CommonJS, so this require shares its exports object.
 */
const bottleneck = createRequire(import.meta.url)("bottleneck/light.js");
const Group = bottleneck.Group;
bottleneck.Group = function GroupWithoutSpacing(options = {}) {
  return new Group({ ...options, minTime: 0 });
};
