import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dnsNameMatches, parseSubjectAltName, sanMatches } from './identity.ts';

test('parses node subjectaltname strings, quoted values included', () => {
  assert.deepEqual(parseSubjectAltName('DNS:a.example.com, URI:spiffe://x/y, IP Address:10.0.0.1'), [
    { kind: 'DNS', value: 'a.example.com' },
    { kind: 'URI', value: 'spiffe://x/y' },
    { kind: 'IP Address', value: '10.0.0.1' },
  ]);
  assert.deepEqual(parseSubjectAltName('URI:"http://a, b/\\"q\\"", DNS:c.example'), [
    { kind: 'URI', value: 'http://a, b/"q"' },
    { kind: 'DNS', value: 'c.example' },
  ]);
  assert.deepEqual(parseSubjectAltName(undefined), []);
});

test('certificate wildcards cover exactly one label', () => {
  assert.equal(dnsNameMatches('*.example.com', 'a.example.com'), true);
  assert.equal(dnsNameMatches('*.example.com', 'a.b.example.com'), false);
  assert.equal(dnsNameMatches('*.example.com', 'example.com'), false);
  assert.equal(dnsNameMatches('A.Example.com', 'a.example.COM'), true);
  assert.equal(dnsNameMatches('a.example.com', 'b.example.com'), false);
});

test('SAN matching: Hostname against DNS entries, URI exactly', () => {
  const entries = parseSubjectAltName('DNS:*.example.com, URI:spiffe://td/ns/a');
  assert.equal(sanMatches(entries, [{ type: 'Hostname', value: 'svc.example.com' }]), true);
  assert.equal(sanMatches(entries, [{ type: 'URI', value: 'spiffe://td/ns/a' }]), true);
  assert.equal(sanMatches(entries, [{ type: 'URI', value: 'spiffe://td/ns/b' }, { type: 'Hostname', value: 'other.org' }]), false);
  // A URI value is never matched against DNS entries, nor a hostname against URIs.
  assert.equal(sanMatches(parseSubjectAltName('URI:svc.example.com'), [{ type: 'Hostname', value: 'svc.example.com' }]), false);
});
