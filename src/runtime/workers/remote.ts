/**
 * RemoteDataPlane: the DataPlane of `gatehouse run --workers N`. The control loop in the primary hands it
 * IR versions exactly as it would hand them to an in-process HttpDataPlane; it sends each version to every
 * worker process and resolves once all of them applied it, so when `apply` resolves every worker serves the
 * new version (and each worker's in-flight requests finish on the version they started on).
 *
 * A worker never wedges the loop: one that dies, fails to apply a version its siblings applied, or does not
 * answer within `applyTimeoutMs` is reported, killed if need be, and restarted with exponential backoff; the
 * new process gets the current IR before it binds any socket, so it never serves an older version. Only
 * when every worker rejects a version (a compile error: the data plane is deterministic) does `apply`
 * reject, and every worker keeps serving the previous version.
 */
import type { ApplyResult, DataPlane } from '../../dataplane/types.ts';
import type { LogLevel } from '../../dataplane/index.ts';
import type { IR } from '../../ir/types.ts';
import type { Logger } from '../log.ts';
import { WorkerEvent, type WorkerEventReason } from './protocol.ts';
import { describeExit, WorkerProcess, type Answer } from './process.ts';

/** Options of RemoteDataPlane.start. */
export interface RemoteDataPlaneOptions {
  /** Number of worker processes, ≥ 1. */
  readonly workers: number;
  readonly log?: Logger;
  /** Minimum level of data plane logs the workers forward (default info). */
  readonly logLevel?: LogLevel;
  /** A worker that takes longer than this to apply one IR version is killed and restarted (default 30 s). */
  readonly applyTimeoutMs?: number;
  /** How long a starting worker may take to say it is ready (default 30 s). */
  readonly startTimeoutMs?: number;
  /** First restart delay after a crash, doubled per consecutive crash (default 100 ms). */
  readonly restartBackoffMs?: number;
  /** Upper bound of the restart delay (default 10 s). */
  readonly maxBackoffMs?: number;
  /** How long close() lets a worker drain before killing it (default 10 s; the data plane's own grace is 5 s). */
  readonly stopTimeoutMs?: number;
  /** Observes worker incidents and restarts (tests, metrics). */
  readonly onEvent?: (ev: WorkerIncident) => void;
  /** Module the workers run (tests); default the real worker entry. */
  readonly entry?: string;
}

/** Something that happened to a worker. */
export interface WorkerIncident {
  readonly reason: WorkerEventReason;
  readonly slot: number;
  readonly pid: number | undefined;
  readonly detail: string;
}

/** A worker that stayed up this long before crashing restarts without backoff. */
const STABLE_MS = 30_000;

interface Slot {
  readonly index: number;
  proc: WorkerProcess | undefined;
  /** True once the process said ready and was sent the current IR. */
  live: boolean;
  crashes: number;
  restartTimer: NodeJS.Timeout | undefined;
}

/** The current IR, serialised once for all workers. */
interface Current {
  readonly version: number;
  readonly json: string;
}

/** A DataPlane whose data plane runs in N worker processes. */
export class RemoteDataPlane implements DataPlane {
  private readonly o: Required<Omit<RemoteDataPlaneOptions, 'onEvent' | 'entry' | 'log'>> & Pick<RemoteDataPlaneOptions, 'onEvent' | 'entry'>;
  private readonly log: Logger;
  private readonly slots: Slot[] = [];
  private current: Current | undefined;
  private lastBindErrors = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
  private closing = false;

  private constructor(opts: RemoteDataPlaneOptions) {
    this.o = { logLevel: 'info', applyTimeoutMs: 30_000, startTimeoutMs: 30_000, restartBackoffMs: 100, maxBackoffMs: 10_000, stopTimeoutMs: 10_000, ...opts };
    this.log = opts.log ?? (() => undefined);
  }

