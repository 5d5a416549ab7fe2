/**
 * The features Gatehouse claims for conformance, and the conformance profiles of features.json
 * (README §9): which tests count in a profile, as core or extended tests.
 */
import type { TestCase } from './types.ts';
import { SUPPORTED_FEATURES, type SupportedFeature } from '../translator/features.ts';

/**
 * The features Gatehouse claims. There is one list, the translator's: it is what the GatewayClass
 * publishes in status.supportedFeatures, and upstream's suite reads its claims from there too.
 */
export const CLAIMED_FEATURES = SUPPORTED_FEATURES;

/** One claimed feature name. */
export type ClaimedFeature = SupportedFeature;

/** The profiles Gatehouse reports unless --profiles says otherwise. */
export const DEFAULT_PROFILES: readonly string[] = ['GATEWAY-HTTP'];

/** A conformance profile: its core and extended feature names. */
export interface Profile {
  name: string;
  core: readonly string[];
  extended: readonly string[];
}

/** The profiles of a parsed features.json. */
export function profilesOf(featuresJson: any): Profile[] {
  return (featuresJson?.profiles ?? []).map((p: any) => ({
    name: String(p.name),
    core: [...(p.coreFeatures ?? [])],
    extended: [...(p.extendedFeatures ?? [])],
  }));
}

/** Where a test counts in a profile: `core`, `extended`, or undefined when it is not in the profile. */
export function levelIn(test: Pick<TestCase, 'features'>, profile: Profile): 'core' | 'extended' | undefined {
  const core = new Set(profile.core);
  const ext = new Set(profile.extended);
  if (!test.features.every((f) => core.has(f) || ext.has(f))) return undefined;
  return test.features.every((f) => core.has(f)) ? 'core' : 'extended';
}

/** Number of core and extended tests per profile. */
export function profileCounts(tests: Iterable<Pick<TestCase, 'features'>>, profiles: readonly Profile[]): Record<string, { core: number; extended: number }> {
  const out: Record<string, { core: number; extended: number }> = {};
  for (const p of profiles) out[p.name] = { core: 0, extended: 0 };
  for (const t of tests) {
    for (const p of profiles) {
      const level = levelIn(t, p);
      if (level) out[p.name][level]++;
    }
  }
  return out;
}

/**
 * The supported-feature set of a run (features.json `rules`): the claimed features, plus the core
 * features of every selected profile.
 */
export function supportedFeatureSet(claimed: Iterable<string>, selected: readonly Profile[]): Set<string> {
  const out = new Set(claimed);
  for (const p of selected) for (const f of p.core) out.add(f);
  return out;
}

/** The features of a test that are not supported (empty = the test runs). */
export function missingFeatures(test: Pick<TestCase, 'features'>, supported: ReadonlySet<string>): string[] {
  return test.features.filter((f) => !supported.has(f));
}
