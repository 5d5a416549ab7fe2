/**
 * Small shared pieces of the request ops: timeouts by TimeoutConfig name, abortable sleep,
 * address arithmetic (CalculateHost, Ipv6SafeHost, the `port` key), randomness, pod → backend.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { RunContext, Step } from '../types.ts';

/** Upstream TimeoutConfig defaults (ms) for the fields the request ops read. */
const DEFAULTS: Record<string, number> = {
  MaxTimeToConsistency: 30_000,
  RequestTimeout: 10_000,
  DefaultPollInterval: 100,
  DefaultTestTimeout: 60_000,
};

/** A TimeoutConfig field in ms: the configured value, else the upstream default. */
export function timeoutOf(ctx: Pick<RunContext, 'timeouts'>, field: string): number {
  const v = ctx.timeouts?.[field];
  if (typeof v === 'number' && v > 0) return v;
  const d = DEFAULTS[field];
  if (d === undefined) throw new Error(`harness: no default for timeout field ${field}`);
  return d;
}

/**
 * A duration given in a step as `<stem>Ms` with an optional `<stem>FromConfig` sibling: the
 * configured field wins over the literal default (corpus README §4.1).
 */
export function durationOf(ctx: Pick<RunContext, 'timeouts'>, obj: Record<string, any>, stem: string): number | undefined {
  const field = obj[`${stem}FromConfig`];
  if (typeof field === 'string' && ctx.timeouts?.[field] !== undefined) return timeoutOf(ctx, field);
  const ms = obj[`${stem}Ms`];
  return typeof ms === 'number' ? ms : undefined;
}

/** Resolves after ms, or rejects at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason ?? new Error('aborted'));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Splits "host:port" / "[v6]:port" / "host" into its parts (brackets removed from the host). */
export function splitHostPort(addr: string): { host: string; port: string } {
  if (addr.startsWith('[')) {
    const end = addr.indexOf(']');
    if (end < 0) return { host: addr, port: '' };
    const rest = addr.slice(end + 1);
    return { host: addr.slice(1, end), port: rest.startsWith(':') ? rest.slice(1) : '' };
  }
  const colons = addr.split(':').length - 1;
  if (colons === 1) {
    const i = addr.indexOf(':');
    return { host: addr.slice(0, i), port: addr.slice(i + 1) };
  }
  return { host: addr, port: '' }; // a bare host, or a bare IPv6 address
}

/** `http.Ipv6SafeHost`: brackets a host containing ':'. */
export function ipv6SafeHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Joins a host (possibly IPv6) and a port. */
export function joinHostPort(host: string, port: string | number): string {
  return `${ipv6SafeHost(host)}:${port}`;
}

/**
 * `http.CalculateHost`: the URL host for gwAddr — bare IPv6 gets brackets, the scheme's default
 * port is dropped, everything else is kept.
 */
export function calculateHost(gwAddr: string, scheme: string): string {
  if (!gwAddr.startsWith('[') && gwAddr.split(':').length > 2) return `[${gwAddr}]`;
  const { host, port } = splitHostPort(gwAddr);
  if (port === '') return gwAddr;
  if ((scheme === 'http' && port === '80') || (scheme === 'https' && port === '443')) return ipv6SafeHost(host);
  return gwAddr;
}

/** The address a request op targets: `gwAddr`, or its host with the step's `port` (helpers §12). */
export function targetAddress(step: Step, key = 'gwAddr'): string {
  const addr = step[key];
  if (typeof addr !== 'string' || addr === '') throw new Error(`harness: step ${step.op} has no string ${key}`);
  if (step.port === undefined || step.port === null) return addr;
  return joinHostPort(splitHostPort(addr).host, String(step.port));
}

/** A host for socket APIs: no brackets. */
export function socketHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** TLS SNI must not be an IP literal; Node warns and the server would see nothing anyway. */
export function sniName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  return isIP(socketHost(name)) ? undefined : name;
}

/** weight.AddRandomEntropy: half the time undefined, else a random integer 0..9999. */
export function randomEntropy(): number | undefined {
  return randomInt(2) === 0 ? undefined : randomInt(10_000);
}

/** A fresh random version-4 UUID, lower case. */
export function uuid(): string {
  return randomUUID();
}

/** extractBackendName: drop the last two '-'-separated parts of a pod name (kept whole if < 3 parts). */
export function backendOfPod(pod: string): string {
  const parts = pod.split('-');
  return parts.length < 3 ? pod : parts.slice(0, -2).join('-');
}

/** Deep copy of JSON data (expectations are mutated by MakeRequest's defaulting). */
export function cloneJson<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/** A short message for any thrown value. */
export function errText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    return code && !e.message.includes(code) ? `${code}: ${e.message}` : e.message;
  }
  return String(e);
}
