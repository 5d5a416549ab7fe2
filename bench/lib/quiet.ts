/** Is the machine quiet? Other load on the box skews every number, so the report says how busy it was. */
import { readFileSync } from 'node:fs';
import { sleep } from './net.ts';

function cpuTimes(): { busy: number; total: number } | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] ?? 0);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** Percent of all CPUs busy over `ms` (Linux /proc/stat), or undefined where unavailable. */
export async function busyPercent(ms = 1000): Promise<number | undefined> {
  const a = cpuTimes();
  await sleep(ms);
  const b = cpuTimes();
  if (!a || !b || b.total === a.total) return undefined;
  return (100 * (b.busy - a.busy)) / (b.total - a.total);
}
