import { AsyncLocalStorage } from "node:async_hooks";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger, Probot } from "probot";
import type { DeliveriesInProgress, DeliveryRun } from "./coordination/deliveries-in-progress.js";
import { isApiError } from "./github/api-error.js";
import { answerProtectionRule, ANSWER_RETRY } from "./github/deployments.js";
import { protectionRuleTarget } from "./policy/gate.js";
import { shortSha } from "./policy/text.js";
import { inFrontOfWebhooks, type Middleware } from "./webhook-door.js";

/** How long a request that has not finished sending its body may go on once shutdown starts. */
export const BODY_READ_LIMIT_MS = 2_000;

/** How long answering abandoned protection rules may take after the grace, at most. */
export const ABANDON_ANSWER_MS = 3_000;

/** What a protection rule delivery needs to be answered without its handler. */
type Rule = { installation: number; callbackUrl: string; environment: string; sha?: string };

type Delivery = { id: string; event: string; res: ServerResponse; rule?: Rule; handled: Promise<void>; run?: DeliveryRun };

/** A request at the webhook door, from its first byte until it is verified (then it is a Delivery) or answered. */
type Arrival = { req: IncomingMessage; res: ServerResponse; delivery?: Delivery; cut?: boolean };

export type Abandoned = {
  id: string;
  event: string;
  /** What GitHub was told: `refused` (503, it records a failure and redelivers), `accepted` (it already had a 202: it counts as delivered). */
  github: "refused" | "accepted";
  /**
   * For a protection rule: `rejected` (answered so here), `earlier` (GitHub already held an
   * answer, its handler's: what it was still doing is lost), or `failed` with why.
   */
  rule?: { answer: "rejected" } | { answer: "earlier" } | { answer: "failed"; error: string };
  /** With REDIS_URL: whether Redis now holds it as unfinished, so that the missed-webhook sweep redelivers it (even after a 202). */
  noted?: boolean;
};

export type DrainResult = { finished: number; abandoned: Abandoned[]; cut: number };

/**
 * The deliveries this process is working on, and the door they come in by.
 *
 * A delivery is in flight from the moment its signature is verified (its body read whole and
 * signed with WEBHOOK_SECRET: src/signature-gate.ts) until its handlers are done, which can be
 * after Probot's middleware answered (it answers 202 "still processing" after 9 s and lets the
 * handlers run on). A request still sending its body is not a delivery yet: whoever sent it
 * may not be GitHub. Once `drain` starts, new requests get 503, which GitHub records as a failed
 * delivery (the missed-webhook sweep, or Redeliver in GitHub, sends it again to a replica that is
 * up); one still sending its body gets BODY_READ_LIMIT_MS to finish.
 *
 * With REDIS_URL (`inProgress`), each delivery in flight is also noted in the replicas' journal of
 * deliveries in progress (coordination/deliveries-in-progress.ts) from its start to its end: work
 * that fails after GitHub had its 202, or whose replica dies, is then redelivered by the sweep,
 * which GitHub's own record (delivered) would never lead it to.
 */
export class Deliveries {
  #draining = false;
  readonly #inFlight = new Set<Delivery>();
  readonly #arriving = new Set<Arrival>();
  readonly #door = new AsyncLocalStorage<Arrival>();
  #wake: () => void = () => {};
  #finishedWhileDraining = 0;

  constructor(
    private readonly probot: Probot,
    private readonly log: Logger = probot.log,
    private readonly inProgress?: Pick<DeliveriesInProgress, "started" | "stop">,
  ) {}

  /** Verified deliveries whose handlers are still running. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Requests at the door that have not been verified yet (still sending their body, or being checked). */
  get arriving(): number {
    return this.#arriving.size;
  }

