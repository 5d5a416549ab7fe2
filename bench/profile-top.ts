/**
 * Prints the top self-time frames of a V8 .cpuprofile (from `node --cpu-prof`), e.g. the Gatehouse
 * profile `npm run bench -- --scenario 1 --profile DIR` leaves in DIR.
 * Usage: node bench/profile-top.ts FILE.cpuprofile [N]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Self time per frame (function + file:line), in percent of all samples, highest first. */
export function topFrames(profile: { nodes: Node[] }, n: number): Array<{ frame: string; pct: number }> {
  const self = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    total += hits;
    const f = node.callFrame;
    const file = f.url.replace(/^.*\/(node_modules|src|bench)\//, '$1/').replace(/^node:/, 'node:');
    const key = `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + hits);
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([frame, hits]) => ({ frame, pct: (100 * hits) / Math.max(1, total) }));
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const [file, n] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node bench/profile-top.ts FILE.cpuprofile [N]\n');
    process.exit(2);
  }
  for (const { frame, pct } of topFrames(JSON.parse(readFileSync(file, 'utf8')), Number(n ?? 25))) {
    process.stdout.write(`${pct.toFixed(1).padStart(5)}%  ${frame}\n`);
  }
}
