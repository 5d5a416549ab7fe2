import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { CLAIMED_FEATURES, levelIn, missingFeatures, profileCounts, profilesOf, supportedFeatureSet, type Profile } from './features.ts';
import { defaultCorpusDir, loadCorpus } from './runner/corpus.ts';

const http: Profile = { name: 'P', core: ['Gateway', 'HTTPRoute'], extended: ['HTTPRouteCORS'] };

test('a test is core when all its features are core, extended when some are extended, else outside', () => {
  assert.equal(levelIn({ features: ['Gateway', 'HTTPRoute'] }, http), 'core');
  assert.equal(levelIn({ features: ['Gateway', 'HTTPRouteCORS'] }, http), 'extended');
  assert.equal(levelIn({ features: ['Gateway', 'TLSRoute'] }, http), undefined);
});

test('selecting a profile adds its core features to the supported set', () => {
  const s = supportedFeatureSet(['HTTPRouteCORS'], [{ ...http, core: ['Gateway', 'TLSRoute'] }]);
  assert.deepEqual([...s].sort(), ['Gateway', 'HTTPRouteCORS', 'TLSRoute']);
  assert.deepEqual(missingFeatures({ features: ['Gateway', 'UDPRoute'] }, s), ['UDPRoute']);
});

test('claimed features are real feature names of features.json', { skip: !existsSync(defaultCorpusDir()) }, () => {
  const corpus = loadCorpus(defaultCorpusDir());
  const known = new Set(corpus.features.allFeatures.names);
  assert.deepEqual(CLAIMED_FEATURES.filter((f) => !known.has(f)), []);
});

// README §9, counted over the full 162-test suite.
const README_COUNTS: Record<string, [number, number]> = {
  'GATEWAY-HTTP': [38, 61], 'GATEWAY-TLS': [21, 16], 'GATEWAY-TCP': [20, 10], 'GATEWAY-UDP': [21, 10],
  'GATEWAY-GRPC': [16, 11], 'MESH-HTTP': [7, 7], 'MESH-GRPC': [3, 0],
};
const README_NO_PROFILE = ['GRPCRouteNamedRule', 'GRPCRouteRequestHeaderModifier', 'HTTPRouteDisallowedKind', 'MeshConsumerRoute', 'MeshFrontend', 'MeshFrontendHostname', 'MeshHTTPRoute303Redirect', 'MeshHTTPRoute307Redirect', 'MeshHTTPRoute308Redirect', 'MeshPorts'];

test('profile counts agree with README §9 (equal on the full corpus, never above on a partial copy)', { skip: !existsSync(defaultCorpusDir()) }, () => {
  const corpus = loadCorpus(defaultCorpusDir());
  const profiles = profilesOf(corpus.features);
  const counts = profileCounts(corpus.tests.values(), profiles);
  assert.deepEqual(Object.keys(counts).sort(), Object.keys(README_COUNTS).sort());
  const full = corpus.tests.size === 162;
  for (const [name, [core, ext]] of Object.entries(README_COUNTS)) {
    if (full) assert.deepEqual([counts[name].core, counts[name].extended], [core, ext], name);
    else {
      assert.ok(counts[name].core <= core && counts[name].extended <= ext, `${name}: ${JSON.stringify(counts[name])}`);
      assert.ok(counts[name].core + counts[name].extended > 0, name);
    }
  }
  const outside = [...corpus.tests.values()].filter((t) => profiles.every((p) => !levelIn(t, p))).map((t) => t.name);
  for (const n of outside) assert.ok(README_NO_PROFILE.includes(n), `${n} is in no profile but README does not say so`);
  if (full) assert.deepEqual(outside.sort(), [...README_NO_PROFILE].sort());
});
