/**
 * Test helpers for the admin API: a real Store behind a real server on 127.0.0.1:0, closed when the
 * test ends, and a one-line way to make a request and read the answer.
 */
import type { TestContext } from 'node:test';
import { Store } from '../store/store.ts';
import { startAdminServer, type AdminServerOptions } from './server.ts';

/** The answer to one request. */
export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/** A running test server. */
export interface TestAdmin {
  store: Store;
  url: string;
  activeWatches(): number;
  close(): Promise<void>;
  call(method: string, path: string, body?: unknown, contentType?: string): Promise<Answer>;
}

/** Starts a server for one test; it is closed when the test finishes. */
export async function testAdmin(t: TestContext, opts: Partial<AdminServerOptions> = {}): Promise<TestAdmin> {
  const store = opts.store ?? new Store();
  const server = await startAdminServer({ host: '127.0.0.1', port: 0, ...opts, store });
  t.after(() => server.close());
  const call = async (method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Answer> => {
    const res = await fetch(server.url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': contentType },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Plain-text answers (healthz) stay strings.
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return { store, url: server.url, call, activeWatches: () => server.activeWatches(), close: () => server.close() };
}

/** Path prefix of Gateway API v1 objects in a namespace. */
export const GW = '/apis/gateway.networking.k8s.io/v1/namespaces';

/** A minimal Gateway manifest. */
export function gateway(name: string, labels?: Record<string, string>, className = 'gc') {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: { gatewayClassName: className, listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
  };
}
