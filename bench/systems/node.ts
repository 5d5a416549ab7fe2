/** The Node peers: plain http proxy, bare TCP pipe (reference), @fastify/http-proxy and http-proxy. */
import { join } from 'node:path';
import { start } from '../lib/procs.ts';
import { freePort, waitFor200 } from '../lib/net.ts';
import { BENCH_DIR, nodeBinary, PEERS_DIR } from '../lib/tools.ts';
import type { Cpus, RunningSystem, SystemDef } from './system.ts';
import type { BenchCert } from '../lib/tls.ts';

/** A Node server script started as `node SCRIPT PORT BACKEND_PORT [CERT KEY]`, pinned to the proxy CPU. */
function nodeScript(name: string, script: string, skip: string | undefined, tls?: BenchCert): SystemDef {
  return {
    name,
    skip,
    async start(backendPort: number, cpus: Cpus): Promise<RunningSystem> {
      const port = await freePort();
      const files = tls === undefined ? [] : [tls.certFile, tls.keyFile];
      const proc = start(name, nodeBinary(), [script, String(port), String(backendPort), ...files], { cpu: cpus.proxy });
      await waitFor200(`${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}/small`, 15_000).catch((e: Error) => {
        throw new Error(`${name} did not start: ${e.message}\n${proc.output()}`);
      });
      return { name, port, procs: [proc] };
    },
  };
}

/** `http` server + `http.request` with a keep-alive Agent: the baseline ratio target. */
export const plainNodeProxy = (tls?: BenchCert): SystemDef => nodeScript('node http (plain)', join(BENCH_DIR, 'servers', 'plain-proxy.ts'), undefined, tls);

/** Bare TCP pipe: Node's socket cost without any HTTP work (not a real proxy; shown for reference). */
export const tcpPipe = (): SystemDef => nodeScript('node TCP pipe (ref)', join(BENCH_DIR, 'servers', 'tcp-pipe.ts'), undefined);

/** @fastify/http-proxy (undici). `skip` carries the reason when the peers package is not installed. */
export const fastifyProxy = (skip: string | undefined): SystemDef => nodeScript('@fastify/http-proxy', join(PEERS_DIR, 'fastify-proxy.mjs'), skip);

/** http-proxy with a keep-alive agent. */
export const httpProxyPeer = (skip: string | undefined): SystemDef => nodeScript('http-proxy', join(PEERS_DIR, 'http-proxy.mjs'), skip);
