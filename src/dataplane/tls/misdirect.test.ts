/**
 * The 421 decision on the listener layout of the conformance base Gateway
 * same-namespace-with-https-listener (catch-all, exact, wildcard, and an exact name under the
 * wildcard, all on one port and sharing one certificate).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostTable } from '../router/hosts.ts';
import { isMisdirected } from './misdirect.ts';

function table(hostnames: readonly string[]): HostTable<string> {
  const t = new HostTable<string>();
  for (const h of hostnames) t.add(h, `listener(${h || 'any'})`);
  return t.seal();
}

const base = table(['fourth-example.wildcard.org', 'second-example.org', '*.wildcard.org', '']);

/** [sni, host, misdirected] */
const cases: [string | undefined, string, boolean][] = [
  ['example.org', 'example.org', false],
  ['example.org', 'second-example.org', true],
  ['example.org', 'unknown-example.org', false], // same catch-all listener: routed, 404 if no route
  ['second-example.org', 'second-example.org', false],
  ['second-example.org', 'example.org', true],
  ['second-example.org', 'unknown-example.org', true],
  ['third-example.wildcard.org', 'third-example.wildcard.org', false],
  ['third-example.wildcard.org', 'fith-example.wildcard.org', false],
  ['third-example.wildcard.org', 'fourth-example.wildcard.org', true],
  ['third-example.wildcard.org', 'second-example.org', true],
  ['third-example.wildcard.org', 'unknown-example.org', true],
  ['fourth-example.wildcard.org', 'fourth-example.wildcard.org', false],
  ['fourth-example.wildcard.org', 'fith-example.wildcard.org', true],
  ['unknown-example.org', 'example.org', false],
  ['unknown-example.org', 'unknown-example.org', false],
  // Host header details do not matter: port, case, trailing dot.
  ['second-example.org', 'Second-Example.org:443', false],
  ['second-example.org', 'second-example.org.', false],
  ['SECOND-example.org', 'example.org:8443', true],
  // No SNI: the TLS layer chose nothing, the Host decides alone.
  [undefined, 'second-example.org', false],
];

for (const [sni, host, want] of cases) {
  test(`SNI ${sni ?? '(none)'} + Host ${host} → ${want ? '421' : 'routed'}`, () => {
    assert.equal(isMisdirected(sni, host, base), want);
  });
}

test('a Host that no listener serves is not misdirected (the router answers 404)', () => {
  const noCatchAll = table(['a.example.com', '*.example.com']);
  assert.equal(isMisdirected('a.example.com', 'other.net', noCatchAll), false);
  assert.equal(isMisdirected('a.example.com', 'b.example.com', noCatchAll), true);
  assert.equal(isMisdirected('b.example.com', 'c.example.com', noCatchAll), false);
});

test('an SNI no listener serves is misdirected for any Host a listener serves', () => {
  const noCatchAll = table(['a.example.com']);
  assert.equal(isMisdirected('z.org', 'a.example.com', noCatchAll), true);
  assert.equal(isMisdirected('z.org', 'y.org', noCatchAll), false);
});

test('a missing or empty Host is left to the router', () => {
  assert.equal(isMisdirected('second-example.org', undefined, base), false);
  assert.equal(isMisdirected('second-example.org', '', base), false);
  assert.equal(isMisdirected(false, 'second-example.org', base), false);
});