  /** Starts the workers and resolves when all are ready; rejects (after stopping them) when one cannot start. */
  static async start(opts: RemoteDataPlaneOptions): Promise<RemoteDataPlane> {
    if (!Number.isSafeInteger(opts.workers) || opts.workers < 1) throw new Error(`workers must be a whole number ≥ 1, got ${opts.workers}`);
    const dp = new RemoteDataPlane(opts);
    for (let i = 0; i < opts.workers; i++) dp.slots.push({ index: i, proc: undefined, live: false, crashes: 0, restartTimer: undefined });
    const started = await Promise.all(dp.slots.map((s) => dp.spawn(s)));
    if (started.every(Boolean)) return dp;
    await dp.close();
    throw new Error(`could not start ${opts.workers} data-plane worker processes (see the log above)`);
  }

  /** Process ids of the workers currently serving. */
  pids(): number[] {
    return this.slots.flatMap((s) => (s.live && s.proc?.pid !== undefined ? [s.proc.pid] : []));
  }

  /** Asks every live worker which IR version it serves. */
  async versions(): Promise<Array<{ pid: number; version: number }>> {
    const live = this.slots.filter((s) => s.live && s.proc);
    const answers = await Promise.all(live.map((s) => s.proc!.request((seq) => ({ t: 'status', seq }), this.o.applyTimeoutMs)));
    return answers.flatMap((a, i) => (a.t === 'status' ? [{ pid: live[i].proc!.pid!, version: a.version }] : []));
  }

