import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { configSchema } from "./config.js";
import { CONFIG_PATH } from "./public-names.js";

/** The JSON Schema of `.github/mainline.yml`, generated from the zod schema so the two cannot drift. */
export function configJsonSchema(): object {
  return {
    ...z.toJSONSchema(configSchema, { io: "input" }),
    title: `mainline configuration (${CONFIG_PATH})`,
  };
}

// `npm run schema` rewrites src/config.schema.json; a test fails when the committed file is stale.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = new URL("../src/config.schema.json", import.meta.url);
  writeFileSync(target, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  console.log(`wrote ${fileURLToPath(target)}`);
}
