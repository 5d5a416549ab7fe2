import { isDeepStrictEqual } from 'node:util';
import type { Store, WatchEvent } from '../store/store.ts';
import type { DataPlane } from '../dataplane/types.ts';
import type { IR } from '../ir/types.ts';
import type { AddressAllocator, ChangeSet, TranslateEnv, TranslateResult } from '../translator/types.ts';
import type { Snapshot } from '../store/snapshot.ts';
import { isRouteKind } from '../api/kinds.ts';
import { keyOf, keyString, type ObjectKey } from '../api/object.ts';

/**
 * The translator's signature, injected so the loop can be tested with a fake. `changes` (the keys of
 * every object changed since the previous call, status writes included) lets an incremental translator
 * patch its previous result; it is undefined when the previous result was not used as a whole.
 */
export type TranslateFn = (snap: Snapshot, env: TranslateEnv, changes?: ChangeSet) => TranslateResult;

export interface ControllerOptions {
  store: Store;
  dataplane: DataPlane;
  translate: TranslateFn;
  controllerName: string;
  addresses: AddressAllocator & { retain?(gateways: Iterable<string>): void };
  log?: (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;
  /**
   * Quiet period after a change before translating. 0 (the default) translates on the next turn of
   * the event loop: changes made in one turn (a whole directory load) still coalesce, and changes
   * that arrive while a translation runs are picked up together by the next one, so bursts batch
   * themselves without adding latency to a lone change.
   */
  holdOffMs?: number;
  /** With a hold-off: upper bound on how long a continuous stream of changes can postpone a translation. */
  maxDelayMs?: number;
}

/**
 * The control loop: store changes → translate (pure) → write statuses → apply the IR to the data
 * plane. One reconcile runs at a time; changes that arrive meanwhile schedule exactly one more.
 * Status writes made by the loop itself do not schedule a reconcile (they cannot change the IR).
 */
export class Controller {
  private readonly o: Required<Omit<ControllerOptions, 'log'>> & Pick<ControllerOptions, 'log'>;
  private version = 0;
  private bindErrors = new Map<string, string>();
  private running: Promise<void> | undefined;
  private dirty = false;
  /** A scheduled reconcile: a hold-off timeout, or (no hold-off) an immediate on the next loop turn. */
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private firstChangeAt = 0;
  private writingStatus = false;
  private unwatch: (() => void) | undefined;
  private idleWaiters: Array<() => void> = [];
  private lastIR: IR | undefined;
  /**
   * Status objects found equal to (or written into) the stored object → that object's key (the update's
   * own key object: no string per route kept at idle). An incremental translator hands back the
   * identical status object for an unchanged route, so such an update is skipped with one lookup,
   * unless the object was touched (any watch event) since.
   */
  private settled = new WeakMap<object, ObjectKey>();
  /** Keys of objects changed since the last status writing. */
  private touched = new Set<string>();
  /** Keys of objects changed since the last translation (handed to the translator). */
  private changed = new Set<string>();
  /** Keys of objects whose status the loop itself wrote since the last translation (after a full one: every route). */
  private ownStatus = new Set<string>();
  /**
   * The next translation must be told nothing (check everything): no translation yet, or the last
   * result was not used as a whole (translation failed, IR refused, statuses not written).
   */
  private needFull = true;

  constructor(opts: ControllerOptions) {
    this.o = { holdOffMs: 0, maxDelayMs: 100, ...opts };
  }

  /** Starts watching the store and runs the first reconcile. */
  async start(): Promise<void> {
    this.unwatch = this.o.store.watch((ev) => this.onEvent(ev));
    await this.reconcileNow();
  }

  async stop(): Promise<void> {
    this.unwatch?.();
    this.cancelTimer();
    await this.running;
  }

  /** The IR currently applied (for the admin API's debug endpoint). */
  get currentIR(): IR | undefined {
    return this.lastIR;
  }

  /** Resolves when no reconcile is pending or running (tests and the conformance harness use it). */
  idle(): Promise<void> {
    if (!this.running && !this.timer && !this.dirty) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Reconciles at once (after any running reconcile) and resolves when done. */
  async reconcileNow(): Promise<void> {
    this.cancelTimer();
    this.dirty = true;
    await this.kick();
    await this.idle();
  }

  private onEvent(ev: WatchEvent): void {
    const k = keyOf(ev.object);
    const key = keyString(k);
    this.touched.add(key);
    if (this.writingStatus) {
      // The translator keeps the objects it read, so it hears of our own status writes too (apart), for
      // kinds other than routes: it never needs a route's (types.ts, ChangeSet).
      if (!isRouteKind(k.group, k.kind)) this.ownStatus.add(key);
      return;
    }
    this.changed.add(key);
    this.schedule();
  }

  private cancelTimer(): void {
    const t = this.timer;
    this.timer = undefined;
    if (t === undefined) return;
    if ('refresh' in t) clearTimeout(t); // only a Timeout has refresh()
    else clearImmediate(t);
  }

  private schedule(): void {
    if (this.o.holdOffMs === 0) {
      // A running reconcile loops while dirty, so it will see this change; otherwise start one soon.
      this.dirty = true;
      if (this.running || this.timer) return;
      // setImmediate, not setTimeout(0): Node stretches a 0 ms timeout to 1 ms, which was half of a change's latency.
      this.timer = setImmediate(() => {
        this.timer = undefined;
        void this.kick();
      });
      return;
    }
    const now = Date.now();
    if (!this.timer) this.firstChangeAt = now;
    else this.cancelTimer();
    const waited = now - this.firstChangeAt;
    const delay = waited >= this.o.maxDelayMs ? 0 : this.o.holdOffMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dirty = true;
      void this.kick();
    }, delay);
  }

