import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PeerCertificate } from 'node:tls';
import { goCheckServerIdentity } from './go-verify.ts';

const cert = (subjectaltname: string) => ({ subjectaltname, subject: { CN: 'ignored.example' } }) as unknown as PeerCertificate;

test('a wildcard SAN covers exactly one label, also directly under a TLD, as in Go', () => {
  assert.equal(goCheckServerIdentity('https-listener.org', cert('DNS:*.org, URI:*')), undefined);
  assert.equal(goCheckServerIdentity('a.wildcard.org', cert('DNS:*.wildcard.org')), undefined);
  assert.ok(goCheckServerIdentity('a.b.wildcard.org', cert('DNS:*.wildcard.org')));
  assert.ok(goCheckServerIdentity('wildcard.org', cert('DNS:*.wildcard.org')));
});

test('exact names are case-insensitive; the CN is never used; IPs match IP SANs only', () => {
  assert.equal(goCheckServerIdentity('Example.COM', cert('DNS:example.com')), undefined);
  assert.ok(goCheckServerIdentity('ignored.example', cert('DNS:other.example')));
  assert.equal(goCheckServerIdentity('127.0.0.1', cert('IP Address:127.0.0.1')), undefined);
  assert.ok(goCheckServerIdentity('127.0.0.1', cert('DNS:127.0.0.1')));
});
