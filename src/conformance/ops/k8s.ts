/**
 * The generic object ops (helpers §11): k8s.create, k8s.patch, k8s.delete, k8s.expect, and
 * kubernetes.BackendTLSPolicyMustHaveLatestConditions, which inspects the object k8s.expect read.
 */
import { isDeepStrictEqual } from 'node:util';
import { StepFailure, type Step } from '../types.ts';
import type { K8sObject } from '../../api/object.ts';
import { durationArg, type HarnessContext, type HarnessOpHandler } from '../runner/context.ts';
import { evalJsonPath, type JsonPathResult } from '../runner/jsonpath.ts';
import { splitNN } from './match.ts';
import { done, messageOf, notYet, poll } from './poll.ts';

function describe(step: Step): string {
  return `${step.kind} ${step.ref}`;
}

async function read(step: Step, ctx: HarnessContext): Promise<K8sObject> {
  const { namespace, name } = splitNN(String(step.ref));
  const obj = await ctx.admin.get(step.apiVersion, step.kind, namespace || undefined, name);
  ctx.lastRead.set(String(step.ref), obj);
  return obj;
}

function show(v: unknown): string {
  return v === undefined ? '<absent>' : JSON.stringify(v);
}

/** The assertion of a k8s.expect step on an evaluated path; "" when it holds. */
export function checkExpectation(step: Step, r: JsonPathResult): string {
  const got = r.value;
  // A filter that selects exactly one element compares like the element itself.
  const single = r.multi && Array.isArray(got) && got.length === 1 ? got[0] : got;
  if ('value' in step && !isDeepStrictEqual(single, step.value) && !isDeepStrictEqual(got, step.value)) return `${step.jsonPath} is ${show(got)}, expected ${show(step.value)}`;
  if ('notEqual' in step && (isDeepStrictEqual(single, step.notEqual) || isDeepStrictEqual(got, step.notEqual))) return `${step.jsonPath} is still ${show(got)}`;
  if ('length' in step) {
    const n = Array.isArray(got) ? got.length : got === undefined || got === null ? 0 : -1;
    if (n !== step.length) return `${step.jsonPath} has ${n < 0 ? 'no list' : `${n} elements`} (${show(got)}), expected ${step.length}`;
  }
  const list = Array.isArray(got) ? got : got === undefined ? [] : [got];
  if ('contains' in step && !list.some((e) => isDeepStrictEqual(e, step.contains))) return `${step.jsonPath} ${show(got)} does not contain ${show(step.contains)}`;
  if ('notContains' in step && list.some((e) => isDeepStrictEqual(e, step.notContains))) return `${step.jsonPath} ${show(got)} contains ${show(step.notContains)}`;
  return '';
}

function evaluate(step: Step, obj: K8sObject): JsonPathResult {
  if (!step.jsonPath) return { found: true, value: obj, multi: false };
  return evalJsonPath(obj, String(step.jsonPath));
}

const expectOp: HarnessOpHandler = async (step, ctx) => {
  if (step.eventually) {
    const opts = {
      what: `${describe(step)}: ${step.jsonPath ?? 'object'}`,
      timeoutMs: durationArg(step, ctx, 'timeout', ctx.timeouts.DefaultTestTimeout ?? 60_000),
      intervalMs: durationArg(step, ctx, 'pollInterval', ctx.timeouts.DefaultPollInterval ?? 100),
      signal: ctx.signal,
    };
    return poll(opts, async () => {
      let obj: K8sObject;
      try {
        obj = await read(step, ctx);
      } catch (err) {
        return notYet(`reading ${describe(step)}: ${messageOf(err)}`);
      }
      const r = evaluate(step, obj);
      const why = checkExpectation(step, r);
      return why ? notYet(why) : done(r.value);
    });
  }
  let obj: K8sObject;
  try {
    obj = await read(step, ctx);
  } catch (err) {
    throw new StepFailure(`reading ${describe(step)}: ${messageOf(err)}`);
  }
  const r = evaluate(step, obj);
  const why = checkExpectation(step, r);
  if (why) throw new StepFailure(`${describe(step)}: ${why}`);
  return r.value;
};

/** The generic object ops, by op name. */
export const k8sOps: Record<string, HarnessOpHandler> = {
  'k8s.create': async (step, ctx) => {
    await ctx.applier.create(step.object as K8sObject);
  },
  'k8s.patch': async (step, ctx) => {
    const { namespace, name } = splitNN(String(step.ref));
    try {
      await ctx.admin.patch(step.apiVersion, step.kind, namespace || undefined, name, step.mergePatch);
    } catch (err) {
      throw new StepFailure(`patching ${describe(step)}: ${messageOf(err)}`);
    }
  },
  'k8s.delete': async (step, ctx) => {
    const { namespace, name } = splitNN(String(step.ref));
    try {
      await ctx.admin.delete(step.apiVersion, step.kind, namespace || undefined, name);
    } catch (err) {
      throw new StepFailure(`deleting ${describe(step)}: ${messageOf(err)}`);
    }
  },
  'k8s.apply': async () => {
    throw new StepFailure('harness: k8s.apply is not used by this corpus and not implemented');
  },
  'k8s.expect': expectOp,
  'kubernetes.BackendTLSPolicyMustHaveLatestConditions': async (step, ctx) => {
    const obj = ctx.lastRead.get(String(step.r));
    if (!obj) throw new StepFailure(`harness: no earlier read of BackendTLSPolicy ${step.r}`);
    for (const a of obj.status?.ancestors ?? []) {
      for (const c of a?.conditions ?? []) {
        if (c?.observedGeneration !== obj.metadata.generation) {
          throw new StepFailure(`BackendTLSPolicy ${step.r}: ancestor condition ${c?.type} has observedGeneration ${c?.observedGeneration}, generation is ${obj.metadata.generation}`);
        }
      }
    }
  },
};
