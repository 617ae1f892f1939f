import { LRUCache } from "lru-cache";
import type { Octokit } from "./client.js";

/**
 * GitHub does not count a GET answered `304 Not Modified` against the rate limit when it was
 * sent with the `ETag` of the last answer in `If-None-Match`. Remembering each answer with its
 * ETag turns every repeated read (above all `.github/mainline.yml`, read by every delivery
 * through Probot's `context.config`) into such a free request while the resource is unchanged.
 *
 * Bounded by the size of the remembered bodies: 20 MB of JSON text, kept as text (parsed again
 * for each use, so no caller can change what is remembered), which costs about as much heap.
 * A gate's reads of one repository are a few kilobytes (its config file, the open incidents),
 * so this keeps thousands of repositories warm; a full cache on top of the app's own ~110 MB
 * still leaves the process under its 150 MB budget. Least recently used answers go first.
 */
const MAX_BYTES = 20_000_000;

type Response = Awaited<ReturnType<Octokit["request"]>>;
type Remembered = { etag: string; url: string; headers: Response["headers"]; body: string; json: boolean };

export class ConditionalReads {
  readonly #remembered: LRUCache<string, Remembered>;

  constructor(maxBytes = MAX_BYTES) {
    this.#remembered = new LRUCache({ maxSize: maxBytes });
  }

  /** Makes every GET of `octokit`, a client of `installation`, conditional on what was last read. Returns `octokit`. */
  apply<O extends Octokit>(octokit: O, installation: number): O {
    octokit.hook.wrap("request", async (request, options) => {
      const { method, url, headers } = octokit.request.endpoint.parse(options);
      if (method !== "GET") return request(options);
      // The same URL answers differently for another installation or media type.
      const key = `${installation} ${headers.accept ?? ""} ${url}`;
      const remembered = this.#remembered.get(key);
      // The hooks inside this one were handed these options already: the header goes into them.
      if (remembered) options.headers["if-none-match"] = remembered.etag;
      try {
        const response = await request(options);
        this.#remember(key, response);
        return response;
      } catch (error) {
        if (remembered && isNotModified(error)) return recalled(remembered);
        throw error;
      }
    });
    return octokit;
  }

  #remember(key: string, response: Response): void {
    const { status, url, headers, data } = response;
    const etag = status === 200 ? headers.etag : undefined;
    const body = !etag ? undefined : typeof data === "string" ? data : isJson(data) ? JSON.stringify(data) : undefined;
    if (!etag || body === undefined) {
      this.#remembered.delete(key);
      return;
    }
    const remembered = { etag, url, headers: { ...headers }, body, json: typeof data !== "string" };
    this.#remembered.set(key, remembered, { size: key.length + body.length + JSON.stringify(headers).length });
  }
}

/** The remembered answer as a fresh one: its own copy of the data, as the 200 that it stands for. */
function recalled({ url, headers, body, json }: Remembered): Response {
  return { status: 200, url, headers: { ...headers }, data: json ? JSON.parse(body) : body } as Response;
}

function isNotModified(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { status?: unknown }).status === 304;
}

/** A parsed JSON body (not a binary or streamed one, which are passed through unremembered). */
function isJson(data: unknown): boolean {
  return Array.isArray(data) || (typeof data === "object" && data !== null && Object.getPrototypeOf(data) === Object.prototype);
}
