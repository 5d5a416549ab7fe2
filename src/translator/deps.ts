/**
 * Dependency recording for incremental translation. While a memoised piece of work runs (a route's
 * rule compilation), every snapshot read it makes goes through a recording view: `get` records the
 * object it returned (by identity), `list` records the kind. The result may be reused in a later
 * translation exactly when every recorded read would return the same thing again:
 *
 *   - a `get` returns the identical object (the store replaces objects on write and shares unchanged
 *     ones between snapshots, so identity means "unchanged"; absent stays absent);
 *   - a listed kind has the same members, by identity (KindStamps compares them once per translation).
 *
 * Deliberately simple: no partial invalidation, no reasoning about which fields were read.
 */
import { GATEWAY_GROUP } from '../api/kinds.ts';
import type { K8sObject } from '../api/object.ts';
import type { Snapshot } from '../store/snapshot.ts';
import type { Ctx, GrantChecker } from './model.ts';

/**
 * The gets of one kind, with the kind's membership stamp when they were made. `reads` is flat, three
 * slots per get: namespace, name, and the object returned (undefined: absent). Thousands of routes keep
 * one of these each, so no object per read.
 */
export interface KindGets {
  readonly group: string;
  readonly kind: string;
  /** "group/Kind", built once. */
  readonly key: string;
  readonly stamp: number;
  reads: Array<string | K8sObject | undefined>;
}

/** The shared empty list of a recorder that made no reads of a sort (never written: seal() replaces lists, push adds to own ones). */
const NONE: readonly never[] = Object.freeze([]);

/** What one piece of memoised work read from the snapshot. */
export class DepRecorder {
  /** The gets made, one entry per kind (few kinds: searched linearly). */
  gets: KindGets[] = [];
  /** Listed kinds, flat: "group/Kind", then the stamp its membership had when it was listed. */
  lists: Array<string | number> = [];
  readonly #stamps: KindStamps;

  constructor(stamps: KindStamps) {
    this.#stamps = stamps;
  }

  /** Records a listed kind (whose membership, not order, the work may depend on). */
  list(group: string, kind: string): void {
    const k = `${group}/${kind}`;
    if (this.#listed(k) < 0) this.lists.push(k, this.#stamps.stamp(group, kind, k));
  }

  #listed(k: string): number {
    for (let i = 0; i < this.lists.length; i += 2) if (this.lists[i] === k) return i;
    return -1;
  }

