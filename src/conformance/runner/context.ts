/**
 * What the step interpreter hands its own (generic) ops beyond the shared RunContext: the test's
 * Applier (k8s.create registers cleanup) and the objects read by earlier `k8s.expect` steps.
 */
import type { K8sObject } from '../../api/object.ts';
import type { RunContext, Step } from '../types.ts';
import type { Applier } from './applier.ts';

/** RunContext plus the interpreter's per-test state. */
export interface HarnessContext extends RunContext {
  applier: Applier;
  /** The latest object read for each `ref` ("ns/name") by k8s.expect. */
  lastRead: Map<string, K8sObject>;
  /** Registers a function to call when the current subtest ends (`{call, deferred}`). */
  defer(fn: () => Promise<void>): void;
  /** A saved name visible at this step (for custom steps whose data only mentions it in prose). */
  saved(name: string): unknown;
}

/** A generic-op handler: gets the interpreter's context. */
export type HarnessOpHandler = (step: Step, ctx: HarnessContext) => Promise<unknown>;

/**
 * A duration argument (helpers §12): `<stem>Ms`, overridden by the configured TimeoutConfig field
 * named in `<stem>FromConfig` when there is one.
 */
export function durationArg(step: Step, ctx: RunContext, stem: string, fallbackMs: number): number {
  const field = step[`${stem}FromConfig`];
  if (typeof field === 'string' && typeof ctx.timeouts[field] === 'number') return ctx.timeouts[field];
  const ms = step[`${stem}Ms`];
  return typeof ms === 'number' ? ms : fallbackMs;
}
