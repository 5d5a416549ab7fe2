/**
 * Finds the external programs the benchmark uses and says exactly how to install the missing ones, so a
 * missing peer is skipped with an instruction instead of failing obscurely.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Directory of the benchmark sources (bench/). */
export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
/** The project root. */
export const PROJECT_ROOT = dirname(BENCH_DIR);
/** The Node peers' own package (not a dependency of Gatehouse). */
export const PEERS_DIR = join(BENCH_DIR, 'peers');

/** An external program: where it is found and the Debian package that provides it. */
export interface Tool {
  readonly name: 'nginx' | 'haproxy' | 'wrk' | 'taskset';
  readonly debPackage: string;
  readonly path: string | undefined;
}

/** Looks a program up on PATH and in the sbin directories (Debian puts nginx/haproxy in /usr/sbin). */
function which(cmd: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/local/sbin']) {
    if (dir === '') continue;
    const p = join(dir, cmd);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** The programs the benchmark knows how to use. */
export function findTools(): Record<Tool['name'], Tool> {
  const mk = (name: Tool['name'], debPackage: string): Tool => ({ name, debPackage, path: which(name) });
  return {
    nginx: mk('nginx', 'nginx-light'),
    haproxy: mk('haproxy', 'haproxy'),
    wrk: mk('wrk', 'wrk'),
    taskset: mk('taskset', 'util-linux'),
  };
}

/** The one command that installs every missing tool, or undefined when nothing is missing. */
export function installHint(tools: Iterable<Tool>): string | undefined {
  const missing = [...tools].filter((t) => t.path === undefined).map((t) => t.debPackage);
  if (missing.length === 0) return undefined;
  return `sudo apt-get update && sudo apt-get install -y ${[...new Set(missing)].join(' ')}`;
}

/** Why a Node peer cannot run, or undefined when its node_modules is installed (installing it on demand first). */
export function ensureNodePeers(log: (s: string) => void): string | undefined {
  if (existsSync(join(PEERS_DIR, 'node_modules', 'fastify')) && existsSync(join(PEERS_DIR, 'node_modules', 'http-proxy'))) return undefined;
  log(`installing the Node peers into ${PEERS_DIR}/node_modules (npm install --prefix bench/peers) ...`);
  const r = spawnSync('npm', ['install', '--prefix', PEERS_DIR, '--no-audit', '--no-fund', '--loglevel=error'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) return `npm install --prefix bench/peers failed (exit ${r.status ?? r.error?.message}); run it by hand to see why`;
  return undefined;
}

/** The Node 24 binary the project pins (the one running this script when started through npm). */
export function nodeBinary(): string {
  const local = join(PROJECT_ROOT, 'node_modules', '.bin', 'node');
  return existsSync(local) ? local : process.execPath;
}
