/**
 * The `weight.*` ops (helpers §8): senders built from function bodies, and the weighted
 * distribution checks with their retry loop.
 */
import { StepFailure, type OpHandler, type RunContext, type Step } from '../types.ts';
import { backendOfPod, errText } from './util.ts';

/** Requests per distribution check. */
export const TOTAL_REQUESTS = 500;
/** Requests in flight at once. */
export const CONCURRENT_REQUESTS = 10;
/** Allowed absolute deviation of a backend's share from its weight. */
export const TOLERANCE = 0.05;

/** A sender value (saved by weight.NewFunctionBasedSender): one request → one pod name. */
export interface Sender {
  kind: 'sender';
  send: () => Promise<string>;
}

/** A batch sender value (weight.NewBatchFunctionBasedSender): N requests → N pod names. */
export interface BatchSender {
  kind: 'batchSender';
  sendBatch: (count: number) => Promise<string[]>;
}

function asPod(v: unknown): string {
  if (typeof v === 'string' && v !== '') return v;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const h = o.Hostname ?? o.hostname ?? o.pod;
    if (typeof h === 'string' && h !== '') return h;
  }
  throw new Error(`sender returned no pod name: ${JSON.stringify(v)?.slice(0, 200)}`);
}

/**
 * Checks counts per backend against the weights: as many backends seen as weights > 0, every
 * weight > 0 seen, every share within tolerance. Returns the violations (empty = pass).
 */
export function checkDistribution(counts: Map<string, number>, total: number, weights: Record<string, number>, tolerance = TOLERANCE): string[] {
  const bad: string[] = [];
  const positive = Object.entries(weights).filter(([, w]) => w > 0);
  if (counts.size !== positive.length) bad.push(`saw ${counts.size} backends (${[...counts.keys()].join(', ')}), expected ${positive.length}`);
  for (const [b] of positive) if (!counts.has(b)) bad.push(`backend ${b} received no requests`);
  for (const [b, w] of Object.entries(weights)) {
    const share = (counts.get(b) ?? 0) / total;
    if (Math.abs(share - w) > tolerance) bad.push(`backend ${b} got ${(share * 100).toFixed(1)}% of requests, expected ${(w * 100).toFixed(1)}% ±${tolerance * 100}%`);
  }
  return bad;
}

/** Counts pods by backend; throws for a backend that has no weight. */
function tally(pods: string[], weights: Record<string, number>, counts = new Map<string, number>()): Map<string, number> {
  for (const pod of pods) {
    const b = backendOfPod(pod);
    if (!Object.hasOwn(weights, b)) throw new Error(`request reached unexpected backend ${b} (pod ${pod})`);
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  return counts;
}

/** One TestWeightedDistribution attempt: undefined on pass, else the reason. */
export async function weightedDistributionOnce(sender: Sender, weights: Record<string, number>, total = TOTAL_REQUESTS, concurrency = CONCURRENT_REQUESTS): Promise<string | undefined> {
  const counts = new Map<string, number>();
  let next = 0;
  let failure: string | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < total) {
      next++;
      try {
        tally([asPod(await sender.send())], weights, counts);
      } catch (e) {
        failure ??= errText(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  if (failure !== undefined) return failure;
  const bad = checkDistribution(counts, total, weights);
  return bad.length ? bad.join('; ') : undefined;
}

/** One TestWeightedDistributionBatch attempt. */
export async function weightedDistributionBatchOnce(sender: BatchSender, weights: Record<string, number>, total = TOTAL_REQUESTS): Promise<string | undefined> {
  let pods: string[];
  try {
    const got = await sender.sendBatch(total);
    if (!Array.isArray(got)) return `batch sender returned ${typeof got}, not a list`;
    if (got.length !== total) return `batch sender returned ${got.length} responses, expected ${total}`;
    pods = got.map(asPod);
    const bad = checkDistribution(tally(pods, weights), total, weights);
    return bad.length ? bad.join('; ') : undefined;
  } catch (e) {
    return errText(e);
  }
}

function weightsOf(step: Step): Record<string, number> {
  const w = step.expectedWeights;
  if (!w || typeof w !== 'object') throw new Error(`harness: ${step.op}: expectedWeights must be an object`);
  return w as Record<string, number>;
}

/** Runs an attempt under the step's `retry` key (helpers §12); without it, once. */
async function withRetry(step: Step, ctx: RunContext, attempt: () => Promise<string | undefined>): Promise<void> {
  const retry = step.retry as { maxAttempts?: number; failMessage?: string } | undefined;
  const max = retry?.maxAttempts ?? 1;
  const reasons: string[] = [];
  for (let i = 1; i <= max; i++) {
    if (ctx.signal?.aborted) break;
    const bad = await attempt();
    if (bad === undefined) return;
    reasons.push(bad);
    ctx.log(`${step.op}: attempt ${i}/${max} failed: ${bad}`);
  }
  throw new StepFailure(`${retry?.failMessage ?? 'weighted distribution check failed'} (${reasons.length} attempts; last: ${reasons.at(-1) ?? 'aborted'})`);
}

const newFunctionBasedSender: OpHandler = async (step, ctx) => {
  if (!Array.isArray(step.sendFunc)) throw new Error('harness: weight.NewFunctionBasedSender: sendFunc must be a list of steps');
  const body = step.sendFunc;
  const sender: Sender = { kind: 'sender', send: async () => asPod(await ctx.callFunction(body)) };
  return sender;
};

const newBatchFunctionBasedSender: OpHandler = async (step, ctx) => {
  if (!Array.isArray(step.sendBatchFunc)) throw new Error('harness: weight.NewBatchFunctionBasedSender: sendBatchFunc must be a list of steps');
  const body = step.sendBatchFunc;
  const sender: BatchSender = { kind: 'batchSender', sendBatch: async (count) => (await ctx.callFunction(body, { count })) as string[] };
  return sender;
};

const testWeightedDistribution: OpHandler = async (step, ctx) => {
  const sender = step.sender as Sender;
  if (sender?.kind !== 'sender') throw new Error('harness: weight.TestWeightedDistribution: sender is not a weight.NewFunctionBasedSender value');
  const weights = weightsOf(step);
  await withRetry(step, ctx, () => weightedDistributionOnce(sender, weights));
  return undefined;
};

const testWeightedDistributionBatch: OpHandler = async (step, ctx) => {
  const sender = step.sender as BatchSender;
  if (sender?.kind !== 'batchSender') throw new Error('harness: weight.TestWeightedDistributionBatch: sender is not a batch sender value');
  const weights = weightsOf(step);
  await withRetry(step, ctx, () => weightedDistributionBatchOnce(sender, weights));
  return undefined;
};

/** The weight.* op handlers by op name. */
export const weightOps: Record<string, OpHandler> = {
  'weight.NewFunctionBasedSender': newFunctionBasedSender,
  'weight.NewBatchFunctionBasedSender': newBatchFunctionBasedSender,
  'weight.TestWeightedDistribution': testWeightedDistribution,
  'weight.TestWeightedDistributionBatch': testWeightedDistributionBatch,
};