  /** Sends `ir` to every worker; resolves when all applied it (bind errors merged). One apply at a time. */
  apply(ir: IR): Promise<ApplyResult> {
    const run = this.queue.then(() => this.applyNow(ir));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async applyNow(ir: IR): Promise<ApplyResult> {
    if (this.closing) throw new Error('data plane is closed');
    const next: Current = { version: ir.version, json: JSON.stringify(ir) };
    const targets = this.slots.filter((s) => s.live && s.proc);
    if (targets.length === 0) {
      // Every worker is restarting: each gets this version as soon as it is up.
      this.current = next;
      this.log('warn', 'no data-plane worker is running; the IR will be applied as they restart', { version: ir.version });
      return { version: ir.version, bindErrors: new Map(this.lastBindErrors) };
    }
    const procs = targets.map((s) => s.proc!);
    const answers = await Promise.all(procs.map((p) => this.send(p, next)));
    const applied = answers.flatMap((a) => (a.t === 'applied' ? [a] : []));
    const rejected = answers.find((a) => a.t === 'failed');
    if (applied.length === 0 && rejected) {
      // The data plane is deterministic: the version is bad, and every worker still serves the previous one.
      answers.forEach((a, i) => {
        if (a.t !== 'failed') this.failed(targets[i], procs[i], a);
      });
      throw new Error(rejected.error);
    }
    this.current = next;
    answers.forEach((a, i) => {
      if (a.t !== 'applied') this.failed(targets[i], procs[i], a);
    });
    if (applied.length === 0) return { version: ir.version, bindErrors: new Map(this.lastBindErrors) }; // no worker could tell
    const bindErrors = new Map<string, string>();
    for (const a of applied) for (const [key, err] of a.bindErrors) if (!bindErrors.has(key)) bindErrors.set(key, err);
    this.lastBindErrors = bindErrors;
    return { version: ir.version, bindErrors };
  }

  private send(proc: WorkerProcess, cur: Current): Promise<Answer> {
    return proc.request((seq) => ({ t: 'apply', seq, version: cur.version, ir: cur.json }), this.o.applyTimeoutMs);
  }

  /** A worker that did not apply what its siblings applied is out of step: replace it. */
  private failed(slot: Slot, proc: WorkerProcess, a: Answer): void {
    if (slot.proc !== proc) return; // already replaced
    let reason: WorkerEventReason;
    let detail: string;
    if (a.t === 'failed') [reason, detail] = [WorkerEvent.ApplyFailed, a.error];
    else if (a.t === 'timeout') [reason, detail] = [WorkerEvent.ApplyTimedOut, `no answer in ${a.afterMs} ms`];
    else if (a.t === 'gone') [reason, detail] = [WorkerEvent.Exited, a.why];
    else return;
    if (reason !== WorkerEvent.Exited) {
      this.incident(reason, slot, detail);
      proc.kill(); // its exit handler restarts it
    }
  }

  private incident(reason: WorkerEventReason, slot: Slot, detail: string): void {
    const level = reason === WorkerEvent.Restarted ? 'info' : 'error';
    this.log(level, `data-plane worker ${slot.index}: ${detail}`, { reason, pid: slot.proc?.pid });
    this.o.onEvent?.({ reason, slot: slot.index, pid: slot.proc?.pid, detail });
  }

  /** Forks the slot's worker; resolves true once it is ready and serves the current IR. */
  private async spawn(slot: Slot): Promise<boolean> {
    const proc = WorkerProcess.spawn({ slot: slot.index, logLevel: this.o.logLevel, log: this.log, entry: this.o.entry });
    slot.proc = proc;
    slot.live = false;
    void proc.exited.then((exit) => this.onExit(slot, proc, describeExit(exit)));
    const timer = setTimeout(() => {
      this.log('error', `data-plane worker ${slot.index} did not start within ${this.o.startTimeoutMs} ms`);
      proc.kill();
    }, this.o.startTimeoutMs);
    const ready = await proc.ready;
    clearTimeout(timer);
    if (!ready || slot.proc !== proc || this.closing) return false;
    // Catch up before serving: the worker binds its sockets only when it applies the current IR. This runs
    // in the apply queue, so no version can be applied to the others between the catch-up and going live.
    const caughtUp = this.queue.then(() => this.catchUp(slot, proc));
    this.queue = caughtUp.catch(() => undefined);
    return caughtUp;
  }

  private async catchUp(slot: Slot, proc: WorkerProcess): Promise<boolean> {
    const cur = this.current;
    if (this.closing || proc.dead) return false;
    if (cur) {
      const a = await this.send(proc, cur);
      if (a.t !== 'applied') {
        this.failed(slot, proc, a);
        return false;
      }
      for (const [key, err] of a.bindErrors) {
        if (!this.lastBindErrors.has(key)) this.log('error', `data-plane worker ${slot.index} cannot listen on ${key}: ${err}`);
      }
    }
    slot.live = true;
    return true;
  }

  private onExit(slot: Slot, proc: WorkerProcess, why: string): void {
    if (slot.proc !== proc) return;
    slot.live = false;
    if (this.closing) return;
    this.incident(WorkerEvent.Exited, slot, `exited (${why})`);
    const uptime = Date.now() - proc.startedAt;
    slot.crashes = uptime >= STABLE_MS ? 1 : slot.crashes + 1;
    const delay = Math.min(this.o.maxBackoffMs, this.o.restartBackoffMs * 2 ** (slot.crashes - 1));
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = undefined;
      if (this.closing) return;
      void this.spawn(slot).then((ok) => {
        if (ok) this.incident(WorkerEvent.Restarted, slot, `restarted as pid ${slot.proc?.pid}, serving IR version ${this.current?.version ?? 0}`);
      });
    }, delay);
  }

  /** Stops every worker after its in-flight requests finish (killing any that take over stopTimeoutMs). */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.queue;
    for (const s of this.slots) {
      if (s.restartTimer) clearTimeout(s.restartTimer);
      s.restartTimer = undefined;
    }
    // A worker that is not live has bound no socket yet (it binds when it catches up, in the queue awaited
    // above): nothing to drain, and it may not even listen for `stop` yet.
    await Promise.all(
      this.slots.map((s) => {
        if (!s.live) s.proc?.kill();
        return s.proc?.stop(this.o.stopTimeoutMs);
      }),
    );
  }
}
