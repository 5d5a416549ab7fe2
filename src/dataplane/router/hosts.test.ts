/**
 * HostTable.withExact: a table derived version after version (overlay, flattening) answers every lookup
 * exactly as a table built whole from the same names.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { HostTable } from './hosts.ts';

const NAMES = Array.from({ length: 60 }, (_, i) => `h${i}.test`);

test('a table derived through many versions looks up like one built whole', () => {
  const step = fc.record({ remove: fc.subarray(NAMES, { maxLength: 4 }), set: fc.subarray(NAMES, { maxLength: 4 }) });
  fc.assert(
    fc.property(fc.subarray(NAMES), fc.array(step, { maxLength: 60 }), (initial, steps) => {
      const want = new Map<string, string>(initial.map((h) => [h, `${h}@0`]));
      const build = () => {
        const t = new HostTable<string>();
        t.add('*.test', 'wild');
        for (const [h, v] of want) t.add(h, v);
        return t.seal();
      };
      let t = build();
      steps.forEach((s, i) => {
        const set = s.set.filter((h) => !s.remove.includes(h)).map((h) => [h, `${h}@${i + 1}`] as const);
        t = t.withExact(s.remove, set);
        for (const h of s.remove) want.delete(h);
        for (const [h, v] of set) want.set(h, v);
      });
      const whole = build();
      for (const h of [...NAMES, 'x.test', 'other']) assert.equal(t.lookup(h), whole.lookup(h), h);
      assert.deepEqual(t.values().sort(), whole.values().sort());
    }),
    { numRuns: 200 },
  );
});

test('deriving leaves the original table unchanged', () => {
  const t = new HostTable<string>();
  t.add('a.test', 'a');
  t.seal();
  const d = t.withExact(['a.test'], [['b.test', 'b']]);
  assert.equal(t.lookup('a.test'), 'a');
  assert.equal(t.lookup('b.test'), undefined);
  assert.equal(d.lookup('a.test'), undefined);
  assert.equal(d.lookup('b.test'), 'b');
});
