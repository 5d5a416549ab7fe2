/**
 * The two retry shapes of the data-plane checks (corpus README §6): convergence (N consecutive
 * passing attempts within MaxTimeToConsistency, helpers §0.5) and first-success polling.
 */
import { StepFailure, type RunContext } from '../types.ts';
import { errText, sleep, timeoutOf } from './util.ts';

/**
 * One convergence attempt: resolves to undefined when it passed, or to a reason string when it
 * failed. Throwing StepFailure ends the whole loop at once (e.g. "a 200 is fatal"); any other
 * exception counts as a failed attempt with its message as the reason.
 */
export type Attempt = () => Promise<string | undefined>;

/** Settings of one convergence loop; unset fields come from ctx. */
export interface ConvergeOptions {
  /** Consecutive passes needed (RequiredConsecutiveSuccesses). */
  required?: number;
  /** Overall limit (MaxTimeToConsistency). */
  timeoutMs?: number;
}

/**
 * AwaitConvergence (helpers §0.5): attempt until `required` attempts in a row pass; pause
 * DefaultPollInterval after a failure only; fail fatally once the limit has passed (checked before
 * each attempt and during the pause; a running attempt is not interrupted).
 */
export async function awaitConvergence(ctx: RunContext, what: string, attempt: Attempt, opts: ConvergeOptions = {}): Promise<void> {
  const required = opts.required ?? (ctx.requiredConsecutiveSuccesses || 3);
  const limit = opts.timeoutMs ?? timeoutOf(ctx, 'MaxTimeToConsistency');
  const pause = timeoutOf(ctx, 'DefaultPollInterval');
  const start = Date.now();
  let streak = 0;
  let attempts = 0;
  let lastReason = 'no attempt was made';
  // The first failure is reported too: the last one is often only the time budget running out
  // (a deadline), while the first says what was actually wrong.
  let firstReason = '';
  while (Date.now() - start < limit) {
    attempts++;
    let reason: string | undefined;
    try {
      reason = await attempt();
    } catch (e) {
      if (e instanceof StepFailure) throw e;
      reason = errText(e);
    }
    if (reason === undefined) {
      streak++;
      if (streak >= required) return;
      continue;
    }
    if (streak > 0) ctx.log(`${what}: streak of ${streak} broken: ${reason}`);
    streak = 0;
    lastReason = reason;
    firstReason ||= reason;
    const left = limit - (Date.now() - start);
    if (left <= 0) break;
    await sleep(Math.min(pause, left), ctx.signal);
  }
  throw new StepFailure(
    `${what}: no ${required} consecutive passing attempts within ${limit} ms ` +
      `(${attempts} attempts, current streak ${streak}); last failure: ${lastReason}` +
      (firstReason && firstReason !== lastReason ? `; first failure: ${firstReason}` : ''),
  );
}

/** The outcome of a first-success poll. */
export type PollResult<T> = { ok: true; value: T } | { ok: false; reason: string; attempts: number };

/**
 * First-success polling (wait.PollUntilContextTimeout with immediate start): run the attempt at
 * once and then every `intervalMs` until one resolves or `timeoutMs` passes. A thrown error means
 * "not yet" (its message is kept for the report); StepFailure propagates.
 */
export async function pollFirstSuccess<T>(
  ctx: RunContext,
  intervalMs: number,
  timeoutMs: number,
  attempt: () => Promise<T>,
): Promise<PollResult<T>> {
  const start = Date.now();
  let attempts = 0;
  let reason = 'no attempt was made';
  while (Date.now() - start < timeoutMs) {
    attempts++;
    try {
      return { ok: true, value: await attempt() };
    } catch (e) {
      if (e instanceof StepFailure) throw e;
      reason = errText(e);
    }
    const left = timeoutMs - (Date.now() - start);
    if (left <= 0) break;
    await sleep(Math.min(intervalMs, left), ctx.signal);
  }
  return { ok: false, reason, attempts };
}
