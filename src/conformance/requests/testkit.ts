/**
 * Test support for the request ops (used only by *.test.ts): a RunContext with small timeouts and
 * an in-memory Workloads, and a minimal HTTP echo that follows the echo contract's JSON shape.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pod, RunContext, Step, Workloads } from '../types.ts';
import { requestOps } from './index.ts';
import { requestCustomHandlers } from './custom.ts';

/** In-memory pods and logs. */
export class FakeWorkloads implements Workloads {
  readonly podList: Pod[] = [];
  private readonly lines = new Map<string, string[]>();
  private readonly listeners = new Set<(pod: Pod, line: string) => void>();

  pods(namespace?: string, labels?: Record<string, string>): Pod[] {
    return this.podList.filter(
      (p) => (!namespace || p.namespace === namespace) && Object.entries(labels ?? {}).every(([k, v]) => p.labels[k] === v),
    );
  }
  logs(namespace: string, podName: string): string[] {
    return this.lines.get(`${namespace}/${podName}`) ?? [];
  }
  onLog(fn: (pod: Pod, line: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  async settled(): Promise<void> {}
  async stop(): Promise<void> {}

  /** Adds a pod of deployment `app`. */
  addPod(namespace: string, name: string, app: string): Pod {
    const pod: Pod = { name, namespace, ip: '127.0.0.1', labels: { app }, deployment: app };
    this.podList.push(pod);
    return pod;
  }
  /** Appends a log line and notifies watchers. */
  print(pod: Pod, line: string): void {
    const key = `${pod.namespace}/${pod.name}`;
    this.lines.set(key, [...(this.lines.get(key) ?? []), line]);
    for (const l of this.listeners) l(pod, line);
  }
}

/** A RunContext whose function bodies run through the request ops and custom handlers. */
export function fakeCtx(over: Partial<RunContext> = {}, testName = 'Test'): RunContext & { lines: string[] } {
  const lines: string[] = [];
  const ctx: RunContext & { lines: string[] } = {
    admin: undefined as any,
    workloads: new FakeWorkloads(),
    environment: {},
    timeouts: { MaxTimeToConsistency: 600, RequestTimeout: 400, DefaultPollInterval: 5, DefaultTestTimeout: 600 },
    requiredConsecutiveSuccesses: 3,
    supportedFeatures: new Set(),
    controllerName: 'test/controller',
    gatewayClassName: 'gc',
    test: { name: testName } as any,
    log: (l) => lines.push(l),
    callFunction: async (body: Step[], bindings?: Record<string, unknown>) => {
      let result: unknown;
      for (const step of body) {
        const s = bindings?.count === undefined ? step : JSON.parse(JSON.stringify(step).replaceAll('"$count"', String(bindings.count)));
        result = s.op === 'custom' ? await requestCustomHandlers[ctx.test.name]!(s, ctx) : await requestOps[s.op]!(s, ctx);
      }
      return result;
    },
    signal: new AbortController().signal,
    lines,
    ...over,
  };
  return ctx;
}

/** What the fake echo answers for one request; the default is the echo JSON. */
export type EchoBehaviour = (req: http.IncomingMessage, res: http.ServerResponse, echo: () => void) => void;

/** A minimal HTTP echo on 127.0.0.1:0 (echo-contract §2 JSON), with a hook per request. */
export async function startEcho(opts: { pod?: string; namespace?: string; behaviour?: EchoBehaviour; workloads?: FakeWorkloads; podRef?: Pod } = {}) {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    const echo = (): void => {
      opts.workloads?.print(opts.podRef!, `Echoing back request made to ${req.url} to client (${req.socket.remoteAddress})`);
      const headers: Record<string, string[]> = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const k = req.rawHeaders[i]!;
        if (k.toLowerCase() !== 'host') (headers[k] ??= []).push(req.rawHeaders[i + 1]!);
      }
      const body = { path: req.url, host: req.headers.host, method: req.method, proto: `HTTP/${req.httpVersion}`, headers, namespace: opts.namespace ?? 'ns', pod: opts.pod ?? 'backend-v1-abc12-xyz34', httpPort: '3000' };
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
      res.end(JSON.stringify(body, null, 1));
    };
    if (opts.behaviour) opts.behaviour(req, res, echo);
    else echo();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    addr: `127.0.0.1:${port}`,
    port,
    get hits() {
      return hits;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
