import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasRepeatedKey, parseJsonDocuments } from './json-docs.ts';
import { loadAndValidate } from './load.ts';
import { parseManifests } from './parse.ts';

const cm = (name: string, extra = '') => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"}${extra}}`;

test('JSON documents between --- lines are parsed; anything else is left to the YAML path', () => {
  assert.deepEqual(parseJsonDocuments(`${cm('a')}\n---\n${cm('b')}\n`)?.map((d) => (d as any).metadata.name), ['a', 'b']);
  assert.deepEqual(parseJsonDocuments(`---\n${cm('a')}\n---\n\n...\n`)?.length, 1, 'empty documents are skipped');
  assert.equal(parseJsonDocuments('apiVersion: v1\nkind: ConfigMap\n'), undefined, 'YAML');
  assert.equal(parseJsonDocuments(`${cm('a')}\n--- # comment\n${cm('b')}`), undefined, 'a separator with more on its line');
  assert.equal(parseJsonDocuments(`{"a": 1,}`), undefined, 'not JSON');
  assert.equal(parseJsonDocuments(`[1, 2]`), undefined, 'not an object');
});

test('repeated keys are found at any depth, not across objects or inside strings', () => {
  assert.equal(hasRepeatedKey('{"a":1,"b":{"c":1,"c":2}}'), true);
  assert.equal(hasRepeatedKey('{"a":1, "a" :2}'), true);
  assert.equal(hasRepeatedKey('{"a":{"x":1},"b":{"x":1},"l":[{"x":1},{"x":2}]}'), false);
  assert.equal(hasRepeatedKey('{"a":"\\"a\\":","b":"{\\"a\\":1}"}'), false);
});

test('the JSON fast path reports errors at the same positions as the YAML path', () => {
  const text = `${cm('ok')}\n---\n{\n  "apiVersion": "v1",\n  "kind": "ConfigMap",\n  "metadata": {\n    "name": "Bad_Name"\n  }\n}\n`;
  const fast = loadAndValidate(text, 'f.json');
  assert.equal(fast.positionsAtHand, false, 'a JSON file takes the fast path');
  assert.deepEqual(fast.objects.map((o) => o.obj.metadata.name), ['ok']);
  assert.equal(fast.diagnostics.length, 1);
  assert.deepEqual([fast.diagnostics[0].line, fast.diagnostics[0].col, fast.diagnostics[0].path], [7, 13, 'metadata.name']);
  assert.deepEqual(fast.objects[0].position(['metadata', 'name']), parseManifests(text, 'f.json').objects[0].position(['metadata', 'name']));
  assert.deepEqual(fast.objects[0].position(['metadata', 'name']), { line: 1, col: 58 });
  const dup = loadAndValidate(cm('d', ',"data":{"k":"1","k":"2"}'), 'd.json');
  assert.equal(dup.positionsAtHand, true, 'a repeated key takes the YAML path');
  assert.equal(dup.syntaxError, true);
  assert.match(dup.diagnostics[0].message, /unique/i);
});
