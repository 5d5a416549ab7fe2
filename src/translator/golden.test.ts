/**
 * Golden tests: testdata/translator/<case>.in.yaml → <case>.ir.yaml + <case>.status.yaml.
 * Run with UPDATE_GOLDEN=1 to rewrite the expected files (then review them against the spec:
 * a golden file is a claim, not a recording). GOLDEN_CASE=prefix selects cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { groupOf, keyString } from '../api/object.ts';
import type { K8sObject } from '../api/object.ts';
import { kindInfo } from '../api/kinds.ts';
import { snapshotOf } from '../store/snapshot.ts';
import { translate } from './index.ts';
import { testAllocator } from './test-allocator.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = path.join(projectRoot, 'testdata', 'translator');
const update = process.env.UPDATE_GOLDEN === '1';
/** GOLDEN_CASE=prefix limits the run (and UPDATE_GOLDEN) to cases whose name starts with it. */
const only = process.env.GOLDEN_CASE ?? '';

/** Fixed environment of every case. Bind errors come from an optional x-bind-errors document. */
function envFor(bindErrors: Map<string, string>) {
  return {
    controllerName: 'gatehouse.dev/gateway-controller',
    version: 7,
    now: '2025-01-01T00:00:00Z',
    addresses: testAllocator(),
    bindErrors,
  };
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Parses a case: Kubernetes objects, plus `kind: BindErrors` (test-only) mapping "addr:port" → text. */
function load(file: string): { objects: K8sObject[]; bindErrors: Map<string, string> } {
  const objects: K8sObject[] = [];
  const bindErrors = new Map<string, string>();
  for (const doc of YAML.parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    const o = doc.toJS();
    if (!o) continue;
    if (o.kind === 'BindErrors') {
      for (const [k, v] of Object.entries(o.errors ?? {})) bindErrors.set(k, String(v));
      continue;
    }
    const info = kindInfo(groupOf(o.apiVersion), o.kind);
    if (!info) throw new Error(`${file}: unknown kind ${o.apiVersion} ${o.kind}`);
    if (info.namespaced) o.metadata.namespace ??= 'default';
    objects.push(deepFreeze(o));
  }
  return { objects, bindErrors };
}

function check(file: string, actual: string): void {
  if (update || !existsSync(file)) {
    writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `${path.basename(file)} differs (UPDATE_GOLDEN=1 rewrites it)`);
}

const cases = readdirSync(dir).filter((f) => f.endsWith('.in.yaml')).map((f) => f.slice(0, -'.in.yaml'.length)).filter((n) => n.startsWith(only)).sort();

test('golden cases exist', () => {
  assert.ok(cases.length > 0, `no cases in ${dir}`);
});

for (const name of cases) {
  test(`golden: ${name}`, () => {
    const { objects, bindErrors } = load(path.join(dir, `${name}.in.yaml`));
    const result = translate(snapshotOf(objects), envFor(bindErrors));
    const statuses = result.statuses.map((s) => ({ key: keyString(s.key), status: s.status }));
    check(path.join(dir, `${name}.ir.yaml`), YAML.stringify(result.ir, { aliasDuplicateObjects: false }));
    check(path.join(dir, `${name}.status.yaml`), YAML.stringify(statuses, { aliasDuplicateObjects: false }));
  });
}
