/**
 * The incremental translator's memory, kept between translations by createTranslator (index.ts).
 * Everything here is an optimisation invisible in the output: a translation with a memo produces
 * exactly what a translation from scratch produces (incremental.test.ts checks it after random changes).
 *
 *   - per route, its rules compiled into entries (matches, filters, backends with endpoints and TLS) and
 *     the status inputs that come with them, reused while the route's spec and everything the
 *     compilation read are unchanged (deps.ts says what "read" means);
 *   - per compilation result, how it attached (conditions, listeners, hostnames), replayed while the
 *     parents' listeners have the same signature;
 *   - per listener, sorted route groups and virtual hosts (ir.ts), and per route object its status
 *     (src/status/memo.ts).
 *
 * A translation over the whole snapshot still runs the cross-route passes (cross serving, attachedRoutes
 * counts, precedence, BackendTLSPolicy ancestors) over these results; a patch (delta.ts) does not visit
 * unchanged routes at all, finding the routes a changed Service affects through the reverse index here.
 */
import { isDeepStrictEqual } from 'node:util';
import type { K8sObject } from '../api/object.ts';
import { RouteStatusMemo } from '../status/memo.ts';
import type { Snapshot } from '../store/snapshot.ts';
import { replayBackendTLSUsage, backendTLSUsage } from './backendtlspolicy.ts';
import { DepRecorder, KindStamps, recordingCtx } from './deps.ts';
import type { DraftCondition } from '../status/conditions.ts';
import type { Ctx, GatewayState, ListenerState } from './model.ts';
import { routeParentIndex, type RouteParent } from './parents.ts';
import { ListenerMemo } from './ir.ts';
import type { CompileResult } from './routerules.ts';

/** One route's memoised compilation. */
interface RouteEntry {
  /** "Kind/namespace/name". */
  readonly key: string;
  /** The object last seen with this result (its spec and identifying metadata are what was compiled). */
  obj: K8sObject;
  /** The translation that last used it (entries not used in a translation are dropped at its end). */
  seen: number;
  readonly deps: DepRecorder;
  readonly result: CompileResult;
  /** Service ports the route's backends use (BackendTLSPolicy ancestry), replayed on reuse. */
  readonly tlsUsage: ReadonlySet<string> | undefined;
}

/** How a route attached last time, replayed when its compilation and its parents are unchanged (httproute.ts). */
export interface AttachOutcome {
  /** parentsSignature() of the translation that worked it out. */
  readonly sig: string;
  /** Per parentRef of ours, in order: the ref and the conditions decided (arrays never mutated afterwards). */
  readonly parents: Array<{ readonly ref: Record<string, unknown>; readonly conditions: DraftCondition[] }>;
  /** Each listener attached to, by parentRef position and listener position in that parent, with hostnames. */
  readonly attached: Array<{ readonly parent: number; readonly listener: number; readonly hostnames: readonly string[] }>;
}

/**
 * Everything route attachment reads about the parents, as one string: parent keys, kinds, refusals,
 * their listeners' names, ports, protocols, hostnames, kinds and allowedRoutes, and the Namespaces
 * (labels, for Selector). Equal signatures mean any route attaches to them the same way.
 */
export function parentsSignature(ctx: Ctx, gateways: readonly GatewayState[]): string {
  const parents: RouteParent[] = [];
  for (const [, p] of routeParentIndex(gateways)) parents.push(p);
  const stamp = ctx.memo ? ctx.memo.stamps.stamp('', 'Namespace') : 0;
  return JSON.stringify([
    stamp,
    parents.map((p) => [p.obj.kind, p.key, p.obj.metadata.namespace ?? '', p.refused ?? null, p.listeners.map(listenerSig)]),
  ]);
}

function listenerSig(l: ListenerState): unknown[] {
  return [l.name, l.port, l.protocol, l.hostname, l.kinds, l.spec?.allowedRoutes ?? null];
}

/** Kept by an incremental translator across translations; one per controller. */
export class TranslatorMemo {
  readonly stamps = new KindStamps();
  /** How each compilation result attached last time (see AttachOutcome). */
  readonly attachments = new WeakMap<CompileResult, AttachOutcome>();
  /** Sorted route groups and virtual hosts per listener (ir.ts). */
  readonly listeners = new ListenerMemo();
  /** Route statuses reused when their inputs are unchanged (src/status/memo.ts). */
  readonly statuses = new RouteStatusMemo();
  /** By "Kind/namespace/name". */
  readonly #routes = new Map<string, RouteEntry>();
  /** The same entries by the last object seen (entries of replaced objects are dropped with them). */
  readonly #byObj = new WeakMap<K8sObject, RouteEntry>();
  /** Reverse index: "group/Kind/namespace/name" of each object a kept compilation looked up → its route keys. */
  readonly #readers = new Map<string, Set<string>>();
  #translation = 0;
  #snap: Snapshot | undefined;

