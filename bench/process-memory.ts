import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { basename } from "node:path";

/**
 * The node process that serves the app listening on `port`. Both launchers put the app in its
 * own process group (npm → sh → node for mainline, node alone for the floor): the group is the
 * one whose leader was started with PORT=<port>, and the process wanted is its member whose
 * executable is node and whose arguments are `probot run …` (the floor) or mainline's start
 * entry, `dist/main.js`.
 */
export function findProbotProcess(port: number): number {
  const processes = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .flatMap((pid) => {
      const facts = readFacts(pid);
      return facts ? [{ pid, ...facts }] : [];
    });
  const leader = processes.find((p) => p.pgid === p.pid && p.environ.includes(`\0PORT=${port}\0`));
  if (!leader) throw new Error(`no process group started with PORT=${port}`);
  const serves = (args: string[]) => (args.some((a) => basename(a) === "probot") && args.includes("run")) || args.some((a) => a.endsWith("dist/main.js"));
  const probot = processes.find((p) => p.pgid === leader.pid && p.exe === "node" && serves(p.args));
  if (!probot) throw new Error(`no node process running probot in process group ${leader.pid}`);
  return probot.pid;
}

/** The process's peak resident set size (VmHWM), in MiB. */
export function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kiB = Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1]);
  if (!Number.isFinite(kiB)) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return kiB / 1024;
}

function readFacts(pid: number): { pgid: number; exe: string; args: string[]; environ: string } | undefined {
  try {
    // Field 5 of stat is the process group; the command name before it may contain spaces, so split after ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const pgid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    return { pgid, exe: basename(readlinkSync(`/proc/${pid}/exe`)), args, environ: `\0${readFileSync(`/proc/${pid}/environ`, "utf8")}` };
  } catch {
    // Another user's process, or one that just exited.
    return undefined;
  }
}
