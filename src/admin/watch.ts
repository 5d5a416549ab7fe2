/**
 * Watch streams: a chunked HTTP response of newline-delimited JSON events
 * (`{"type":"ADDED|MODIFIED|DELETED","object":{...}}`), the way kube-apiserver streams `?watch=true`.
 *
 * Without a resourceVersion (or with "0") the stream starts with an ADDED event per existing object,
 * then follows changes. With one it replays remembered events after it, or sends an ERROR event
 * (410 Expired) when that version is older than the history, and ends.
 *
 * With a label selector, a modification that moves an object into or out of the selection is sent as
 * ADDED or DELETED, as Kubernetes does, so a client's cache stays equal to "list with the selector".
 */
import type { ServerResponse } from 'node:http';
import type { K8sObject } from '../api/object.ts';
import { keyString, keyOf } from '../api/object.ts';
import type { KindInfo } from '../api/kinds.ts';
import type { Store, WatchEvent } from '../store/store.ts';
import type { WatchHub } from './watch-hub.ts';
import { selects, type Selection } from './selectors.ts';
import { statusObject } from './reply.ts';

/** A stream that has this many bytes waiting for a slow client is dropped; the client re-lists. */
const MAX_BUFFERED = 16 * 1024 * 1024;

/** What one watch request asked for. */
export interface WatchRequest {
  info: KindInfo;
  namespace?: string;
  name?: string;
  selection: Selection;
  /** The `resourceVersion` parameter; '' or '0' mean "from the current state". */
  resourceVersion?: string;
  /** Ends the stream after this many seconds (the `timeoutSeconds` parameter). */
  timeoutSeconds?: number;
  headers?: Record<string, string | string[]>;
}

/** Writes the watch response until the client goes away (or the server ends the stream). */
export function serveWatch(res: ServerResponse, store: Store, hub: WatchHub, w: WatchRequest): void {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private', ...w.headers });
  res.flushHeaders();
  const send = (type: string, object: unknown) => {
    if (res.writableEnded || res.destroyed) return;
    res.write(JSON.stringify({ type, object }) + '\n');
    if (res.writableLength > MAX_BUFFERED) res.end();
  };

  const inScope = (o: K8sObject) => {
    const k = keyOf(o);
    if (k.group !== w.info.group || k.kind !== w.info.kind) return false;
    if (w.namespace !== undefined && k.namespace !== w.namespace) return false;
    return w.name === undefined || k.name === w.name;
  };
  const resume = w.resourceVersion !== undefined && w.resourceVersion !== '' && w.resourceVersion !== '0';
  const since = resume ? Number(w.resourceVersion) : undefined;
  // Keys of the objects the client currently holds; unknown (undefined) when resuming from a version.
  const held = resume ? undefined : new Set<string>();

  const onEvent = (ev: WatchEvent) => {
    if (!inScope(ev.object)) return;
    const out = translate(ev, selects(w.selection, ev.object), held);
    if (out) send(out, ev.object);
  };
  const { past, unsubscribe } = hub.subscribe(onEvent, since);
  res.on('close', unsubscribe);

  if (past === undefined) {
    send('ERROR', statusObject(410, 'Expired', `too old resource version: ${w.resourceVersion}`));
    res.end();
    return;
  }
  if (resume) {
    for (const ev of past) onEvent(ev);
  } else {
    const listed = store.list(w.info.group, w.info.kind, { namespace: w.namespace });
    for (const o of listed) if (inScope(o)) onEvent({ type: 'ADDED', object: o });
  }
  if (w.timeoutSeconds !== undefined && w.timeoutSeconds > 0) {
    const t = setTimeout(() => res.end(), w.timeoutSeconds * 1000);
    res.on('close', () => clearTimeout(t));
  }
}

/**
 * The event type the client should see for a store event, given whether the object matches the
 * selection now and which objects the client holds; undefined when it should see nothing.
 */
export function translate(ev: WatchEvent, matches: boolean, held: Set<string> | undefined): WatchEvent['type'] | undefined {
  if (!held) return matches ? ev.type : undefined;
  const key = keyString(keyOf(ev.object));
  const had = held.has(key);
  if (ev.type === 'DELETED') {
    held.delete(key);
    return had ? 'DELETED' : undefined;
  }
  if (matches) {
    held.add(key);
    return had ? 'MODIFIED' : 'ADDED';
  }
  held.delete(key);
  return had ? 'DELETED' : undefined;
}
