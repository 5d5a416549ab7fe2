/**
 * The result types of admission: a field error names the field by path (as the API server does)
 * and carries a reason in the API server's words.
 */

/** One path step: a field name or a list index. */
export type PathStep = string | number;

/** A rejected field: where (['spec','rules',0,'matches',0,'path','type']) and why. */
export interface FieldError {
  path: PathStep[];
  message: string;
}

/** What validation says about one object. `warnings` never make an object invalid. */
export interface ValidationResult {
  errors: FieldError[];
  warnings: string[];
}

/** `['spec','rules',0,'path']` → `spec.rules[0].path` (the form kubectl prints). */
export function formatPath(path: readonly PathStep[]): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else out += out === '' ? step : `.${step}`;
  }
  return out;
}

/** Collects errors under a base path; rule files push through it so each error names its field. */
export class ErrorList {
  readonly errors: FieldError[] = [];

  /** Records `message` for the field at `path`. */
  add(path: readonly PathStep[], message: string): void {
    this.errors.push({ path: [...path], message });
  }
}

/** A value as found in a parsed manifest: any JSON. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** True for a plain JSON object (not an array, not null). */
export function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The list at `v`, or an empty list when absent or not a list (the schema check reports the type). */
export function listOf(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}
