/**
 * HTTPRouteRequestPercentageMirror's distribution check (the test's `custom` step): batches of
 * requests on a fresh request-id path, mirror log lines counted against a binomial band.
 */
import { StepFailure, type CustomHandler, type RunContext } from '../types.ts';
import { asExpectedResponse, makeRequest, type ExpectedResponse, type MirroredTo } from './http-request.ts';
import { waitForConsistentResponse } from './http-ops.ts';
import { countLogMatches, mirrorLogNeedle } from './mirror.ts';
import { REQUEST_ID_PARAM, setQueryParam } from './request-id.ts';
import { cloneJson, errText, sleep, uuid } from './util.ts';
import { dataOf, num, str } from './custom-data.ts';

/** The inclusive acceptance band for `percent`% of `total` requests. */
export function mirrorBand(total: number, percent: number, stdDevs: number): { min: number; max: number; expected: number } {
  const p = percent / 100;
  const expected = total * p;
  const margin = stdDevs * Math.sqrt(total * p * (1 - p));
  return { min: expected - margin, max: expected + margin, expected };
}

/** Runs `n` tasks with at most `width` in flight; the first rejection wins (the rest stop picking up work). */
async function pool(n: number, width: number, task: () => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async (): Promise<void> => {
    while (failed === undefined && next < n) {
      next++;
      try {
        await task();
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker));
  if (failed !== undefined) throw failed;
}

/**
 * Counts the mirror's log lines for the path. Mirroring is asynchronous, so the count is re-read
 * until it stops changing (100 ms apart, at most `settleMs`) — a wait Go does not do, which only
 * removes a race and never admits lines from other paths.
 */
async function settledCount(ctx: RunContext, m: MirroredTo, needle: string, readLimitMs: number, settleMs: number): Promise<number> {
  const start = Date.now();
  let count = countLogMatches(ctx.workloads, m.namespace, m.name, needle);
  while (count === undefined) {
    if (Date.now() - start > readLimitMs) throw new StepFailure(`could not read the logs of ${m.namespace}/${m.name} within ${readLimitMs} ms`);
    await sleep(100, ctx.signal);
    count = countLogMatches(ctx.workloads, m.namespace, m.name, needle);
  }
  const settleEnd = Date.now() + settleMs;
  for (;;) {
    await sleep(100, ctx.signal);
    const again: number = countLogMatches(ctx.workloads, m.namespace, m.name, needle) ?? count;
    if (again === count || Date.now() > settleEnd) return again;
    count = again;
  }
}

/** One attempt: undefined when every mirror's count is inside its band, else the reason. */
async function attempt(ctx: RunContext, base: ExpectedResponse, gwAddr: string, d: Record<string, any>): Promise<string | undefined> {
  const total = num(d, 500, 'totalRequests');
  const id = uuid();
  const expected = cloneJson(base);
  expected.request.path = setQueryParam(expected.request.path ?? '/', REQUEST_ID_PARAM, id);
  if (expected.expectedRequest) {
    const p = expected.expectedRequest.path;
    expected.expectedRequest.path = p ? setQueryParam(p, REQUEST_ID_PARAM, id) : expected.request.path;
  }
  const path = expected.request.path;
  await pool(total, num(d, 10, 'concurrentRequests'), async () => {
    const e = cloneJson(expected);
    await waitForConsistentResponse(ctx, makeRequest(e, gwAddr, 'HTTP', 'http'), e, 1);
  });
  const bad: string[] = [];
  for (const m of expected.mirroredTo ?? []) {
    const n = await settledCount(ctx, m, mirrorLogNeedle(path), num(d, 60_000, 'logReadEventuallyTimeoutMs'), 2000);
    const band = mirrorBand(total, m.percent ?? 0, num(d, 3, 'toleranceStdDevs'));
    if (n < band.min || n > band.max) {
      bad.push(`${m.namespace}/${m.name} logged ${n} of ${total} requests to ${path}, expected ${band.expected} (between ${band.min.toFixed(1)} and ${band.max.toFixed(1)})`);
    }
  }
  return bad.length ? bad.join('; ') : undefined;
}

/** The HTTPRouteRequestPercentageMirror custom step. */
export const percentageMirror: CustomHandler = async (step, ctx) => {
  const d = dataOf(step);
  const per = d.perRequest;
  if (!per || typeof per !== 'object') throw new Error('harness: HTTPRouteRequestPercentageMirror: data.perRequest is missing');
  const gwAddr = str(per, 'HTTPRouteRequestPercentageMirror', 'gwAddr');
  // The per-attempt request id is set below, whatever `$requestID` was left as in the data.
  const base = asExpectedResponse(cloneJson(per.expected), 'HTTPRouteRequestPercentageMirror');
  const tries = num(d, 5, 'numDistributionChecks');
  let last = '';
  for (let i = 1; i <= tries; i++) {
    try {
      const bad = await attempt(ctx, base, gwAddr, d);
      if (bad === undefined) return undefined;
      last = bad;
    } catch (e) {
      if (e instanceof StepFailure) throw e;
      throw new StepFailure(`percentage mirror attempt ${i}: ${errText(e)}`);
    }
    ctx.log(`percentage mirror attempt ${i}/${tries} failed: ${last}`);
    if (i < tries) await sleep(num(d, 2000, 'sleepBetweenAttemptsMs'), ctx.signal);
  }
  throw new StepFailure(`${typeof d.failMessage === 'string' ? d.failMessage : 'Percentage based mirror distribution tests failed'}; last attempt: ${last}`);
};
