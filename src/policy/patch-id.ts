import { createHash, type Hash } from "node:crypto";
import { withoutGitSpace } from "./git-space.js";

const DIGEST_BYTES = 20;
/** GIT_MAX_HEXSZ: git keeps at most this many bytes of each blob name on an `index` line. */
const MAX_BLOB_NAME = 64;

/**
 * A patch's identity as `git patch-id --stable` computes it: the same change gives the same id
 * whatever its position, line numbers or whitespace. Undefined when the input holds no diff.
 *
 * The diff is taken as raw bytes (a string is taken as its UTF-8 bytes), as git reads it: a
 * diff is not text in any encoding, and decoding it would change the bytes that are hashed.
 *
 * This mirrors git's own reader line for line (builtin/patch-id.c, as in git 2.39), quirks
 * included, because an id is only useful if it equals the one git gives for the same change:
 * `index` lines and hunk line numbers are left out, every other line of the diff is hashed
 * with git's whitespace (space, tab, CR, LF) removed, and each file's part is hashed on its own
 * and the SHA-1 digests summed, so file order is moot. git prints one id per patch in its input;
 * this is the first.
 */
export function patchId(diff: Uint8Array | string): string | undefined {
  const reader = new PatchIdReader();
  for (const line of wholeLines(typeof diff === "string" ? Buffer.from(diff, "utf8") : Buffer.from(diff.buffer, diff.byteOffset, diff.byteLength))) {
    if (!reader.read(line)) break;
  }
  return reader.finish();
}

/**
 * Each line with its `\n`, as git's strbuf_getwholeline reads it, cut at its first NUL byte:
 * git handles the line as a C string from there on, so nothing after a NUL exists for it.
 */
