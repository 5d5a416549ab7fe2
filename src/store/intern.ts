/**
 * One shared copy of each short string in stored objects. Every object the store keeps is a fresh
 * deep copy, so without this each of 5,000 routes carries its own "gateway.networking.k8s.io",
 * "HTTPRoute", "Accepted", timestamp, ... (and several as concatenations that point at their parts).
 * Interning them costs one map lookup per string value on every write.
 */

/** Longer strings are rarely repeated (messages are the exception worth covering: 120). */
const MAX_LENGTH = 120;

/** A bounded string pool: unique values (names, uids, timestamps) must not pile up forever. */
export class StringPool {
  private pool = new Map<string, string>();
  private readonly capacity: number;

  constructor(capacity = 50_000) {
    this.capacity = capacity;
  }

  /** The pooled copy of `s` (a flat copy of `s` itself the first time it is seen). */
  intern(s: string): string {
    if (s.length > MAX_LENGTH) return s;
    const hit = this.pool.get(s);
    if (hit !== undefined) return hit;
    // Starting over when full keeps the pool bounded; what was shared stays shared.
    if (this.pool.size >= this.capacity) this.pool = new Map();
    const flat: string = JSON.parse(JSON.stringify(s)); // a sequential copy, not a concatenation tree
    this.pool.set(flat, flat);
    return flat;
  }

  /** How many strings are pooled now. */
  get size(): number {
    return this.pool.size;
  }
}

/**
 * Deep-freezes a plain JSON value, replacing every string in it by its pooled copy on the way.
 * Objects already frozen are shared with something stored before and are left alone.
 */
export function freezeInterned<T>(value: T, pool: StringPool): T {
  if (!value || typeof value !== 'object' || Object.isFrozen(value)) return value;
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (typeof v === 'string') o[k] = pool.intern(v);
    else if (v && typeof v === 'object') freezeInterned(v, pool);
  }
  Object.freeze(o);
  return value;
}

/**
 * A deep-frozen copy of a plain JSON value with its strings pooled. Objects already frozen are
 * shared, not copied: the store freezes every level of what it keeps, so a frozen object is one
 * a stored object holds (its unchanged spec, say) and copying it would only cost time and memory.
 */
export function frozenCopy<T>(value: T, pool: StringPool): T {
  if (typeof value === 'string') return pool.intern(value) as T;
  if (!value || typeof value !== 'object' || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = frozenCopy(value[i], pool);
    return Object.freeze(out) as T;
  }
  const out: Record<string, unknown> = {};
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const x = frozenCopy(o[k], pool);
    // An own "__proto__" key (JSON.parse makes one) is defined as data, never set as the prototype.
    if (k === '__proto__') Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
    else out[k] = x;
  }
  return Object.freeze(out) as T;
}
