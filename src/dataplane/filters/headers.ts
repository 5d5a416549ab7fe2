/**
 * RequestHeaderModifier / ResponseHeaderModifier over Node's lower-cased header objects.
 * Names are compared case-insensitively by lower-casing them once at compile time.
 */
import type { IRHeaderModifier } from '../../ir/types.ts';

/** A header object as Node hands it out (`IncomingMessage.headers`) and accepts it (`writeHead`, `request`). */
export type HeaderBag = Record<string, string | string[] | undefined>;

/** A header modifier with lower-cased names, ready to apply. */
export interface CompiledHeaderModifier {
  readonly set: readonly (readonly [string, string])[];
  readonly add: readonly (readonly [string, string])[];
  readonly remove: readonly string[];
}

/** Lower-cases every name once so the hot path never does. */
export function compileHeaderModifier(m: IRHeaderModifier): CompiledHeaderModifier {
  return {
    set: m.set.map(([n, v]) => [n.toLowerCase(), v] as const),
    add: m.add.map(([n, v]) => [n.toLowerCase(), v] as const),
    remove: m.remove.map((n) => n.toLowerCase()),
  };
}

/**
 * Applies one modifier in place: remove, then set (replaces every value), then add (appends to existing
 * values: "a" + add "b" → "a,b"; multi-valued headers such as set-cookie get one more entry).
 * Removing first means a header that is both removed and set ends up set, as the user most likely meant.
 */
export function applyHeaderModifier(h: HeaderBag, m: CompiledHeaderModifier): void {
  for (let i = 0; i < m.remove.length; i++) delete h[m.remove[i]];
  for (let i = 0; i < m.set.length; i++) h[m.set[i][0]] = m.set[i][1];
  for (let i = 0; i < m.add.length; i++) {
    const [name, value] = m.add[i];
    const cur = h[name];
    if (cur === undefined) h[name] = value;
    else if (Array.isArray(cur)) h[name] = [...cur, value];
    else h[name] = `${cur},${value}`;
  }
}
