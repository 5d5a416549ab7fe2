/**
 * The step interpreter: runs one test's steps in order with fatal / non-fatal failures, subtests,
 * saved values, `ifFeature`, `sleep`, the generic ops, `custom` dispatch and the helper ops.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { StepFailure, type CustomHandler, type OpHandler, type RunContext, type Step, type TestCase } from '../types.ts';
import type { K8sObject } from '../../api/object.ts';
import { Applier, type ApplierConfig } from './applier.ts';
import { readTestManifest } from './corpus.ts';
import { Scope, substituteStep } from './refs.ts';
import { runCustom } from './custom.ts';
import type { HarnessContext, HarnessOpHandler } from './context.ts';

/** Everything the interpreter needs for a run: what every op sees (RunContext's run-wide part), plus its own. */
export interface RunnerEnv
  extends Pick<
    RunContext,
    'admin' | 'workloads' | 'environment' | 'timeouts' | 'requiredConsecutiveSuccesses' | 'supportedFeatures' | 'controllerName' | 'gatewayClassName' | 'signal'
  > {
  corpusDir: string;
  applierConfig: ApplierConfig;
  /** Helper ops (kubernetes.*, request ops ...). */
  ops: Readonly<Record<string, OpHandler>>;
  /** The interpreter's own generic ops (k8s.*). */
  harnessOps: Readonly<Record<string, HarnessOpHandler>>;
  customHandlers: Readonly<Record<string, CustomHandler>>;
  /** Delete the test's objects afterwards (CleanupTestResources). */
  cleanup: boolean;
  /** Receives every log line as it happens (verbose output). */
  onLog?: (test: string, line: string) => void;
}

/** How a test ended. `notSupported` and `skipped` are decided by the caller, never by runTest. */
export type TestResult = 'passed' | 'failed' | 'skipped' | 'notSupported';

/** One test's outcome. */
export interface TestOutcome {
  name: string;
  result: TestResult;
  /** The first failure (with its step path) or the skip reason. */
  reason: string;
  failures: string[];
  durationMs: number;
  log: string[];
}

/** Thrown to unwind the current (sub)test after a fatal failure was recorded. */
class FatalStop extends Error {}

interface Frame {
  scope: Scope;
  path: string[];
  deferred: (() => Promise<void>)[];
}

interface TestRun {
  test: TestCase;
  env: RunnerEnv;
  applier: Applier;
  lastRead: Map<string, K8sObject>;
  failures: string[];
  log: string[];
}

function logLine(run: TestRun, line: string): void {
  run.log.push(line);
  run.env.onLog?.(run.test.name, line);
}

function save(saveAs: unknown, value: unknown, scope: Scope): void {
  if (typeof saveAs === 'string') scope.set(saveAs, value);
  else if (Array.isArray(saveAs)) {
    const values = Array.isArray(value) ? value : [value];
    saveAs.forEach((name, i) => {
      if (typeof name === 'string') scope.set(name, values[i]);
    });
  }
}

function contextFor(run: TestRun, frame: Frame): HarnessContext {
  const env = run.env;
  const ctx: HarnessContext = {
    admin: env.admin,
    workloads: env.workloads,
    environment: env.environment,
    timeouts: env.timeouts,
    requiredConsecutiveSuccesses: env.requiredConsecutiveSuccesses,
    supportedFeatures: env.supportedFeatures,
    controllerName: env.controllerName,
    gatewayClassName: env.gatewayClassName,
    test: run.test,
    log: (line) => logLine(run, line),
    callFunction: (body, bindings) => callFunction(run, frame, body, bindings),
    signal: env.signal,
    applier: run.applier,
    lastRead: run.lastRead,
    defer: (fn) => frame.deferred.push(fn),
    saved: (name) => frame.scope.get(name),
  };
  return ctx;
}

async function dispatch(run: TestRun, frame: Frame, step: Step): Promise<unknown> {
  const ctx = contextFor(run, frame);
  if (step.op === 'sleep') {
    await sleep(Number(step.ms) || 0, undefined, { signal: run.env.signal }).catch(() => undefined);
    return undefined;
  }
  if (step.op === 'custom') return runCustom(step, ctx, run.env.customHandlers);
  const own = Object.hasOwn(run.env.harnessOps, step.op) ? run.env.harnessOps[step.op] : undefined;
  if (own) return own(step, ctx);
  const op = Object.hasOwn(run.env.ops, step.op) ? run.env.ops[step.op] : undefined;
  if (op) return op(step, ctx as RunContext);
  throw new StepFailure(`harness: unknown op ${step.op}`);
}

