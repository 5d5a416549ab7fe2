import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifests, formatDiagnostic, loadAndValidate } from './parse.ts';

const TWO_DOCS = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: r
spec:
  rules:
  - backendRefs:
    - name: web
      port: 80
`;

test('positions: value, ancestor fallback and key of an unknown field', () => {
  const { objects, diagnostics } = parseManifests(TWO_DOCS, 'm.yaml');
  assert.equal(diagnostics.length, 0);
  assert.equal(objects.length, 2);
  const r = objects[1];
  assert.equal(r.docIndex, 1);
  assert.deepEqual(r.position(['spec', 'rules', 0, 'backendRefs', 0, 'port']), { line: 17, col: 13 });
  // Missing field: the nearest existing ancestor (the backendRef item).
  assert.deepEqual(r.position(['spec', 'rules', 0, 'backendRefs', 0, 'weight']), { line: 16, col: 7 });
  // A list-valued field points at its key.
  assert.deepEqual(r.position(['spec', 'rules']), { line: 14, col: 3 });
  assert.deepEqual(r.position(['metadata', 'name'], { key: true }), { line: 12, col: 3 });
});

test('a YAML syntax error carries the library position and no path', () => {
  const { objects, diagnostics } = parseManifests('a: [1, 2\nb: c\n', 'bad.yaml');
  assert.equal(objects.length, 0);
  assert.equal(diagnostics.length > 0, true);
  assert.match(formatDiagnostic(diagnostics[0]), /^bad\.yaml:\d+:\d+: \S/);
  assert.equal(diagnostics[0].path, '');
});

test('JSON: a single object or a List', () => {
  const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } }] }, null, 2);
  const { objects } = parseManifests(list, 'l.json');
  assert.deepEqual(objects.map((o) => o.obj.metadata.name), ['a', 'b']);
  assert.equal(objects[1].position(['metadata', 'name']).line > objects[0].position(['metadata', 'name']).line, true);
  assert.equal(parseManifests('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}', 'o.json').objects.length, 1);
});

test('loadAndValidate keeps the valid objects of a file and reports the invalid one', () => {
  const text = TWO_DOCS.replace('port: 80\n---', 'port: 0\n---');
  const r = loadAndValidate(text, 'm.yaml');
  assert.deepEqual(r.objects.map((o) => o.obj.kind), ['HTTPRoute']);
  assert.deepEqual(r.diagnostics.map(formatDiagnostic), ['m.yaml:7:11: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive']);
  assert.deepEqual(r.rejected, ['/Service/default/web']);
});

test('a duplicate definition in one file is an error; unknown fields point at the key', () => {
  const doc = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n';
  const r = loadAndValidate(`${doc}---\n${doc}dta: {}\n`, 'd.yaml');
  assert.equal(r.objects.length, 1);
  assert.deepEqual(r.diagnostics.map(formatDiagnostic), ['d.yaml:10:1: dta: unknown field "dta"']);
  const dup = loadAndValidate(`${doc}---\n${doc}`, 'd.yaml');
  assert.equal(dup.objects.length, 1);
  assert.match(formatDiagnostic(dup.diagnostics[0]), /^d\.yaml:9:9: metadata\.name: ConfigMap c is defined twice/);
});
