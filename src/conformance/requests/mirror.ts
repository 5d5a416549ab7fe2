/**
 * Mirror checks through backend logs (helpers §2 `http.ExpectMirroredRequest`, echo-contract §7):
 * watchers that look for the echo's "Echoing back request made to <path> to client" line.
 */
import { StepFailure, type OpHandler, type Pod, type RunContext, type Workloads } from '../types.ts';
import { timeoutOf } from './util.ts';

/**
 * A function value a step returns for a later `custom {call, deferred: true}` step, to be run at
 * the end of the subtest (also when it stopped early). It is both callable (the runner's generic
 * `{call, deferred}` handling calls it) and an object `{kind: 'deferred', wait}`; calling it is
 * the same as calling `wait()`. It throws a non-fatal StepFailure when a check failed.
 */
export interface DeferredCall {
  (): Promise<void>;
  kind: 'deferred';
  wait: () => Promise<void>;
}

/** Wraps a wait function as a DeferredCall. */
export function deferredCall(wait: () => Promise<void>): DeferredCall {
  return Object.assign(() => wait(), { kind: 'deferred' as const, wait });
}

/** True for a DeferredCall value. */
export function isDeferredCall(v: unknown): v is DeferredCall {
  return (typeof v === 'function' || typeof v === 'object') && v !== null && (v as DeferredCall).kind === 'deferred' && typeof (v as DeferredCall).wait === 'function';
}

/** The log line the echo prints for a request to `path`. */
export function mirrorLogNeedle(path: string): string {
  return `Echoing back request made to ${path} to client`;
}

/**
 * Lines of every pod labelled app=<name> in the namespace that contain the needle; undefined when
 * the pods cannot be listed ("not yet"). Pods whose logs cannot be read are skipped.
 */
export function countLogMatches(workloads: Workloads, namespace: string, name: string, needle: string): number | undefined {
  let pods: Pod[];
  try {
    pods = workloads.pods(namespace, { app: name });
  } catch {
    return undefined;
  }
  let n = 0;
  for (const pod of pods) {
    let lines: string[];
    try {
      lines = workloads.logs(pod.namespace, pod.name);
    } catch {
      continue;
    }
    for (const l of lines) if (l.includes(needle)) n++;
  }
  return n;
}

/** Polls (at once, then every intervalMs, woken early by new log lines) until the needle shows up. */
function watch(ctx: RunContext, namespace: string, name: string, needle: string, intervalMs: number, limitMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const deadline = Date.now() + limitMs;
    let timer: NodeJS.Timeout | undefined;
    let stop = (): void => {};
    const finish = (found: boolean): void => {
      clearTimeout(timer);
      stop();
      resolve(found);
    };
    const check = (): void => {
      if ((countLogMatches(ctx.workloads, namespace, name, needle) ?? 0) > 0) return finish(true);
      const left = deadline - Date.now();
      if (left <= 0 || ctx.signal?.aborted) return finish(false);
      timer = setTimeout(check, Math.min(intervalMs, left));
    };
    stop = ctx.workloads.onLog((pod, line) => {
      if (pod.namespace === namespace && pod.labels?.app === name && line.includes(needle)) finish(true);
    });
    check();
  });
}

/** The watcher poll interval of ExpectMirroredRequest (testify Eventually tick). */
export const MIRROR_POLL_MS = 1000;

const expectMirroredRequest: OpHandler = async (step, ctx) => {
  const mirrors = step.mirrorPods;
  const path = step.path;
  if (!Array.isArray(mirrors)) throw new Error('harness: http.ExpectMirroredRequest: mirrorPods must be a list');
  if (typeof path !== 'string') throw new Error('harness: http.ExpectMirroredRequest: path must be a string');
  for (const m of mirrors) {
    if (!m || typeof m.name !== 'string' || m.name === '') throw new StepFailure(`http.ExpectMirroredRequest: mirror entry without a name: ${JSON.stringify(m)}`);
  }
  const needle = mirrorLogNeedle(path);
  const limit = timeoutOf(ctx, 'RequestTimeout');
  const watchers = mirrors.map(async (m: { name: string; namespace: string }) => ({
    mirror: `${m.namespace ?? ''}/${m.name}`,
    found: await watch(ctx, m.namespace ?? '', m.name, needle, MIRROR_POLL_MS, limit),
  }));
  // Every watcher has read the logs once by now: the first check runs synchronously above.
  return deferredCall(async () => {
    const missing = (await Promise.all(watchers)).filter((w) => !w.found).map((w) => w.mirror);
    if (missing.length > 0) {
      throw new StepFailure(`mirrored request for ${path} not found within ${limit} ms in the logs of ${missing.join(', ')} (looked for "${needle}")`, false);
    }
  });
};

/** The mirror-log op handlers by op name. */
export const mirrorOps: Record<string, OpHandler> = {
  'http.ExpectMirroredRequest': expectMirroredRequest,
};
