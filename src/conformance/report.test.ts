import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { buildReport, profileReport, reportYaml, rfc3339, type ReportEntry } from './report.ts';
import type { Profile } from './features.ts';

const profile: Profile = { name: 'GATEWAY-HTTP', core: ['Gateway', 'HTTPRoute'], extended: ['HTTPRouteCORS', 'HTTPRouteRetry'] };
const core = (name: string, provisional = false) => ({ name, features: ['Gateway', 'HTTPRoute'], provisional });
const ext = (name: string, provisional = false) => ({ name, features: ['Gateway', 'HTTPRoute', 'HTTPRouteCORS'], provisional });
const other = (name: string, provisional = false) => ({ name, features: ['Gateway', 'TLSRoute'], provisional });
const supported = new Set(['Gateway', 'HTTPRoute', 'HTTPRouteCORS']);

test('core statistics, failed/skipped lists and results; not-supported tests are not counted', () => {
  const entries: ReportEntry[] = [
    { test: core('A'), outcome: 'passed' },
    { test: core('B'), outcome: 'failed' },
    { test: core('C'), outcome: 'skipped' },
    { test: core('D'), outcome: 'notSupported' },
    { test: core('E'), outcome: 'provisionalSkipped' },
  ];
  const r = profileReport(profile, entries, supported)!;
  assert.deepEqual(r.core.statistics, { Passed: 1, Failed: 1, Skipped: 1 });
  assert.equal(r.core.result, 'failure');
  assert.deepEqual(r.core.failedTests, ['B']);
  assert.deepEqual(r.core.skippedTests, ['C']);
  assert.equal(r.extended, undefined);
  assert.equal(r.summary, 'Core tests failed with 1 test failures.');
});

test('extended block only when an extended test counted; features split by support', () => {
  const entries: ReportEntry[] = [
    { test: core('A'), outcome: 'passed' },
    { test: ext('X'), outcome: 'skipped' },
    { test: ext('Y'), outcome: 'passed' },
  ];
  const r = profileReport(profile, entries, supported)!;
  assert.equal(r.core.result, 'success');
  assert.deepEqual(r.extended?.statistics, { Passed: 1, Failed: 0, Skipped: 1 });
  assert.equal(r.extended?.result, 'partial');
  assert.deepEqual(r.extended?.supportedFeatures, ['HTTPRouteCORS']);
  assert.deepEqual(r.extended?.unsupportedFeatures, ['HTTPRouteRetry']);
  assert.equal(r.summary, 'Core tests succeeded. Extended tests partially succeeded with 1 test skips.');
  const onlyNotSupported = profileReport(profile, [{ test: core('A'), outcome: 'passed' }, { test: ext('X'), outcome: 'notSupported' }], supported)!;
  assert.equal(onlyNotSupported.extended, undefined);
});

test('a profile with no counted test is left out; provisional passes are listed, sorted, even outside profiles', () => {
  const entries: ReportEntry[] = [
    { test: other('T', true), outcome: 'passed' },
    { test: core('Z', true), outcome: 'passed' },
    { test: core('Q', true), outcome: 'failed' },
  ];
  const rep = buildReport({ entries, profiles: [profile, { name: 'GATEWAY-UDP', core: ['Gateway', 'UDPRoute'], extended: [] }], supported, date: new Date(0) });
  assert.deepEqual(rep.profiles.map((p) => p.name), ['GATEWAY-HTTP']);
  assert.deepEqual(rep.succeededProvisionalTests, ['T', 'Z']);
  assert.equal(rep.implementation.organization, 'gatehouse');
  assert.match(rep.implementation.version, /^v\d+\.\d+\.\d+/);
  assert.ok(rep.implementation.contact.length >= 1);
});

test('the YAML carries the upstream field names, capitalised statistics and an RFC 3339 date', () => {
  const rep = buildReport({ entries: [{ test: core('A'), outcome: 'passed' }], profiles: [profile], supported });
  const doc = parse(reportYaml(rep));
  assert.equal(doc.apiVersion, 'gateway.networking.k8s.io/v1');
  assert.equal(doc.kind, 'ConformanceReport');
  assert.equal(doc.mode, 'default');
  assert.deepEqual(doc.profiles[0].core.statistics, { Passed: 1, Failed: 0, Skipped: 0 });
  assert.equal(doc.succeededProvisionalTests, undefined);
  assert.match(doc.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  assert.match(rfc3339(new Date(2026, 0, 2, 3, 4, 5)), /^2026-01-02T03:04:05[+-]\d\d:\d\d$/);
});
