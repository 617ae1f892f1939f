import { createHash, type Hash } from "node:crypto";

const DIGEST_BYTES = 20;

/**
 * A patch's identity as `git patch-id --stable` computes it: the same change gives the same id
 * whatever its position, line numbers or whitespace. Undefined when the text holds no diff.
 *
 * This mirrors git's own reader line for line (builtin/patch-id.c), quirks included, because an
 * id is only useful if it equals the one git gives for the same change: `index` lines and hunk
 * line numbers are left out, every other line of the diff is hashed with its whitespace removed,
 * and each file's part is hashed on its own and the SHA-1 digests summed, so file order is moot.
 */
export function patchId(unifiedDiff: string): string | undefined {
  const reader = new PatchIdReader();
  for (const line of unifiedDiff.split("\n")) {
    if (!reader.read(line)) break;
  }
  return reader.finish();
}

class PatchIdReader {
  private readonly sum = Buffer.alloc(DIGEST_BYTES);
  private hash: Hash = createHash("sha1");
  private hashedLength = 0;
  /** Lines still expected on each side of the current hunk; -1 while reading a file's header. */
  private before = -1;
  private after = -1;
  private inBinaryFile = false;
  /** A binary file's change is identified by the blob names on its `index` line. */
  private preImage = "";
  private postImage = "";

  /** Takes one line; false once the patch has ended and the rest is not part of it. */
  read(line: string): boolean {
    if (isNoNewlineNote(line)) return true;
    // Anything before the first file (a commit message, say) is not part of the change.
    if (this.hashedLength === 0 && !line.startsWith("diff ")) return true;

    if (this.before === -1) {
      if (line.startsWith("GIT binary patch") || line.startsWith("Binary files")) {
        this.inBinaryFile = true;
        this.before = 0;
        this.hash.update(this.preImage);
        this.hash.update(this.postImage);
        this.flushFile();
        return true;
      }
      if (line.startsWith("index ")) {
        this.rememberBlobs(line);
        return true;
      }
      if (line.startsWith("--- ")) {
        this.before = 1;
        this.after = 1;
      } else if (!/^[A-Za-z]/.test(line)) {
        return false;
      }
    }

    if (this.inBinaryFile) {
      // git skips the next file's `diff` line here, unhashed; doing the same keeps ids equal.
      if (line.startsWith("diff ")) {
        this.inBinaryFile = false;
        this.before = -1;
      }
      return true;
    }

    if (this.before === 0 && this.after === 0) {
      if (line.startsWith("@@ -")) {
        this.startHunk(line);
        return true;
      }
      if (!line.startsWith("diff ")) return false;
      this.flushFile();
      this.before = -1;
      this.after = -1;
    }

    if (line.startsWith("-") || line.startsWith(" ")) this.before--;
    if (line.startsWith("+") || line.startsWith(" ")) this.after--;
    this.hashLine(line);
    return true;
  }

  finish(): string | undefined {
    this.flushFile();
    return this.hashedLength === 0 ? undefined : this.sum.toString("hex");
  }

  private hashLine(line: string): void {
    const bytes = Buffer.from(line.replace(/[ \t\n\v\f\r]/g, ""), "utf8");
    this.hashedLength += bytes.length;
    this.hash.update(bytes);
  }

  /** Reads `index <pre>..<post>[ <mode>]`; a line without `..` leaves the last names in place, as in git. */
  private rememberBlobs(line: string): void {
    const names = /^index ([^.]*)\.\.(\S*)/.exec(line);
    if (!names) return;
    this.preImage = names[1] ?? "";
    this.postImage = names[2] ?? "";
  }

  /**
   * Only the line counts of a hunk header matter: they say where the hunk ends. Read as git's
   * scan_hunk_header reads them, down to what a malformed header leaves behind, so that even
   * odd input gets git's id.
   */
  private startHunk(line: string): void {
    let rest = line.slice("@@ -".length);
    let digits = leadingDigits(rest);
    if (rest[digits] === ",") {
      rest = rest.slice(digits + 1);
      this.before = atoi(rest);
      digits = leadingDigits(rest);
    } else {
      this.before = 1;
    }
    if (digits === 0 || rest[digits] !== " " || rest[digits + 1] !== "+") return;
    rest = rest.slice(digits + 2);
    digits = leadingDigits(rest);
    if (rest[digits] === ",") this.after = atoi(rest.slice(digits + 1));
    else this.after = 1;
  }

  /** Adds this file's digest to the sum as a little-endian 160-bit number, dropping the last carry as git does. */
  private flushFile(): void {
    const digest = this.hash.digest();
    this.hash = createHash("sha1");
    let carry = 0;
    for (let i = 0; i < DIGEST_BYTES; i++) {
      carry += this.sum.readUInt8(i) + digest.readUInt8(i);
      this.sum.writeUInt8(carry & 0xff, i);
      carry >>= 8;
    }
  }
}

function leadingDigits(text: string): number {
  return text.search(/\D|$/);
}

/** C's atoi: the leading integer, 0 when there is none. */
function atoi(text: string): number {
  const n = Number.parseInt(text, 10);
  return Number.isNaN(n) ? 0 : n;
}

/** `\ No newline at end of file`: says nothing about the change itself, and git skips it. */
function isNoNewlineNote(line: string): boolean {
  return line.startsWith("\\ ") && line.length >= 12;
}