function* wholeLines(bytes: Buffer): Generator<Buffer> {
  for (let start = 0; start < bytes.length; ) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline + 1;
    const line = bytes.subarray(start, end);
    const nul = line.indexOf(0);
    yield nul === -1 ? line : line.subarray(0, nul);
    start = end;
  }
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
  private preImage = Buffer.alloc(0);
  private postImage = Buffer.alloc(0);

  /** Takes one line (with its `\n`); false once the patch has ended and the rest is not part of it. */
  read(line: Buffer): boolean {
    if (startsWith(line, "\\ ") && line.length > 12) return true;
    // A line that starts with an object name (after `commit ` or `From `) begins git's next patch.
    // Before any diff line that patch has hashed nothing yet, so it is the one that counts.
    if (isObjectName(afterPrefix(line, "commit ") ?? afterPrefix(line, "From ") ?? line)) return this.hashedLength === 0;
    // Anything before the first file (a commit message, say) is not part of the change.
    if (this.hashedLength === 0 && !startsWith(line, "diff ")) return true;

    if (this.before === -1) {
      if (startsWith(line, "GIT binary patch") || startsWith(line, "Binary files")) {
        this.inBinaryFile = true;
        this.before = 0;
        this.hash.update(this.preImage);
        this.hash.update(this.postImage);
        this.flushFile();
        return true;
      }
      if (startsWith(line, "index ")) {
        this.rememberBlobs(line);
        return true;
      }
      if (startsWith(line, "--- ")) {
        this.before = 1;
        this.after = 1;
      } else if (!isAsciiLetter(line[0])) {
        return false;
      }
    }

    if (this.inBinaryFile) {
      // git skips the next file's `diff` line here, unhashed; doing the same keeps ids equal.
      if (startsWith(line, "diff ")) {
        this.inBinaryFile = false;
        this.before = -1;
      }
      return true;
    }

    if (this.before === 0 && this.after === 0) {
      if (startsWith(line, "@@ -")) {
        this.startHunk(line);
        return true;
      }
      if (!startsWith(line, "diff ")) return false;
      this.flushFile();
      this.before = -1;
      this.after = -1;
    }

    if (line[0] === MINUS || line[0] === SPACE) this.before--;
    if (line[0] === PLUS || line[0] === SPACE) this.after--;
    this.hashLine(line);
    return true;
  }

  finish(): string | undefined {
    this.flushFile();
    return this.hashedLength === 0 ? undefined : this.sum.toString("hex");
  }

  private hashLine(line: Buffer): void {
    const bytes = withoutGitSpace(line);
    this.hashedLength += bytes.length;
    this.hash.update(bytes);
  }

  /**
   * Reads `index <pre>..<post>[ <mode>]` as git does: from the first `..` of the line, the post
   * name ends at the next space, or else one byte before the line's end (its `\n`; the last byte
   * of a last line without one). A line without `..` leaves the last names in place.
   */
  private rememberBlobs(line: Buffer): void {
    const dots = line.indexOf("..");
    if (dots === -1) return;
    const space = line.indexOf(SPACE, dots);
    const end = space === -1 ? line.length - 1 : space;
    this.preImage = Buffer.from(line.subarray("index ".length, dots).subarray(0, MAX_BLOB_NAME));
    this.postImage = Buffer.from(line.subarray(dots + 2, Math.max(dots + 2, end)).subarray(0, MAX_BLOB_NAME));
  }

  /**
   * Only the line counts of a hunk header matter: they say where the hunk ends. Read as git's
   * scan_hunk_header reads them, down to what a malformed header leaves behind, so that even
   * odd input gets git's id.
   */
  private startHunk(line: Buffer): void {
    let q = "@@ -".length;
    let digits = digitsAt(line, q);
    if (line[q + digits] === COMMA) {
      q += digits + 1;
      this.before = atoi(line, q);
      digits = digitsAt(line, q);
    } else {
      this.before = 1;
    }
    if (digits === 0 || line[q + digits] !== SPACE || line[q + digits + 1] !== PLUS) return;
    const r = q + digits + 2;
    digits = digitsAt(line, r);
    if (line[r + digits] === COMMA) this.after = atoi(line, r + digits + 1);
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

const SPACE = 0x20;
const PLUS = 0x2b;
const MINUS = 0x2d;
const COMMA = 0x2c;

function startsWith(line: Buffer, prefix: string): boolean {
  return line.length >= prefix.length && line.toString("latin1", 0, prefix.length) === prefix;
}

function afterPrefix(line: Buffer, prefix: string): Buffer | undefined {
  return startsWith(line, prefix) ? line.subarray(prefix.length) : undefined;
}

/** git's get_oid_hex: the text starts with a full SHA-1 object name (40 hex digits, either case). */
function isObjectName(text: Buffer): boolean {
  return text.length >= 40 && /^[0-9a-fA-F]{40}$/.test(text.toString("latin1", 0, 40));
}

/** git's isalpha: ASCII letters only, whatever the locale. */
function isAsciiLetter(byte: number | undefined): boolean {
  return byte !== undefined && ((byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a));
}

function isDigit(byte: number | undefined): byte is number {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

/** strspn(text, "0123456789") from `at`. */
function digitsAt(line: Buffer, at: number): number {
  let n = 0;
  while (isDigit(line[at + n])) n++;
  return n;
}

/** The C library's isspace in the C locale, which atoi skips (wider than git's own). */
const C_SPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);
const LONG_MAX = 2n ** 63n - 1n;

/**
 * glibc's atoi: `(int) strtol(text, NULL, 10)`. Leading C whitespace and a sign are taken, a
 * value past a 64-bit long is clamped to it, and the cast to int keeps the low 32 bits, so a
 * hostile hunk header gets the same (odd) count as in git.
 */
function atoi(line: Buffer, from: number): number {
  let i = from;
  while (C_SPACE.has(line[i] ?? -1)) i++;
  const negative = line[i] === MINUS;
  if (negative || line[i] === PLUS) i++;
  let value = 0n;
  for (let byte = line[i]; isDigit(byte); byte = line[++i]) {
    if (value <= LONG_MAX) value = value * 10n + BigInt(byte - 0x30);
  }
  const clamped = negative ? (value > LONG_MAX + 1n ? -(LONG_MAX + 1n) : -value) : value > LONG_MAX ? LONG_MAX : value;
  return Number(BigInt.asIntN(32, clamped));
}
