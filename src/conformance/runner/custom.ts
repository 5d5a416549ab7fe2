/**
 * `custom` steps (helpers §11): the recurring data shapes handled generically, everything else
 * dispatched to a per-test handler. A custom step nobody handles fails the test: it never passes
 * silently.
 */
import { StepFailure, type CustomHandler, type Step } from '../types.ts';
import type { HarnessContext } from './context.ts';

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

/** Handles the generic shapes; returns `{handled: false}` when the data is not one of them. */
export async function genericCustom(step: Step, ctx: HarnessContext): Promise<{ handled: boolean; value?: unknown }> {
  const data = step.data ?? {};
  if (Array.isArray(data.mustBeNonEmpty)) {
    data.mustBeNonEmpty.forEach((v: unknown, i: number) => {
      if (isEmpty(v)) throw new StepFailure(`value ${i + 1} of mustBeNonEmpty is empty`);
    });
    return { handled: true };
  }
  if ('expectedLength' in data && 'value' in data) {
    const v = data.value;
    if (!Array.isArray(v) || v.length !== data.expectedLength) throw new StepFailure(`expected a list of ${data.expectedLength} entries, got ${JSON.stringify(v)}`);
    return { handled: true };
  }
  if ('from' in data && 'index' in data) {
    const v = data.from;
    if (!Array.isArray(v) || data.index >= v.length) throw new StepFailure(`no element ${data.index} in ${JSON.stringify(v)}`);
    return { handled: true, value: v[data.index] };
  }
  if ('from' in data && 'key' in data) {
    const v = data.from;
    if (!v || typeof v !== 'object' || !(data.key in v)) throw new StepFailure(`key ${JSON.stringify(data.key)} absent from ${JSON.stringify(v === undefined ? null : Object.keys(v ?? {}))}`);
    return { handled: true, value: (v as Record<string, unknown>)[data.key] };
  }
  if ('call' in data && data.deferred === true) {
    // A saved wait function, or an object carrying one as `wait`.
    const fn = typeof data.call === 'function' ? data.call : typeof data.call?.wait === 'function' ? () => data.call.wait() : data.call;
    if (typeof fn !== 'function') throw new StepFailure(`harness: deferred call target is not a function (${typeof fn})`);
    ctx.defer(async () => {
      await fn();
    });
    return { handled: true };
  }
  return { handled: false };
}

/** Runs a custom step: generic shapes first, then the test's handler. */
export async function runCustom(step: Step, ctx: HarnessContext, handlers: Readonly<Record<string, CustomHandler>>): Promise<unknown> {
  const g = await genericCustom(step, ctx);
  if (g.handled) return g.value;
  const h = Object.hasOwn(handlers, ctx.test.name) ? handlers[ctx.test.name] : undefined;
  if (!h) throw new StepFailure(`harness: no handler for custom step in ${ctx.test.name}`);
  return h(step, ctx);
}
