/**
 * `npm run bench [-- --scenario 1,3 --duration 10 --warmup 2 --out FILE]`: Gatehouse side by side with
 * nginx, HAProxy and Node proxies (issue 6). Prints one markdown table per scenario and writes the whole
 * report to .gatehouse/bench/latest.md (gitignored) or --out. --profile DIR makes each Gatehouse process write
 * a CPU profile into DIR. Every process it starts is stopped at the end,
 * also on Ctrl-C and on errors. See bench/README.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { installCleanupHandlers, stop, stopAll, tasksetAvailable } from './lib/procs.ts';
import { ensureNodePeers, findTools, installHint, PROJECT_ROOT } from './lib/tools.ts';
import type { BenchContext, ScenarioOutput } from './scenarios/context.ts';
import { scenario1 } from './scenarios/s1-throughput.ts';
import { scenario2 } from './scenarios/s2-scale.ts';
import { scenario3 } from './scenarios/s3-propagation.ts';
import { scenario4 } from './scenarios/s4-changes.ts';
import { scenario5 } from './scenarios/s5-status.ts';
import type { Cpus } from './systems/system.ts';
import { configDir, GATEWAY_CLASS, startGatehouseProc, writeObjects } from './systems/gatehouse.ts';

const SCENARIOS: Record<number, (ctx: BenchContext) => Promise<ScenarioOutput>> = {
  1: scenario1,
  2: scenario2,
  3: scenario3,
  4: scenario4,
  5: scenario5,
};

const USAGE = `usage: npm run bench -- [--scenario 1,2,3,4,5] [--duration SECONDS] [--warmup SECONDS] [--out FILE] [--no-pin] [--profile DIR]`;

function parse(argv: string[]): { scenarios: number[]; durationS: number; warmupS: number; out: string; pin: boolean; profile: string | undefined } | string {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string', default: '1,2,3,4,5' },
        duration: { type: 'string', default: '10' },
        warmup: { type: 'string', default: '2' },
        out: { type: 'string', default: join(PROJECT_ROOT, '.gatehouse', 'bench', 'latest.md') },
        'no-pin': { type: 'boolean', default: false },
        profile: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    return `${(e as Error).message}\n${USAGE}`;
  }
  if (values.help) return USAGE;
  const scenarios = values.scenario!.split(',').map((s) => Number(s.trim()));
  const bad = scenarios.find((n) => !(n in SCENARIOS));
  if (bad !== undefined) return `unknown scenario "${bad}" (known: 1-5)\n${USAGE}`;
  const durationS = Number(values.duration);
  const warmupS = Number(values.warmup);
  if (!(durationS > 0) || !(warmupS >= 0)) return `--duration must be > 0 and --warmup >= 0 (seconds)\n${USAGE}`;
  return { scenarios, durationS, warmupS, out: resolve(values.out!), pin: !values['no-pin'], profile: values.profile === undefined ? undefined : resolve(values.profile) };
}

/** Proxy on CPU 0, load generator and backend on the rest, when taskset exists and there are ≥ 2 CPUs. */
function placeCpus(pin: boolean): Cpus {
  const n = availableParallelism();
  if (!pin || n < 2 || !tasksetAvailable()) return { proxy: undefined, load: undefined };
  return { proxy: '0', load: n === 2 ? '1' : `1-${n - 1}` };
}

async function main(): Promise<number> {
  const opts = parse(process.argv.slice(2));
  if (typeof opts === 'string') {
    process.stderr.write(opts + '\n');
    return 2;
  }
  installCleanupHandlers();
  // Every Gatehouse process started from here on writes a V8 CPU profile there (read it with bench/profile-top.ts).
  if (opts.profile !== undefined) process.env.BENCH_CPU_PROF = opts.profile;
  const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  const tools = findTools();
  const aptHint = installHint(Object.values(tools));
  if (aptHint) log(`missing: ${Object.values(tools).filter((t) => !t.path).map((t) => t.name).join(', ')} — install with:\n    ${aptHint}\n  (the peers that need them are skipped)`);
  const nodePeersSkip = ensureNodePeers(log);
  const cpus = placeCpus(opts.pin);
  const ctx: BenchContext = { tools, cpus, durationS: opts.durationS, warmupS: opts.warmupS, nodePeersSkip, aptHint, log };
  // The first start after a source change strips the TypeScript (loading Node's stripper, ~20 MiB of RSS)
  // and fills the compile cache; every later start reads the cache. Measure the later starts, as deployed.
  await warmCompileCache(log);
  const parts = [`# Gatehouse benchmark — ${new Date().toISOString()}\n\nNode ${process.version}, ${availableParallelism()} CPUs.`];
  try {
    for (const n of opts.scenarios) {
      log(`scenario ${n} ...`);
      let out: ScenarioOutput;
      try {
        out = await SCENARIOS[n](ctx);
      } catch (e) {
        out = { title: `Scenario ${n}`, markdown: `scenario ${n} failed: ${(e as Error).stack ?? e}` };
      }
      const section = `## ${out.title}\n\n${out.markdown}\n`;
      process.stdout.write(`\n${section}\n`);
      parts.push(section);
    }
  } finally {
    await stopAll();
  }
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, parts.join('\n'));
  log(`report written to ${opts.out}`);
  return 0;
}

/** Starts and stops `gatehouse run` once on a tiny config, so Gatehouse's modules are in the compile cache. */
async function warmCompileCache(log: (line: string) => void): Promise<void> {
  const dir = configDir('warm-compile-cache');
  writeObjects(join(dir, 'class.yaml'), [GATEWAY_CLASS]);
  const t0 = performance.now();
  const gh = await startGatehouseProc(dir, undefined, 'gatehouse-warm');
  await stop(gh.proc);
  log(`compile cache warmed (${Math.round(performance.now() - t0)} ms)`);
}

process.exitCode = await main();
