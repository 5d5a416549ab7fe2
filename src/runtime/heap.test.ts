import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { settleHeap } from './heap.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('settleHeap is a no-op where V8 does not expose gc', () => {
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'the test runner runs without --expose-gc');
  assert.equal(settleHeap('compact'), undefined);
});

test('settleHeap collects: the heap left after it is smaller than the garbage-laden one before', () => {
  // A child with --expose-gc builds and drops 50k objects, then settles; it prints what it measured.
  const script = `
    import { settleHeap } from ${JSON.stringify(join(root, 'src/runtime/heap.ts'))};
    let junk = Array.from({ length: 50_000 }, (_, i) => ({ i, s: 'x'.repeat(i % 64) }));
    const kept = junk.length;
    junk = undefined;
    const before = process.memoryUsage().heapUsed;
    const s = settleHeap('compact');
    const after = process.memoryUsage().heapUsed;
    console.log(JSON.stringify({ s, before, after, kept }));`;
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.ok(out.s && out.s.ms >= 0 && out.s.rssBeforeMiB > 0 && out.s.rssAfterMiB > 0, r.stdout);
  assert.ok(out.after < out.before - 1_000_000, `heap used ${out.before} → ${out.after}: the dropped objects were not collected`);
});

test('`gatehouse run` executes itself with --expose-gc and the young-generation cap, and settles once loaded', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-heap-'));
  try {
    writeFileSync(join(dir, 'class.yaml'), 'apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: gh}\nspec: {controllerName: gatehouse.dev/gateway-controller}\n');
    const { GATEHOUSE_SEMI_SPACE_MB: _, ...env } = process.env; // the default cap
    const child = spawn(process.execPath, [join(root, 'bin/gatehouse.js'), 'run', '-f', dir, '--admin', '127.0.0.1:0', '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let output = '';
    child.stdout.on('data', (b) => (output += b));
    child.stderr.on('data', (b) => (output += b));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      const deadline = Date.now() + 30_000;
      while (!/heap settled after the initial load: RSS \d+ → \d+ MiB/.test(output)) {
        assert.ok(Date.now() < deadline, `no "heap settled" line:\n${output}`);
        assert.equal(child.exitCode, null, `exited early:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
      assert.ok(argv.includes('--expose-gc'), argv.join(' '));
      assert.ok(argv.includes('--max-semi-space-size=4'), argv.join(' '));
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
