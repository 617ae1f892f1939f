import type { Probot } from "probot";

type Log = Probot["log"];

/**
 * A connection that keeps failing reports the same error at every reconnect attempt (ioredis
 * retries every 50 ms … 2 s, so 40-odd lines in 12 s per client). This keeps the first one in
 * full, then one summary line at most every `everyMs` while it lasts, and one line when it is
 * back (`recovered`, or no error for `quietMs`).
 */
export class RepeatedErrors {
  #down = false;
  #since = 0;
  #lastLine = 0;
  #lastError = 0;
  #unreported = 0;
  #lastMessage = "";

  constructor(
    private readonly log: Log,
    private readonly what: string,
    private readonly everyMs = 30_000,
    private readonly quietMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get lastMessage(): string {
    return this.#lastMessage;
  }

  report(error: unknown): void {
    const now = this.now();
    const message = error instanceof Error ? error.message : String(error);
    this.#lastMessage = message;
    if (this.#down && now - this.#lastError >= this.quietMs) this.recovered();
    this.#lastError = now;
    if (!this.#down) {
      this.#down = true;
      this.#since = this.#lastLine = now;
      this.#unreported = 0;
      this.log.error({ err: withoutCommand(error) }, `${this.what} is unreachable: ${message}. Further connection errors are summarised every ${Math.round(this.everyMs / 1000)} s until it is back.`);
      return;
    }
    this.#unreported++;
    if (now - this.#lastLine < this.everyMs) return;
    this.log.warn(
      { errors: this.#unreported, downSeconds: Math.round((now - this.#since) / 1000) },
      `${this.what} still unreachable after ${Math.round((now - this.#since) / 1000)} s: ${this.#unreported} more connection errors (${message})`,
    );
    this.#unreported = 0;
    this.#lastLine = now;
  }

  recovered(): void {
    if (!this.#down) return;
    this.#down = false;
    const seconds = Math.round((this.now() - this.#since) / 1000);
    this.log.info({ errors: this.#unreported, downSeconds: seconds }, `${this.what} is reachable again (unreachable for ${seconds} s)`);
  }
}

/**
 * The error as a log line may show it: its name, message, code and stack, but not what ioredis
 * attaches of the command that failed (`command.args`: for AUTH, the password of REDIS_URL).
 */
function withoutCommand(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const { name, message, stack } = error;
  const { code } = error as { code?: unknown };
  return { type: name, message, stack, ...(code === undefined ? {} : { code }) };
}
