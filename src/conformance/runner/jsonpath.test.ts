import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalJsonPath, JsonPathError } from './jsonpath.ts';

const obj = {
  metadata: { generation: 3 },
  data: { 'ca.crt': 'PEM' },
  spec: { addresses: [{ type: 'IPAddress', value: '127.0.0.9' }, { type: 'Hostname', value: 'h.example' }] },
};

test('dotted fields, indexes and quoted keys', () => {
  assert.equal(evalJsonPath(obj, 'metadata.generation').value, 3);
  assert.equal(evalJsonPath(obj, "data['ca.crt']").value, 'PEM');
  assert.equal(evalJsonPath(obj, 'data["ca.crt"]').value, 'PEM');
  assert.deepEqual(evalJsonPath(obj, 'spec.addresses[1]').value, { type: 'Hostname', value: 'h.example' });
  assert.equal(evalJsonPath(obj, '{.metadata.generation}').value, 3);
});

test('[*] maps over a list', () => {
  const r = evalJsonPath(obj, 'spec.addresses[*].value');
  assert.equal(r.multi, true);
  assert.deepEqual(r.value, ['127.0.0.9', 'h.example']);
});

test('filters keep matching elements, with unquoted or quoted values', () => {
  assert.deepEqual(evalJsonPath(obj, 'spec.addresses[?(@.value==127.0.0.9)].type').value, ['IPAddress']);
  assert.deepEqual(evalJsonPath(obj, "spec.addresses[?(@.type=='Hostname')].value").value, ['h.example']);
  assert.deepEqual(evalJsonPath(obj, 'spec.addresses[?(@.value==nope)].type').value, []);
});

test('a missing segment is reported as not found', () => {
  assert.equal(evalJsonPath(obj, 'status.addresses').found, false);
  assert.equal(evalJsonPath(obj, 'spec.addresses[7]').found, false);
});

test('malformed paths are errors, not crashes', () => {
  assert.throws(() => evalJsonPath(obj, 'spec.addresses[1'), JsonPathError);
  assert.throws(() => evalJsonPath(obj, 'spec.addresses[?(@.a>1)]'), JsonPathError);
});