  /** Starts a translation of `snap`. */
  begin(snap: Snapshot): void {
    this.#snap = snap;
    this.stamps.begin(snap);
    this.#translation++;
  }

  /** Ends a translation: forgets routes that were not looked at (deleted, or no longer ours). */
  end(): void {
    for (const [k, e] of this.#routes) {
      if (e.seen === this.#translation) continue;
      this.#routes.delete(k);
      this.#index(e, false);
    }
    this.#snap = undefined;
  }

  /** Ends a translation that looked at changed routes only (delta.ts): nothing is swept. */
  endPartial(): void {
    this.#snap = undefined;
  }

  /** Forgets the compilation of a deleted route ("Kind/namespace/name"). */
  forget(key: string): void {
    const e = this.#routes.get(key);
    if (e === undefined) return;
    this.#routes.delete(key);
    this.#index(e, false);
  }

  /**
   * The routes ("Kind/namespace/name") whose kept compilation looked up the object "group/Kind/namespace/name"
   * (found or not), or listed the kind "group/Kind" (ReferenceGrants, for a cross-namespace reference).
   */
  readersOf(objectKey: string): ReadonlySet<string> | undefined {
    return this.#readers.get(objectKey);
  }

  /** Adds (or removes) an entry's lookups to the reverse index (listed kinds under "group/Kind"). */
  #index(e: RouteEntry, add: boolean): void {
    for (let i = 0; i < e.deps.lists.length; i += 2) this.#indexOne(e.deps.lists[i] as string, e.key, add);
    for (const g of e.deps.gets) {
      for (let i = 0; i < g.reads.length; i += 3) this.#indexOne(`${g.key}/${g.reads[i] as string}/${g.reads[i + 1] as string}`, e.key, add);
    }
  }

  #indexOne(read: string, route: string, add: boolean): void {
    let set = this.#readers.get(read);
    if (add) {
      if (set === undefined) this.#readers.set(read, (set = new Set()));
      set.add(route);
    } else if (set !== undefined) {
      set.delete(route);
      if (set.size === 0) this.#readers.delete(read);
    }
  }

  /** `compile(ctx, obj)`, or the result of an earlier call whose inputs are all unchanged. */
  compile(ctx: Ctx, obj: K8sObject, compile: (ctx: Ctx, obj: K8sObject) => CompileResult): CompileResult {
    // The same object as last time is found without building its key (the common case at scale).
    let hit = this.#byObj.get(obj);
    let key = hit?.key;
    if (hit === undefined) {
      key = `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
      hit = this.#routes.get(key);
      if (hit !== undefined && !sameInput(hit.obj, obj)) hit = undefined;
    }
    if (hit !== undefined && hit.deps.valid(this.#snap!)) {
      hit.seen = this.#translation;
      if (hit.obj !== obj) {
        hit.obj = obj; // identity hits next time
        this.#byObj.set(obj, hit);
      }
      if (hit.tlsUsage) replayBackendTLSUsage(ctx, obj, hit.tlsUsage);
      return hit.result;
    }
    const deps = new DepRecorder(this.stamps);
    const result = compile(recordingCtx(ctx, deps), obj);
    deps.seal();
    const entry: RouteEntry = { key: key!, obj, deps, result, tlsUsage: backendTLSUsage(ctx, obj), seen: this.#translation };
    const replaced = this.#routes.get(key!);
    if (replaced !== undefined) this.#index(replaced, false);
    this.#routes.set(key!, entry);
    this.#index(entry, true);
    this.#byObj.set(obj, entry);
    return result;
  }
}

/** A route compiles the same when its spec and the metadata compilation reads are the same. */
function sameInput(a: K8sObject, b: K8sObject): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind || a.metadata.name !== b.metadata.name || a.metadata.namespace !== b.metadata.namespace) return false;
  if (a.metadata.creationTimestamp !== b.metadata.creationTimestamp) return false;
  return a.spec === b.spec || isDeepStrictEqual(a.spec, b.spec);
}
