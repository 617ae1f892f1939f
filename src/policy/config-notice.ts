import { CONFIG_PATH } from "../public-names.js";
import { quietLogin, shortSha } from "./text.js";

export type ConfigNotice = {
  commit: { sha: string; url: string };
  /** The commit's author and the pusher as GitHub names them: user text, escaped here. */
  author: string;
  pusher: string;
  weakenings: readonly string[];
  /** Incidents left without the notice because a delivery writes to at most `limit`. */
  leftOut?: { limit: number };
};

/** What an open incident is told when a push weakened the config on main (SPEC 8). */
export function renderConfigNotice(notice: ConfigNotice): string {
  return [
    `**The config on main was weakened.** Commit [\`${shortSha(notice.commit.sha)}\`](${notice.commit.url}) by ${quietLogin(notice.author)}, pushed by ${quietLogin(notice.pusher)}, changed \`${CONFIG_PATH}\`:`,
    notice.weakenings.map((w) => `- ${w}`).join("\n"),
    "mainline enforces the config on main: whoever can change main decides it. If this change was not agreed, revert it on main.",
    ...(notice.leftOut ? [`More than ${notice.leftOut.limit} open issues are labelled as incidents: this notice went to the incidents among the ${notice.leftOut.limit} opened last.`] : []),
  ].join("\n\n");
}
