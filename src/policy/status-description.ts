import { neutraliseMarkers } from "./text.js";

/**
 * GitHub refuses a deployment status whose description is longer than 140 characters (REST
 * "Create a deployment status": "The maximum description length is 140 characters"; 422 past it).
 * GitHub's REST description states no limit for a protection rule's comment, and a check run's
 * summary takes 65,535 characters: both carry the full message.
 */
export const STATUS_DESCRIPTION_LIMIT = 140;

/**
 * The first text that fits GitHub's limit as it will be sent (markers neutralised), else the last
 * one cut. Names come from the config and the payload, so no length can be assumed.
 */
export function fitted(candidates: readonly string[]): string {
  const fits = candidates.find((text) => neutraliseMarkers(text).length <= STATUS_DESCRIPTION_LIMIT);
  if (fits !== undefined) return fits;
  let cut = candidates.at(-1)!.slice(0, STATUS_DESCRIPTION_LIMIT - 1);
  while (neutraliseMarkers(`${cut}…`).length > STATUS_DESCRIPTION_LIMIT) cut = cut.slice(0, -1);
  return `${cut}…`;
}