  private kick(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        while (this.dirty) {
          this.dirty = false;
          await this.reconcile();
        }
      } finally {
        this.running = undefined;
        if (!this.timer && !this.dirty) for (const w of this.idleWaiters.splice(0)) w();
      }
    })();
    return this.running;
  }

  private async reconcile(): Promise<void> {
    // Listener status depends on whether the data plane could bind the sockets, which is known
    // only after applying the IR. So: translate, apply, and when the bind results changed, translate
    // again with them before writing any status: a Gateway never reports Programmed=True for a port
    // it could not bind. Binding is retried on every apply, so two rounds settle it.
    const first = this.version === 0;
    for (let round = 0; round < 3; round++) {
      const t0 = performance.now();
      const result = this.translateOnce();
      if (!result) return;
      const t1 = performance.now();
      const changed = await this.apply(result);
      if (changed === undefined) return;
      // The cost of a from-scratch translation is worth a line once: operators size the control plane by it
      // (and `npm run bench` reads it for the first-translation target).
      if (first && round === 0) this.o.log?.('info', `first translation took ${(t1 - t0).toFixed(1)} ms, data plane apply ${(performance.now() - t1).toFixed(1)} ms (IR version ${result.ir.version})`);
      if (!changed || round === 2) {
        this.o.addresses.retain?.(result.gateways);
        const t2 = performance.now();
        this.writeStatuses(result);
        this.needFull = false;
        // Where a change's time goes, for operators chasing propagation latency (and the benchmarks).
        this.o.log?.('debug', `reconciled IR version ${result.ir.version} (${result.partial ? 'patched' : 'whole'}): translate ${(t1 - t0).toFixed(2)} ms, apply ${(t2 - t1).toFixed(2)} ms, ${result.statuses.length} statuses ${(performance.now() - t2).toFixed(2)} ms`);
        return;
      }
    }
  }

  private translateOnce(): TranslateResult | undefined {
    const { store, translate, controllerName, addresses } = this.o;
    const changes: ChangeSet | undefined = this.needFull ? undefined : { keys: this.changed, ownStatus: this.ownStatus };
    this.changed = new Set();
    this.ownStatus = new Set();
    this.needFull = true; // until this result is used as a whole (reconcile)
    try {
      return translate(store.snapshot(), {
        controllerName,
        version: ++this.version,
        now: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        addresses,
        bindErrors: this.bindErrors,
      }, changes);
    } catch (err) {
      // A translator bug must not take the gateway down: keep serving the last IR and say so.
      this.o.log?.('error', `translation failed, still serving IR version ${this.lastIR?.version ?? 0}: ${(err as Error).stack ?? err}`);
      return undefined;
    }
  }

  /** Applies the IR; resolves whether the bind results changed, or undefined when the data plane refused it. */
  private async apply(result: TranslateResult): Promise<boolean | undefined> {
    try {
      const applied = await this.o.dataplane.apply(result.ir);
      this.lastIR = result.ir;
      if (isDeepStrictEqual(applied.bindErrors, this.bindErrors)) return false;
      for (const [sock, msg] of applied.bindErrors) {
        if (this.bindErrors.get(sock) !== msg) this.o.log?.('error', `cannot listen on ${sock}: ${msg}`);
      }
      this.bindErrors = applied.bindErrors;
      return true;
    } catch (err) {
      this.o.log?.('error', `data plane rejected IR version ${result.ir.version}, still serving the previous one: ${(err as Error).message}`);
      return undefined;
    }
  }

  private writeStatuses(result: TranslateResult): void {
    const { store } = this.o;
    this.writingStatus = true;
    try {
      for (const u of result.statuses) {
        // A status object settled before, for an object nobody has touched since: nothing to look at.
        const settledFor = this.settled.get(u.status as object);
        if (settledFor !== undefined && (this.touched.size === 0 || !this.touched.has(keyString(settledFor)))) continue;
        const cur = store.get(u.key.group, u.key.kind, u.key.namespace, u.key.name);
        if (!cur) continue;
        let stored = cur;
        if (!isDeepStrictEqual(cur.status, u.status)) {
          try {
            stored = store.updateStatus(u.key, u.status);
          } catch (err) {
            this.o.log?.('warn', `status of ${keyString(u.key)} not written: ${(err as Error).message}`);
            continue;
          }
        }
        if (stored.status === null || typeof stored.status !== 'object') continue;
        // One copy, not two: the store keeps its own (equal) copy of what was written, and an incremental
        // translator hands this very update object back while the route is unchanged (status memo). Pointing
        // it at the stored copy lets the translator's copy go; the settled lookup then finds the stored one.
        u.status = stored.status;
        this.settled.set(u.status as object, u.key);
      }
    } finally {
      this.writingStatus = false;
      this.touched.clear();
    }
  }
}
