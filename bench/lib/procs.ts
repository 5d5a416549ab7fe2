/**
 * Every process the benchmark starts goes through here, so that every one of them is stopped at the end:
 * on normal exit, on an error, and on Ctrl-C. Processes are pinned to a CPU with `taskset` when it exists.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A started process with its recent output kept for error messages. */
export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  /** Last few KiB of stdout+stderr. */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
}

const live = new Set<Proc>();
let tmpRoot: string | undefined;
let hasTaskset: boolean | undefined;

/** Whether `taskset` is available to pin processes to a CPU. */
export function tasksetAvailable(): boolean {
  hasTaskset ??= spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
  return hasTaskset;
}

/** The directory for this run's config, pid and log files; removed at the end. */
export function runDir(): string {
  tmpRoot ??= mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  return tmpRoot;
}

/** Starts `cmd args` pinned to `cpu` (a taskset CPU list such as "0", or undefined for no pinning). */
export function start(name: string, cmd: string, args: string[], opts: { cpu?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Proc {
  const pinned = opts.cpu !== undefined && tasksetAvailable();
  const file = pinned ? 'taskset' : cmd;
  const argv = pinned ? ['-c', opts.cpu!, cmd, ...args] : args;
  const child = spawn(file, argv, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (b: Buffer) => {
    tail = (tail + b.toString()).slice(-8192);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.on('error', (err) => {
      keep(Buffer.from(`spawn error: ${err.message}\n`));
      resolve('spawn-error');
    });
  });
  const proc: Proc = { name, child, output: () => tail, exited };
  live.add(proc);
  void exited.then(() => live.delete(proc));
  return proc;
}

/** Stops one process: SIGTERM, then SIGKILL after `graceMs`. */
export async function stop(proc: Proc, graceMs = 3000): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

/** Stops every process still running and removes the temp dir. Safe to call more than once. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((p) => stop(p)));
  if (tmpRoot !== undefined && !process.env.BENCH_KEEP_TMP) rmSync(tmpRoot, { recursive: true, force: true });
  tmpRoot = undefined;
}

/** Last-resort synchronous kill for 'exit' handlers, where nothing async can run. */
function killAllNow(): void {
  for (const p of live) p.child.kill('SIGKILL');
  if (tmpRoot !== undefined && !process.env.BENCH_KEEP_TMP) rmSync(tmpRoot, { recursive: true, force: true });
}

/** Installs Ctrl-C / SIGTERM / exit handlers that stop every started process. */
export function installCleanupHandlers(): void {
  const onSignal = (sig: NodeJS.Signals) => {
    process.stderr.write(`\n${sig}: stopping every process the benchmark started\n`);
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', killAllNow);
}

/** Runs a command to completion (pinned like start()) and returns its exit status and output. */
export async function runToEnd(name: string, cmd: string, args: string[], opts: { cpu?: string } = {}): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const pinned = opts.cpu !== undefined && tasksetAvailable();
  const child = spawn(pinned ? 'taskset' : cmd, pinned ? ['-c', opts.cpu!, cmd, ...args] : args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | string>((r) => {
    child.on('close', (c, s) => r(c ?? s ?? 'unknown'));
    child.on('error', () => r('spawn-error'));
  });
  const proc: Proc = { name, child, output: () => '', exited };
  live.add(proc);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  child.on('error', (e) => (stderr += `spawn error: ${e.message}`));
  const code = await proc.exited;
  live.delete(proc);
  return { code, stdout, stderr };
}