  /**
   * Puts the door in front of Probot's webhook middleware (outside the signature check, so a
   * draining replica does not even read the body), and follows each request into
   * `webhooks.verifyAndReceive`, which Probot calls once the signature gate let it through and
   * which runs its handlers: from there it counts as in flight. Probot's server asks for the
   * middleware once the app is loaded; install this after every other wrapper.
   */
  install(): void {
    inFrontOfWebhooks(this.probot, (webhooks) => this.#doorway(webhooks));
    const webhooks = this.probot.webhooks;
    const receive = webhooks.verifyAndReceive;
    webhooks.verifyAndReceive = (options) => {
      const arrival = this.#door.getStore();
      // Answered 503 and cut off by the shutdown between its last byte and here: not run.
      if (arrival?.cut) return Promise.resolve();
      if (!arrival || arrival.delivery) return receive(options);
      const delivery: Delivery = { id: String(options.id).slice(0, 100), event: String(options.name), res: arrival.res, rule: ruleOf(options.name, options.payload), handled: Promise.resolve() };
      arrival.delivery = delivery;
      this.#arriving.delete(arrival);
      this.#inFlight.add(delivery);
      const run = (delivery.run = this.inProgress?.started(delivery.id));
      // A failure is seen here before Probot answers it: `headersSent` only if its 202 went at 9 s.
      const worked = receive(options).then(
        () => void run?.finished(),
        (error: unknown) => {
          void run?.failed(arrival.res.headersSent);
          throw error;
        },
      );
      const handled = worked.finally(() => {
        this.#inFlight.delete(delivery);
        if (this.#draining) this.#finishedWhileDraining++;
        this.#wake();
      });
      delivery.handled = handled.then(
        () => undefined,
        () => undefined,
      );
      return handled;
    };
  }

  #doorway(webhooks: Middleware): Middleware {
    return async (req: IncomingMessage, res: ServerResponse, next?: Parameters<Middleware>[2]) => {
      if (this.#draining) {
        const id = header(req, "x-github-delivery");
        const event = header(req, "x-github-event");
        this.log.info({ delivery: id, event }, `webhook refused while shutting down: delivery ${id} (${event}) gets 503, to be redelivered to a replica that is up`);
        req.resume();
        res.writeHead(503, { "content-type": "application/json", "retry-after": "10", connection: "close" }).end(JSON.stringify({ error: "shutting down; redeliver later" }));
        return true;
      }
      const arrival: Arrival = { req, res };
      this.#arriving.add(arrival);
      try {
        return await this.#door.run(arrival, () => webhooks(req, res, next));
      } catch (error) {
        // Cut off by the shutdown while still sending its body: it was answered 503 already.
        if (arrival.cut) return true;
        throw error;
      } finally {
        // Refused before any handler ran (bad signature, bad payload), or done: no longer at the door.
        if (this.#arriving.delete(arrival)) this.#wake();
      }
    };
  }

  /**
   * From now on every new request gets 503. Waits for the deliveries in flight, at most
   * `graceMs`, and for requests still sending their body at most BODY_READ_LIMIT_MS (those are
   * then answered 503 and cut off, and not counted: nothing verified them). What is still
   * running at the end is abandoned: a delivery not yet answered gets 503 (GitHub records it as
   * failed, so it is redelivered); a protection rule is answered `rejected` through its callback,
   * since its deployment would otherwise wait for an answer that never comes. Each abandoned
   * delivery is returned so it can be logged.
   */
  async drain(graceMs: number): Promise<DrainResult> {
    this.#draining = true;
    this.#finishedWhileDraining = 0;
    let cut = 0;
    const cutReaders = () => {
      for (const arrival of [...this.#arriving]) {
        if (arrival.delivery) continue;
        arrival.cut = true;
        cut++;
        this.#arriving.delete(arrival);
        void refuse(arrival.res, "shutting down; redeliver later").then(() => arrival.req.destroy());
      }
      this.#wake();
    };
    const readTimer = setTimeout(cutReaders, Math.min(graceMs, BODY_READ_LIMIT_MS));
    let timedOut = false;
    const graceTimer = setTimeout(() => {
      timedOut = true;
      this.#wake();
    }, graceMs);
    while (!timedOut && (this.#inFlight.size > 0 || this.#arriving.size > 0)) {
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    this.#wake = () => {};
    clearTimeout(readTimer);
    clearTimeout(graceTimer);
    if (this.#arriving.size > 0) cutReaders();
    const abandoned = await Promise.all([...this.#inFlight].map((delivery) => this.#abandon(delivery)));
    this.inProgress?.stop();
    return { finished: this.#finishedWhileDraining, abandoned, cut };
  }

  async #abandon(delivery: Delivery): Promise<Abandoned> {
    const github = delivery.res.headersSent ? "accepted" : "refused";
    const [, rule, noted] = await Promise.all([
      refuse(delivery.res, "shutting down before this delivery finished; redeliver it"),
      delivery.rule ? this.#reject(delivery.rule) : undefined,
      delivery.run?.failed(github === "accepted"),
    ]);
    return { id: delivery.id, event: delivery.event, github, ...(rule ? { rule } : {}), ...(noted === undefined ? {} : { noted }) };
  }

  /** Answers an abandoned protection rule `rejected`, as its handler would have answered it (same client, same call). */
  async #reject(rule: Rule): Promise<NonNullable<Abandoned["rule"]>> {
    const commit = rule.sha ? ` whether ${shortSha(rule.sha)} may deploy to ${rule.environment}` : "";
    const comment = `mainline shut down before it could decide${commit}; refused. Re-run the deployment to have it checked again.`;
    let timer: NodeJS.Timeout | undefined;
    const answering = (async () => {
      const octokit = await this.probot.auth(rule.installation);
      const retry = { ...ANSWER_RETRY, attemptMs: 1_500, budgetMs: ABANDON_ANSWER_MS - 500 };
      await answerProtectionRule(octokit, { callbackUrl: rule.callbackUrl, environment: rule.environment, state: "rejected", comment }, retry);
    })();
    try {
      await Promise.race([answering, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ABANDON_ANSWER_MS} ms`)), ABANDON_ANSWER_MS)))]);
      return { answer: "rejected" };
    } catch (error) {
      answering.catch(() => undefined);
      // GitHub keeps one answer per run: the handler gave it before the grace ended.
      if (isApiError(error) && error.status === 422) return { answer: "earlier" };
      return { answer: "failed", error: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The callback, environment and installation of a protection rule delivery, from its (verified) payload. */
function ruleOf(event: unknown, payload: unknown): Rule | undefined {
  if (event !== "deployment_protection_rule") return undefined;
  let body: unknown = payload;
  try {
    if (typeof payload === "string") body = JSON.parse(payload);
  } catch {
    return undefined;
  }
  const p = (body ?? {}) as { action?: unknown; installation?: { id?: unknown } };
  const installation = p.installation?.id;
  const { callbackUrl, environment, sha } = protectionRuleTarget(body);
  if (p.action !== "requested" || typeof installation !== "number" || !callbackUrl || !environment) return undefined;
  // Only a sha-like value is quoted in the answer: the payload passed the signature, but it is still text.
  return { installation, callbackUrl, environment, ...(sha && /^[0-9a-f]{7,64}$/i.test(sha) ? { sha } : {}) };
}

/** An answer for a request that will not finish here: 503 if nothing was sent yet, then the connection ends. */
function refuse(res: ServerResponse, error: string): Promise<void> {
  if (res.writableEnded || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1_000);
    res.once("finish", () => {
      clearTimeout(timer);
      resolve();
    });
    if (!res.headersSent) res.writeHead(503, { "content-type": "application/json", connection: "close" });
    res.end(JSON.stringify({ error }));
  });
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return String(Array.isArray(value) ? value[0] : (value ?? "none")).slice(0, 100);
}