  /** Records one get and its answer. */
  get(group: string, kind: string, namespace: string, name: string, value: K8sObject | undefined): void {
    let g: KindGets | undefined;
    for (const x of this.gets) if (x.group === group && x.kind === kind) g = x;
    if (g === undefined) {
      const k = `${group}/${kind}`;
      this.gets.push((g = { group, kind, key: k, stamp: this.#stamps.stamp(group, kind, k), reads: [] }));
    }
    g.reads.push(namespace, name, value);
  }

  /** Adds everything another recorder saw (work that used a shared index built under its own recorder). */
  merge(other: DepRecorder): void {
    for (const g of other.gets) {
      for (let i = 0; i < g.reads.length; i += 3) this.get(g.group, g.kind, g.reads[i] as string, g.reads[i + 1] as string, g.reads[i + 2] as K8sObject | undefined);
    }
    for (let i = 0; i < other.lists.length; i += 2) {
      if (this.#listed(other.lists[i] as string) < 0) this.lists.push(other.lists[i], other.lists[i + 1]);
    }
  }

  /**
   * Called when the work is done and the recorder is kept: its lists are trimmed to their length (a
   * pushed-to array keeps spare capacity) and empty ones shared. No reads are recorded afterwards.
   */
  seal(): void {
    this.lists = this.lists.length === 0 ? (NONE as never[]) : this.lists.slice();
    this.gets = this.gets.length === 0 ? (NONE as never[]) : this.gets.slice();
    for (const g of this.gets) g.reads = g.reads.slice();
  }

  /**
   * True when every read would return the same thing in `snap` (the snapshot the stamps are on now).
   * A kind whose stamp is unchanged has the very same objects, so its gets need no look-up.
   */
  valid(snap: Snapshot): boolean {
    const stamps = this.#stamps;
    for (let i = 0; i < this.lists.length; i += 2) {
      if (stamps.stampByKey(this.lists[i] as string) !== this.lists[i + 1]) return false;
    }
    for (const g of this.gets) {
      if (stamps.stamp(g.group, g.kind, g.key) === g.stamp) continue;
      const r = g.reads;
      for (let i = 0; i < r.length; i += 3) if (snap.get(g.group, g.kind, r[i] as string, r[i + 1] as string) !== r[i + 2]) return false;
    }
    return true;
  }
}

/** A view of `base` that records every read into `rec`. Lists are the base's own arrays (cached per snapshot). */
export function recordingSnapshot(base: Snapshot, rec: DepRecorder): Snapshot {
  return {
    resourceVersion: base.resourceVersion,
    list(group, kind) {
      rec.list(group, kind);
      return base.list(group, kind);
    },
    get(group, kind, namespace, name) {
      const value = base.get(group, kind, namespace, name);
      rec.get(group, kind, namespace, name, value);
      return value;
    },
  };
}

/** A ctx whose snapshot reads and cross-namespace grant checks are recorded into `deps`. */
export function recordingCtx(ctx: Ctx, deps: DepRecorder): Ctx {
  const grants: GrantChecker = {
    allows(from, to) {
      // Same-namespace references need no grant; the answer for the others depends on every grant.
      if (from.namespace !== to.namespace) deps.list(GATEWAY_GROUP, 'ReferenceGrant');
      return ctx.grants.allows(from, to);
    },
  };
  return { ...ctx, snap: recordingSnapshot(ctx.snap, deps), grants, deps };
}

/**
 * Per-kind membership stamps across translations: a kind keeps its stamp while its objects are the
 * same (by identity) as in the previous snapshot, and gets a new one as soon as any object of it was
 * added, removed or replaced. Computed lazily, once per kind per snapshot, in O(objects of the kind).
 */
export class KindStamps {
  #snap: Snapshot | undefined;
  #counter = 0;
  /** "group/Kind" → the members last seen and their stamp. */
  readonly #last = new Map<string, { members: readonly K8sObject[]; stamp: number; at: number }>();
  /** Counts translations; a kind whose entry has `at` equal to it was compared against the current snapshot. */
  #translation = 0;

  /** Starts a translation of `snap`. */
  begin(snap: Snapshot): void {
    this.#snap = snap;
    this.#translation++;
  }

  /** The stamp of a kind already stamped in this translation (every recorded key was), else computes it. */
  stampByKey(k: string): number {
    const last = this.#last.get(k);
    if (last !== undefined && last.at === this.#translation) return last.stamp;
    const slash = k.indexOf('/');
    return this.stamp(k.slice(0, slash), k.slice(slash + 1), k);
  }

  /** The membership stamp of a kind in the current snapshot (`k` = "group/Kind" when the caller has it). */
  stamp(group: string, kind: string, k = `${group}/${kind}`): number {
    const last = this.#last.get(k);
    if (last !== undefined && last.at === this.#translation) return last.stamp;
    const members = this.#snap ? this.#snap.list(group, kind) : [];
    const same = last !== undefined && sameMembers(last.members, members);
    const stamp = same ? last.stamp : ++this.#counter;
    this.#last.set(k, { members, stamp, at: this.#translation });
    return stamp;
  }
}

function sameMembers(a: readonly K8sObject[], b: readonly K8sObject[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return sameMembers2(a, b); // the same objects in another order still count as unchanged
  }
  return true;
}

function sameMembers2(a: readonly K8sObject[], b: readonly K8sObject[]): boolean {
  const set = new Set(a);
  return b.every((o) => set.has(o));
}
