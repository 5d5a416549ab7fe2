/**
 * Reading `custom` step data: the corpus gives literals under descriptive keys; these helpers
 * fetch them with precise harness errors when a key is missing.
 */
import type { Step } from '../types.ts';

/** The step's `data` object. */
export function dataOf(step: Step): Record<string, any> {
  const d = step.data;
  return d && typeof d === 'object' && !Array.isArray(d) ? d : {};
}

/** The first present key among `names` (a string), or a harness error naming them. */
export function str(data: Record<string, any>, test: string, ...names: string[]): string {
  for (const n of names) if (typeof data[n] === 'string' && data[n] !== '') return data[n];
  throw new Error(`harness: ${test} custom step: none of ${names.join(', ')} is a non-empty string in data`);
}

/** The first present key among `names` (a number), else the fallback. */
export function num(data: Record<string, any>, fallback: number, ...names: string[]): number {
  for (const n of names) if (typeof data[n] === 'number') return data[n];
  return fallback;
}

/** The first present string key among `names`, or undefined. */
export function optStr(data: Record<string, any>, ...names: string[]): string | undefined {
  for (const n of names) if (typeof data[n] === 'string' && data[n] !== '') return data[n];
  return undefined;
}
