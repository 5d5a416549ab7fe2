/**
 * The messages between the primary process and its data-plane workers, over the IPC channel of
 * child_process.fork. Every message a process receives is checked with the parse functions here before
 * it is used: a malformed message is an error value, never a crash.
 *
 * The IR travels as a JSON string that the primary serialises once per version and sends to every
 * worker (the IR is JSON-serialisable by design), instead of N structured clones of the object.
 */
import type { LogLevel } from '../../dataplane/index.ts';

/** Primary → worker. */
export type ToWorker =
  /** Apply this IR version (JSON of an IR); the worker answers `applied` or `failed` with the same seq. */
  | { readonly t: 'apply'; readonly seq: number; readonly version: number; readonly ir: string }
  /** Report the IR version now serving; answered with `status`. */
  | { readonly t: 'status'; readonly seq: number }
  /** Stop: close every listener after in-flight requests finish (up to the data plane's grace), then exit. */
  | { readonly t: 'stop' };

/** Worker → primary. */
export type FromWorker =
  /** The worker is up and serving nothing yet; it waits for an IR. */
  | { readonly t: 'ready' }
  /** An IR version was applied; bindErrors as [socket key, reason] pairs. */
  | { readonly t: 'applied'; readonly seq: number; readonly version: number; readonly bindErrors: ReadonlyArray<readonly [string, string]> }
  /** An IR version could not be applied (it did not parse or compile); the previous one keeps serving. */
  | { readonly t: 'failed'; readonly seq: number; readonly error: string }
  /** Answer to `status`. */
  | { readonly t: 'status'; readonly seq: number; readonly version: number }
  /** A log line of the worker's data plane, at or above the level the worker was started with. */
  | { readonly t: 'log'; readonly level: LogLevel; readonly msg: string; readonly fields?: Record<string, unknown> };

/** Reasons a worker is reported as lost or restarted, for logs and tests. */
export const WorkerEvent = {
  Exited: 'WorkerExited',
  ApplyFailed: 'WorkerApplyFailed',
  ApplyTimedOut: 'WorkerApplyTimedOut',
  Restarted: 'WorkerRestarted',
} as const;
/** One of WorkerEvent's values. */
export type WorkerEventReason = (typeof WorkerEvent)[keyof typeof WorkerEvent];

const LEVELS: ReadonlySet<string> = new Set(['debug', 'info', 'warn', 'error']);

/** A parse outcome: the message, or why it is not one. */
export type Parsed<T> = { readonly ok: true; readonly msg: T } | { readonly ok: false; readonly error: string };

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSeq(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function bad<T>(error: string): Parsed<T> {
  return { ok: false, error };
}

/** Checks a message received by a worker. */
export function parseToWorker(m: unknown): Parsed<ToWorker> {
  if (!isObj(m)) return bad('message is not an object');
  switch (m.t) {
    case 'apply':
      if (!isSeq(m.seq) || !isSeq(m.version) || typeof m.ir !== 'string') return bad('apply needs seq, version and ir (a JSON string)');
      return { ok: true, msg: { t: 'apply', seq: m.seq, version: m.version, ir: m.ir } };
    case 'status':
      if (!isSeq(m.seq)) return bad('status needs seq');
      return { ok: true, msg: { t: 'status', seq: m.seq } };
    case 'stop':
      return { ok: true, msg: { t: 'stop' } };
    default:
      return bad(`unknown message type ${JSON.stringify(m.t)}`);
  }
}

function isPairs(v: unknown): v is Array<[string, string]> {
  return Array.isArray(v) && v.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string');
}

/** Checks a message received by the primary from a worker. */
export function parseFromWorker(m: unknown): Parsed<FromWorker> {
  if (!isObj(m)) return bad('message is not an object');
  switch (m.t) {
    case 'ready':
      return { ok: true, msg: { t: 'ready' } };
    case 'applied':
      if (!isSeq(m.seq) || !isSeq(m.version) || !isPairs(m.bindErrors)) return bad('applied needs seq, version and bindErrors pairs');
      return { ok: true, msg: { t: 'applied', seq: m.seq, version: m.version, bindErrors: m.bindErrors } };
    case 'failed':
      if (!isSeq(m.seq) || typeof m.error !== 'string') return bad('failed needs seq and error');
      return { ok: true, msg: { t: 'failed', seq: m.seq, error: m.error } };
    case 'status':
      if (!isSeq(m.seq) || !isSeq(m.version)) return bad('status needs seq and version');
      return { ok: true, msg: { t: 'status', seq: m.seq, version: m.version } };
    case 'log':
      if (typeof m.level !== 'string' || !LEVELS.has(m.level) || typeof m.msg !== 'string') return bad('log needs level and msg');
      return { ok: true, msg: { t: 'log', level: m.level as LogLevel, msg: m.msg, fields: isObj(m.fields) ? m.fields : undefined } };
    default:
      return bad(`unknown message type ${JSON.stringify(m.t)}`);
  }
}
