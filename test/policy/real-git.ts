import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Git run apart from the machine's own git config, so every run sees the same defaults. */
const gitEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };

/** What `git patch-id --stable` says for a diff (raw bytes, or text as UTF-8): its first id, or undefined when it prints none. */
export function gitPatchId(diff: Uint8Array | string): string | undefined {
  const out = execFileSync("git", ["patch-id", "--stable"], { cwd: tmpdir(), env: gitEnv, input: diff, encoding: "latin1" });
  return out.split(" ")[0] || undefined;
}

/** A throwaway repository to make real commits in; everything it returns about a diff is raw bytes. */
export class Repo {
  readonly dir = mkdtempSync(join(tmpdir(), "mainline-git-"));

  constructor() {
    this.git("init", "-q", "-b", "main");
  }

  git(...args: string[]): string {
    return this.gitBytes(...args).toString("utf8");
  }

  gitBytes(...args: string[]): Buffer {
    return execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "core.autocrlf=false", ...args], {
      cwd: this.dir,
      env: gitEnv,
      maxBuffer: 64 * 1024 * 1024,
    });
  }

  write(file: string, content: string | Uint8Array): void {
    mkdirSync(dirname(join(this.dir, file)), { recursive: true });
    writeFileSync(join(this.dir, file), content);
  }

  unlink(file: string): void {
    rmSync(join(this.dir, file), { force: true });
  }

  chmod(file: string, mode: number): void {
    chmodSync(join(this.dir, file), mode);
  }

  /** Writes the files, stages everything (additions, deletions, renames) and commits; returns the commit's sha. */
  commit(message: string, files: Record<string, string | Uint8Array> = {}): string {
    for (const [file, content] of Object.entries(files)) this.write(file, content);
    this.git("add", "-A");
    this.git("commit", "-q", "--allow-empty", "-m", message);
    return this.git("rev-parse", "HEAD").trim();
  }

  /** The diff of one commit, as GitHub's `application/vnd.github.diff` gives it: `git show` with no message, raw bytes. */
  diffOf(sha: string, ...options: string[]): Buffer {
    return this.gitBytes("show", "--format=", "--no-color", "--no-ext-diff", ...options, sha);
  }

  /** The same diff as `git diff-tree -p` prints it (plumbing: no config can change it). */
  diffTreeOf(sha: string): Buffer {
    return this.gitBytes("diff-tree", "-p", "--no-commit-id", "-M", sha);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
