/**
 * Saved values and `$name` references (corpus README §3.3, helpers §12): scopes that follow the
 * subtest nesting, and substitution of references into step arguments.
 */
import { randomUUID } from 'node:crypto';

/** Keys whose text is for the reader: references in them are never substituted. */
export const PROSE_KEYS: ReadonlySet<string> = new Set(['description', 'expect', 'derive', 'note', 'notes', 'returns']);

/** Keys holding function bodies: substituted each time the function is called, not up front. */
export const FUNCTION_KEYS: ReadonlySet<string> = new Set(['fn', 'sendFunc', 'sendBatchFunc']);

/** Keys holding nested step lists that the interpreter substitutes step by step when it runs them. */
export const NESTED_STEP_KEYS: ReadonlySet<string> = new Set(['steps', 'else']);

/** A reference that names nothing in scope. */
export class UnresolvedReference extends Error {
  readonly ref: string;
  constructor(ref: string) {
    super(`harness: unresolved reference ${ref}`);
    this.name = 'UnresolvedReference';
    this.ref = ref;
  }
}

/**
 * Saved names. A child scope (a subtest, a function call) sees its parent's names; names saved in
 * the child stay local to it.
 */
export class Scope {
  private readonly values = new Map<string, unknown>();
  private readonly parent: Scope | undefined;
  constructor(parent?: Scope, bindings?: Record<string, unknown>) {
    this.parent = parent;
    for (const [k, v] of Object.entries(bindings ?? {})) this.values.set(k, v);
  }
  child(bindings?: Record<string, unknown>): Scope {
    return new Scope(this, bindings);
  }
  set(name: string, value: unknown): void {
    this.values.set(name, value);
  }
  has(name: string): boolean {
    return this.values.has(name) || (this.parent?.has(name) ?? false);
  }
  get(name: string): unknown {
    if (this.values.has(name)) return this.values.get(name);
    return this.parent?.get(name);
  }
}

/** Options of one substitution pass. */
export interface SubstituteOptions {
  /** `$CONTROLLER`. */
  controller: string;
  /** Leave references to unknown names as they are instead of failing (custom step data). */
  lenient?: boolean;
}

// $name, then accessors: .Field | [N] | ["key"] | ['key']
const REF = /\$([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\]|\["[^"]*"\]|\['[^']*'\])*)/g;
const ACCESSOR = /\.([A-Za-z0-9_]+)|\[(\d+)\]|\["([^"]*)"\]|\['([^']*)'\]/g;

interface Resolved {
  value: unknown;
  /** Length of the source text consumed (accessors that did not apply are left as text). */
  consumed: number;
}

function resolve(name: string, accessors: string, scope: Scope, opts: SubstituteOptions, uuid: () => string): Resolved | undefined {
  let value: unknown;
  if (name === 'CONTROLLER') value = opts.controller;
  else if (name === 'uuid') value = uuid();
  else if (scope.has(name)) value = scope.get(name);
  else return undefined;
  let consumed = 1 + name.length;
  for (const m of accessors.matchAll(ACCESSOR)) {
    const key = m[1] ?? m[3] ?? m[4];
    // An accessor only applies to a container; "$host.example" keeps ".example" as text.
    if (value === null || typeof value !== 'object') break;
    if (m[2] !== undefined) value = (value as any)[Number(m[2])];
    else value = (value as any)[key as string];
    consumed += m[0].length;
  }
  return { value, consumed };
}

/** The text form of a value embedded in a longer string. */
export function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function substituteString(s: string, scope: Scope, opts: SubstituteOptions, uuid: () => string): unknown {
  if (!s.includes('$')) return s;
  REF.lastIndex = 0;
  const whole = REF.exec(s);
  if (whole && whole.index === 0 && whole[0].length === s.length) {
    const r = resolve(whole[1], whole[2], scope, opts, uuid);
    if (!r) {
      if (opts.lenient) return s;
      throw new UnresolvedReference(whole[0]);
    }
    // The whole string is one reference: keep the value's type.
    if (r.consumed === s.length) return r.value;
    return textOf(r.value) + s.slice(r.consumed);
  }
  return s.replace(REF, (match: string, name: string, accessors: string) => {
    const r = resolve(name, accessors, scope, opts, uuid);
    if (!r) {
      if (opts.lenient) return match;
      throw new UnresolvedReference(match);
    }
    return textOf(r.value) + match.slice(r.consumed);
  });
}

function walk(value: unknown, scope: Scope, opts: SubstituteOptions, uuid: () => string, skip: ReadonlySet<string>): unknown {
  if (typeof value === 'string') return substituteString(value, scope, opts, uuid);
  if (Array.isArray(value)) return value.map((v) => walk(v, scope, opts, uuid, skip));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = skip.has(k) || PROSE_KEYS.has(k) ? v : walk(v, scope, opts, uuid, skip);
    }
    return out;
  }
  return value;
}

/**
 * Returns a copy of `step` with every reference substituted, except in prose keys, function bodies
 * and nested step lists (those are evaluated when they run). `$uuid` is fresh for each call, the
 * same value everywhere within it (one evaluation of the step).
 */
export function substituteStep<T extends Record<string, unknown>>(step: T, scope: Scope, opts: SubstituteOptions): T {
  let fresh: string | undefined;
  const uuid = () => (fresh ??= randomUUID());
  const skip = new Set([...FUNCTION_KEYS, ...NESTED_STEP_KEYS]);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(step)) {
    if (skip.has(k) || PROSE_KEYS.has(k)) out[k] = v;
    // Names local to one custom step (helpers §11) are not errors there.
    else if (k === 'data' && step.op === 'custom') out[k] = walk(v, scope, { ...opts, lenient: true }, uuid, FUNCTION_KEYS);
    else out[k] = walk(v, scope, opts, uuid, FUNCTION_KEYS);
  }
  return out as T;
}

/** Substitutes references in any value (no keys are skipped except prose); used for jsonPath texts and tests. */
export function substituteValue(value: unknown, scope: Scope, opts: SubstituteOptions): unknown {
  let fresh: string | undefined;
  const uuid = () => (fresh ??= randomUUID());
  return walk(value, scope, opts, uuid, new Set());
}
