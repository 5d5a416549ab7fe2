/**
 * Starting the Gatehouse under test: a child process (`bin/gatehouse.js run`, the default), an
 * in-process instance (--in-process, for tests), or an already running one (--gatehouse-admin).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot } from './corpus.ts';

/** A Gatehouse the harness talks to. */
export interface GatehouseUnderTest {
  adminUrl: string;
  /** Recent output of a child process (for error messages). */
  output(): string;
  stop(): Promise<void>;
}

/** How to start it. */
export interface LaunchOptions {
  mode: 'child' | 'in-process' | 'external';
  controllerName: string;
  /** For `external`. */
  adminUrl?: string;
  /** Child output lines go here (verbose mode). */
  onOutput?: (line: string) => void;
  readyTimeoutMs?: number;
  /** Loopback block the Gateways get their addresses from (`gatehouse run --address-pool`). */
  addressPool?: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, timeoutMs: number, alive: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const dead = alive();
    if (dead) throw new Error(dead);
    try {
      const res = await fetch(`${url}/readyz`);
      await res.arrayBuffer();
      if (res.ok) return;
      last = `readyz answered ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`Gatehouse admin API at ${url} not ready after ${timeoutMs} ms (${last})`);
}

function startChild(opts: LaunchOptions, port: number, dir: string): { child: ChildProcess; lines: string[] } {
  const args = [path.join(projectRoot, 'bin', 'gatehouse.js'), 'run', '--admin', `127.0.0.1:${port}`, '--controller-name', opts.controllerName, '-f', dir, ...(opts.addressPool ? ['--address-pool', opts.addressPool] : [])];
  const child = spawn(process.execPath, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const take = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      lines.push(line);
      if (lines.length > 200) lines.shift();
      opts.onOutput?.(line);
    }
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  return { child, lines };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Starts (or connects to) the Gatehouse under test and waits until its admin API is ready. */
export async function launchGatehouse(opts: LaunchOptions): Promise<GatehouseUnderTest> {
  const readyMs = opts.readyTimeoutMs ?? 30_000;
  if (opts.mode === 'external') {
    const url = (opts.adminUrl ?? '').replace(/\/$/, '');
    await waitReady(url, readyMs, () => undefined);
    return { adminUrl: url, output: () => '', stop: async () => {} };
  }
  // An empty watched directory: everything comes through the admin API.
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-conformance-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  if (opts.mode === 'in-process') {
    const spec = '../../cli/run.ts';
    const { startGatehouse } = await import(spec);
    const running = await startGatehouse({ files: [dir], admin: '127.0.0.1:0', controllerName: opts.controllerName, addressPool: opts.addressPool, logLevel: 'warn', allowRemoteAdmin: false });
    return {
      adminUrl: running.adminUrl,
      output: () => '',
      stop: async () => {
        await running.stop();
        removeDir();
      },
    };
  }
  const port = await freePort();
  const { child, lines } = startChild(opts, port, dir);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    removeDir();
  };
  try {
    await waitReady(url, readyMs, () => (child.exitCode !== null ? `Gatehouse exited with code ${child.exitCode}: ${lines.slice(-5).join(' | ')}` : undefined));
  } catch (err) {
    await stop();
    throw err;
  }
  return { adminUrl: url, output: () => lines.join('\n'), stop };
}
