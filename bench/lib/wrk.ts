/**
 * Runs wrk (closed loop, maximum rate) and reads its numbers through a Lua `done` hook that prints JSON,
 * instead of scraping wrk's human-readable text.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDir, runToEnd } from './procs.ts';

/** One wrk measurement. */
export interface WrkResult {
  readonly rps: number;
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Socket errors (connect, read, write, timeout) plus non-2xx/3xx answers. */
  readonly errors: number;
}

const LUA = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
`;

let scriptPath: string | undefined;

/** Runs `wrk -t1 -cN -dS url` pinned to `cpu` and returns its measurement. */
export async function runWrk(wrk: string, url: string, connections: number, seconds: number, cpu?: string): Promise<WrkResult> {
  if (scriptPath === undefined) {
    scriptPath = join(runDir(), 'report.lua');
    writeFileSync(scriptPath, LUA);
  }
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '5s', '-s', scriptPath, url];
  const r = await runToEnd('wrk', wrk, args, { cpu });
  const m = /WRKJSON (\{.*\})/.exec(r.stdout);
  if (r.code !== 0 || !m) throw new Error(`wrk failed (exit ${r.code}): ${(r.stderr || r.stdout).slice(-1000)}`);
  const j = JSON.parse(m[1]) as { requests: number; durationUs: number; p50Us: number; p99Us: number; errors: number };
  return {
    rps: j.requests / (j.durationUs / 1e6),
    requests: j.requests,
    p50Ms: j.p50Us / 1000,
    p99Ms: j.p99Us / 1000,
    errors: j.errors,
  };
}