/** Runs a function body in a child scope; failures propagate to the calling op. */
async function callFunction(run: TestRun, frame: Frame, body: Step[], bindings?: Record<string, unknown>): Promise<unknown> {
  const inner: Frame = { ...frame, scope: frame.scope.child(bindings) };
  let result: unknown;
  let marked = false;
  for (const raw of body ?? []) {
    const step = substituteStep(raw, inner.scope, { controller: run.env.controllerName });
    const value = await dispatch(run, inner, step);
    save(step.saveAs, value, inner.scope);
    if ('returns' in raw) {
      result = value;
      marked = true;
    } else if (!marked) result = value;
  }
  return result;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A StepFailure for anything thrown by a step; non-StepFailure errors are harness bugs. */
function asFailure(err: unknown): StepFailure {
  if (err instanceof StepFailure) return err;
  const msg = messageOf(err);
  return new StepFailure(msg.startsWith('harness') ? msg : `harness error: ${msg}`);
}

async function execStep(run: TestRun, frame: Frame, raw: Step, index: number): Promise<void> {
  const label = [...frame.path, `step ${index} ${raw.op}`].join(' > ');
  try {
    if (raw.op === 'subtest') return await runSubtest(run, frame, raw);
    if (raw.op === 'ifFeature') {
      const branch = run.env.supportedFeatures.has(String(raw.feature)) ? raw.steps : raw.else;
      return await runList(run, { ...frame, path: [...frame.path, `step ${index} ifFeature ${raw.feature}`] }, branch ?? []);
    }
    const step = substituteStep(raw, frame.scope, { controller: run.env.controllerName });
    save(step.saveAs, await dispatch(run, frame, step), frame.scope);
  } catch (err) {
    if (err instanceof FatalStop) throw err;
    const failure = asFailure(err);
    run.failures.push(`${label}: ${failure.message}`);
    logLine(run, `FAIL ${label}: ${failure.message}`);
    if (failure.fatal) throw new FatalStop();
  }
}

async function runList(run: TestRun, frame: Frame, steps: Step[]): Promise<void> {
  for (let i = 0; i < steps.length; i++) await execStep(run, frame, steps[i], i + 1);
}

async function runDeferred(run: TestRun, frame: Frame): Promise<void> {
  while (frame.deferred.length) {
    const fn = frame.deferred.pop()!;
    try {
      await fn();
    } catch (err) {
      const msg = `${[...frame.path, 'deferred call'].join(' > ')}: ${asFailure(err).message}`;
      run.failures.push(msg);
      logLine(run, `FAIL ${msg}`);
    }
  }
}

/** A subtest: its own scope; a fatal failure ends it, and the parent continues. */
async function runSubtest(run: TestRun, frame: Frame, raw: Step): Promise<void> {
  const child: Frame = { scope: frame.scope.child(), path: [...frame.path, `subtest ${JSON.stringify(String(raw.name))}`], deferred: [] };
  const before = run.failures.length;
  try {
    await runList(run, child, raw.steps ?? []);
  } catch (err) {
    if (!(err instanceof FatalStop)) throw err;
  } finally {
    await runDeferred(run, child);
  }
  logLine(run, `${run.failures.length > before ? 'FAIL' : 'ok  '} ${child.path.join(' > ')}`);
}

/** Runs one test: apply its manifests, run its steps, clean up. */
export async function runTest(test: TestCase, env: RunnerEnv): Promise<TestOutcome> {
  const start = Date.now();
  const run: TestRun = { test, env, applier: new Applier(env.admin, env.applierConfig, env.timeouts), lastRead: new Map(), failures: [], log: [] };
  const top: Frame = { scope: new Scope(), path: [], deferred: [] };
  try {
    for (const m of test.manifests) {
      try {
        await run.applier.apply(readTestManifest(env.corpusDir, m));
      } catch (err) {
        run.failures.push(`applying manifest ${m}: ${messageOf(err)}`);
        throw new FatalStop();
      }
    }
    await runList(run, top, test.steps);
  } catch (err) {
    if (!(err instanceof FatalStop)) run.failures.push(`harness error: ${messageOf(err)}`);
  } finally {
    await runDeferred(run, top);
    if (env.cleanup) for (const p of await run.applier.cleanup()) logLine(run, `cleanup: ${p}`);
  }
  const failed = run.failures.length > 0;
  return { name: test.name, result: failed ? 'failed' : 'passed', reason: run.failures[0] ?? '', failures: run.failures, durationMs: Date.now() - start, log: run.log };
}
