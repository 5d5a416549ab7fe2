import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { runDir, start, stopAll } from './procs.ts';

test('stopAll stops every started process and removes the run dir', async () => {
  const dir = runDir();
  const a = start('sleeper-a', 'sleep', ['30']);
  const b = start('sleeper-b', 'sleep', ['30'], { cpu: '0' });
  assert.equal(a.child.exitCode, null);
  await stopAll();
  assert.equal(await a.exited, 'SIGTERM');
  assert.equal(await b.exited, 'SIGTERM');
  assert.equal(existsSync(dir), false);
});

test('a command that cannot be spawned reports it instead of throwing', async () => {
  const p = start('missing', '/nonexistent/definitely-not-here', []);
  assert.equal(await p.exited, 'spawn-error');
  assert.match(p.output(), /spawn error/);
});
