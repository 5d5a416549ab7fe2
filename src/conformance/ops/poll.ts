/**
 * The status polling loop of helpers §0.1: evaluate now, then every interval until done, an error
 * or the timeout. Check functions return `done` or `notYet` (with the reason, used in the timeout
 * message) and throw to stop at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { StepFailure, type RunContext } from '../types.ts';
import { storedApiVersion } from '../../cli/client.ts';
import { GATEWAY_GROUP } from '../../api/kinds.ts';
import type { K8sObject } from '../../api/object.ts';
import { splitNN } from './match.ts';

/** One poll outcome. */
export type PollOutcome<T> = { done: true; value: T } | { done: false; why: string };

/** Done with a value. */
export function done<T>(value: T): PollOutcome<T> {
  return { done: true, value };
}
/** Not yet, because of `why`. */
export function notYet(why: string): PollOutcome<never> {
  return { done: false, why };
}

/** How one poll loop runs. */
export interface PollOptions {
  /** What is being waited for, for the failure message. */
  what: string;
  timeoutMs: number;
  intervalMs: number;
  /** Timeout failures are non-fatal (helpers marks a few ops so). */
  nonFatal?: boolean;
  signal?: AbortSignal;
}

/** Runs the loop; returns the done value or throws StepFailure on timeout (or what check threw). */
export async function poll<T>(opts: PollOptions, check: () => Promise<PollOutcome<T>>): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let why = 'never checked';
  for (;;) {
    if (opts.signal?.aborted) throw new StepFailure(`${opts.what}: aborted`);
    const r = await check();
    if (r.done) return r.value;
    why = r.why;
    if (Date.now() + opts.intervalMs > deadline) break;
    await sleep(opts.intervalMs, undefined, { signal: opts.signal }).catch(() => undefined);
  }
  throw new StepFailure(`${opts.what}: timed out after ${Math.round(opts.timeoutMs / 1000)}s: ${why}`, !opts.nonFatal);
}

/** Standard options: the named TimeoutConfig field and DefaultPollInterval. */
export function pollOpts(ctx: RunContext, what: string, timeoutName: string, extra?: Partial<PollOptions>): PollOptions {
  return {
    what,
    timeoutMs: timeoutOf(ctx, timeoutName),
    intervalMs: timeoutOf(ctx, 'DefaultPollInterval'),
    signal: ctx.signal,
    ...extra,
  };
}

/** A TimeoutConfig field's configured value; a missing name is a harness bug. */
export function timeoutOf(ctx: RunContext, name: string): number {
  const v = ctx.timeouts[name];
  if (typeof v !== 'number') throw new Error(`harness: unknown TimeoutConfig field ${name}`);
  return v;
}

/** The message of any thrown value. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** GETs a Gateway API object by kind and "ns/name"; any error becomes a fatal StepFailure. */
export async function getGatewayObject(ctx: RunContext, kind: string, nn: string): Promise<K8sObject> {
  const { namespace, name } = splitNN(nn);
  try {
    return await ctx.admin.get(storedApiVersion(GATEWAY_GROUP, kind), kind, namespace || undefined, name);
  } catch (err) {
    throw new StepFailure(`error getting ${kind} ${nn}: ${messageOf(err)}`);
  }
}

/** Like getGatewayObject but a failed GET is "not yet" (undefined + reason). */
export async function tryGetGatewayObject(ctx: RunContext, kind: string, nn: string): Promise<{ obj?: K8sObject; why: string }> {
  const { namespace, name } = splitNN(nn);
  try {
    return { obj: await ctx.admin.get(storedApiVersion(GATEWAY_GROUP, kind), kind, namespace || undefined, name), why: '' };
  } catch (err) {
    return { why: `error getting ${kind} ${nn}: ${messageOf(err)}` };
  }
}
