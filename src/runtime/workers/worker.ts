/**
 * The worker side of `gatehouse run --workers N`: a process that runs nothing but an HttpDataPlane, fed IR
 * versions by the primary over the fork IPC channel. It binds its sockets with SO_REUSEPORT (reuseport.ts),
 * so N workers share each listening address and the primary stays off the data path.
 *
 * Lifecycle: the worker says `ready`, applies every IR it is sent in order (the data plane serialises
 * applies and keeps in-flight requests on the version they started on), and on `stop`, on SIGTERM, or when
 * the primary disappears (IPC disconnect) it closes the data plane — listeners stop, busy connections get
 * the data plane's grace — and exits. SIGINT is ignored: a terminal sends it to the whole process group,
 * and the primary, which gets it too, orders the stop.
 */
import type { DataPlane } from '../../dataplane/types.ts';
import type { IR } from '../../ir/types.ts';
import type { LogLevel } from '../../dataplane/index.ts';
import { parseToWorker, type FromWorker, type ToWorker } from './protocol.ts';

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Environment variable carrying the minimum log level a worker forwards to the primary. */
export const WORKER_LOG_LEVEL_ENV = 'GATEHOUSE_WORKER_LOG_LEVEL';

/** Messages the primary reports from the merged results itself (logging them per worker would repeat them N times). */
const REPORTED_BY_PRIMARY: ReadonlySet<string> = new Set(['cannot bind socket', 'applied IR']);

function send(m: FromWorker): void {
  if (!process.connected) return; // the primary is gone; the 'disconnect' handler shuts the worker down
  try {
    process.send?.(m, undefined, undefined, () => undefined);
  } catch (err) {
    // Only log fields can hold something the structured clone refuses (a function, say): send them as text.
    if (m.t === 'log') process.send?.({ ...m, fields: { fields: String(m.fields), unsent: (err as Error).message } }, undefined, undefined, () => undefined);
  }
}

function levelFromEnv(): LogLevel {
  const v = process.env[WORKER_LOG_LEVEL_ENV];
  return v === 'debug' || v === 'info' || v === 'warn' || v === 'error' ? v : 'info';
}

/** Runs the worker until told to stop; resolves to the exit code. */
export async function runWorker(): Promise<number> {
  if (typeof process.send !== 'function') {
    process.stderr.write('gatehouse worker: must be started by `gatehouse run --workers N` (no IPC channel)\n');
    return 2;
  }
  const { HttpDataPlane } = await import('../../dataplane/index.ts');
  const min = ORDER[levelFromEnv()];
  const dataplane: DataPlane & { version: number } = new HttpDataPlane({
    reusePort: true,
    log: (level, msg, fields) => {
      if (ORDER[level] >= min && !REPORTED_BY_PRIMARY.has(msg)) send({ t: 'log', level, msg, fields });
    },
  });

  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= dataplane.close().then(
      () => finish(0),
      (err: Error) => {
        process.stderr.write(`gatehouse worker: closing the data plane failed: ${err.message}\n`);
        finish(1);
      },
    );
    return stopping;
  };

  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop());
  process.on('message', (raw: unknown) => {
    const parsed = parseToWorker(raw);
    if (!parsed.ok) {
      send({ t: 'log', level: 'error', msg: 'ignoring a malformed message from the primary', fields: { error: parsed.error } });
      return;
    }
    void handle(parsed.msg, dataplane, stop);
  });
  send({ t: 'ready' });
  return finished;
}

async function handle(m: ToWorker, dataplane: DataPlane & { version: number }, stop: () => Promise<void>): Promise<void> {
  switch (m.t) {
    case 'apply': {
      let ir: IR;
      try {
        ir = JSON.parse(m.ir) as IR;
      } catch (err) {
        send({ t: 'failed', seq: m.seq, error: `IR version ${m.version} is not valid JSON: ${(err as Error).message}` });
        return;
      }
      try {
        const r = await dataplane.apply(ir);
        send({ t: 'applied', seq: m.seq, version: r.version, bindErrors: [...r.bindErrors] });
      } catch (err) {
        send({ t: 'failed', seq: m.seq, error: (err as Error).message ?? String(err) });
      }
      return;
    }
    case 'status':
      send({ t: 'status', seq: m.seq, version: dataplane.version });
      return;
    case 'stop':
      await stop();
      return;
  }
}
