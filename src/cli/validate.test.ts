import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateCommand } from './validate.ts';

test('the article route: a deprecation warning and the path.type error, verbatim', async () => {
  const out: string[] = [];
  const code = await validateCommand(['testdata/validation/article/route.yaml'], (s) => out.push(s));
  assert.equal(code, 1);
  assert.deepEqual(out, [
    'testdata/validation/article/route.yaml:1:13: warning: apiVersion: gateway.networking.k8s.io/v1alpha2 HTTPRoute is deprecated; read as gateway.networking.k8s.io/v1',
    'testdata/validation/article/route.yaml:11:15: spec.rules[0].matches[0].path.type: Unsupported value: "Prefix": supported values: "Exact", "PathPrefix", "RegularExpression" (did you mean "PathPrefix"?)',
    '0 objects valid, 1 errors in 1 files',
  ]);
});

test('a directory of valid manifests exits 0; dotfiles and editor leftovers are skipped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-validate-'));
  try {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n');
    writeFileSync(join(dir, 'cm.json'), '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}');
    writeFileSync(join(dir, '.hidden.yaml'), 'not: [valid');
    writeFileSync(join(dir, 'cm.yaml~'), 'not: [valid');
    const out: string[] = [];
    assert.equal(await validateCommand([dir], (s) => out.push(s)), 0);
    assert.deepEqual(out, ['2 objects valid, 0 errors in 0 files']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing path is an error', async () => {
  const out: string[] = [];
  assert.equal(await validateCommand(['/nonexistent/gatehouse'], (s) => out.push(s)), 1);
  assert.equal(out.at(-1), '0 objects valid, 1 errors in 1 files');
});
