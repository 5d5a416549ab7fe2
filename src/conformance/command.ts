/**
 * `gatehouse conformance`: start Gatehouse, set the suite up, run the selected tests, print a
 * per-test log ending with "N passed, M failed, K skipped", and write the ConformanceReport.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AdminClient } from '../cli/client.ts';
import { DEFAULT_CONTROLLER_NAME } from '../cli/defaults.ts';
import { CLAIMED_FEATURES, DEFAULT_PROFILES, profilesOf, supportedFeatureSet } from './features.ts';
import { buildReport, reportYaml } from './report.ts';
import { defaultCorpusDir, loadCorpus } from './runner/corpus.ts';
import { buildTimeouts, parseTimeoutOverrides } from './runner/timeouts.ts';
import { launchGatehouse, type GatehouseUnderTest } from './runner/gatehouse.ts';
import { setupSuite, findExport, type SuiteState } from './runner/setup.ts';
import { loadKnownFailures } from './runner/known-failures.ts';
import { runSuite, type SuiteOptions } from './runner/suite.ts';
import { harnessCustomHandlers, harnessOps, kubernetesOps } from './ops/index.ts';
import type { ApplierConfig } from './runner/applier.ts';

const OPTIONS = {
  corpus: { type: 'string' },
  run: { type: 'string' },
  skip: { type: 'string' },
  profiles: { type: 'string' },
  'extra-features': { type: 'string', default: '' },
  report: { type: 'string' },
  'keep-going': { type: 'boolean', default: false },
  'fail-fast': { type: 'boolean', default: false },
  'gatehouse-admin': { type: 'string' },
  'in-process': { type: 'boolean', default: false },
  'timeout-scale': { type: 'string', default: '1' },
  'timeout-config-overrides': { type: 'string', default: '' },
  'usable-address': { type: 'string' },
  'unusable-address': { type: 'string', default: '192.0.2.1' },
  'skip-provisional-tests': { type: 'boolean', default: false },
  'no-cleanup': { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
} as const;

/** `gatehouse conformance` usage text. */
export const CONFORMANCE_USAGE = `gatehouse conformance [options]
  --corpus DIR               conformance corpus (default ../shared/conformance next to the project)
  --run NAME,...             run only these tests (the others are reported as skipped)
  --skip NAME,...            skip these tests
  --profiles P,...           profiles to report (default ${DEFAULT_PROFILES.join(',')})
  --extra-features F,...     also claim these features for this run (to develop a feature before claiming it)
  --report FILE              write the ConformanceReport YAML there
  --fail-fast                stop after the first failed test
  --keep-going               accepted for compatibility; continuing after failures is the default
  --gatehouse-admin URL      test an already running Gatehouse instead of starting one
  --in-process               start Gatehouse inside this process instead of as a child process
  --timeout-scale N          multiply every TimeoutConfig limit by N
  --timeout-config-overrides 'Field:seconds;...'
  --usable-address A,...     addresses GatewayStaticAddresses may request (default: one loopback address outside the run's pool)
  --unusable-address A,...   (default 192.0.2.1)
  --skip-provisional-tests   leave provisional tests out
  --no-cleanup               keep test objects after each test
  --verbose                  print every step's log and Gatehouse's output`;

function list(text: string | undefined): string[] {
  return (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** Runs the command; returns the exit code (0 only when no test failed). */
export async function conformanceCommand(argv: string[]): Promise<number> {
  const out = (s: string) => process.stdout.write(s + '\n');
  let values: any;
  try {
    values = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false }).values;
  } catch (err) {
    process.stderr.write(`gatehouse conformance: ${(err as Error).message}\n\n${CONFORMANCE_USAGE}\n`);
    return 2;
  }
  const scale = Number(values['timeout-scale']);
  if (!(scale > 0)) return usageError('--timeout-scale must be a positive number');
  let corpus;
  let overrides: Record<string, number>;
  try {
    corpus = loadCorpus(values.corpus ?? defaultCorpusDir());
    overrides = parseTimeoutOverrides(values['timeout-config-overrides']);
  } catch (err) {
    process.stderr.write(`gatehouse conformance: ${(err as Error).message}\n`);
    return 2;
  }
  const allProfiles = profilesOf(corpus.features);
  const profileNames = values.profiles ? list(values.profiles) : [...DEFAULT_PROFILES];
  const unknownProfile = profileNames.find((n) => !allProfiles.some((p) => p.name === n));
  if (unknownProfile) return usageError(`unknown profile ${unknownProfile} (known: ${allProfiles.map((p) => p.name).join(', ')})`);
  const selected = allProfiles.filter((p) => profileNames.includes(p.name));
  const runNames = list(values.run);
  const unknownTest = [...runNames, ...list(values.skip)].find((n) => !corpus.tests.has(n));
  if (unknownTest) return usageError(`no test named ${unknownTest} in ${corpus.dir}`);

  const supported = supportedFeatureSet([...CLAIMED_FEATURES, ...list(values['extra-features'])], selected);
  const timeouts = buildTimeouts(corpus.environment, scale, overrides);
  const controllerName = DEFAULT_CONTROLLER_NAME;
  const gatewayClassName = corpus.environment.flags?.['gateway-class'] ?? 'gateway-conformance';
  // Each run takes its own loopback block (127.N.0.0/24 for Gateways, 127.N.128.0/17 for pods), so two runs
  // on one machine (two developers, or a test beside a manual run) never compete for addresses.
  const block = 30 + Math.floor(Math.random() * 200);
  const addressPool = `127.${block}.0.0/24`;
  const podNetwork = `127.${block}.128.0/17`;
  const applierConfig: ApplierConfig = {
    gatewayClassName,
    controllerName,
    usableAddresses: values['usable-address'] ? list(values['usable-address']) : [`127.${block}.1.200`],
    unusableAddresses: list(values['unusable-address']),
  };
  const verbose = Boolean(values.verbose);
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);

  let gh: GatehouseUnderTest | undefined;
  let suite: SuiteState | undefined;
  // The summary is printed after teardown, so that it is the very last line whatever teardown logs.
  let summary = '0 passed, 1 failed, 0 skipped';
  let code = 1;
  try {
    const mode = values['gatehouse-admin'] ? 'external' : values['in-process'] ? 'in-process' : 'child';
    gh = await launchGatehouse({ mode, controllerName, addressPool, adminUrl: values['gatehouse-admin'], onOutput: verbose ? (l) => out(`  [gatehouse] ${l}`) : undefined });
    out(`Gatehouse admin API at ${gh.adminUrl}; corpus ${corpus.dir}; profiles ${profileNames.join(', ')}`);
    const admin = new AdminClient(gh.adminUrl);
    const base = { admin, environment: corpus.environment, corpusDir: corpus.dir, timeouts, requiredConsecutiveSuccesses: corpus.environment.requiredConsecutiveSuccesses ?? 3, supportedFeatures: supported, gatewayClassName, applierConfig, signal: abort.signal };
    let setupError = '';
    try {
      suite = await setupSuite({ ...base, controllerName, podNetwork, log: (l) => out(`setup: ${l}`) });
    } catch (err) {
      setupError = `suite setup failed: ${(err as Error).message}`;
      out(setupError);
      if (gh.output()) out(`Gatehouse output (last lines):\n${gh.output().split('\n').slice(-20).join('\n')}`);
    }
    const requests = await loadRequestRegistries(out);
    const opts: SuiteOptions = {
      corpus,
      runNames,
      skipNames: list(values.skip),
      skipProvisional: Boolean(values['skip-provisional-tests']),
      failFast: Boolean(values['fail-fast']),
      knownFailures: loadKnownFailures(),
      setupError,
      verbose,
      out,
      env: {
        ...base,
        workloads: suite?.workloads ?? (await import('./runner/setup.ts')).noWorkloads,
        controllerName: suite?.controllerName ?? controllerName,
        ops: { ...requests.ops, ...kubernetesOps },
        harnessOps,
        customHandlers: { ...requests.custom, ...harnessCustomHandlers },
        cleanup: !values['no-cleanup'],
        onLog: verbose ? (_test, line) => out(`      ${line}`) : undefined,
      },
    };
    const result = await runSuite(opts);
    if (values.report) {
      const report = buildReport({ entries: result.entries, profiles: selected, supported });
      writeFileSync(values.report, reportYaml(report));
      out(`report written to ${values.report}`);
    }
    out(`(skipped: ${result.notSupported} not supported, ${result.skipped - result.notSupported} excluded by name or provisional)`);
    summary = `${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped`;
    code = result.failed === 0 ? 0 : 1;
  } catch (err) {
    process.stderr.write(`gatehouse conformance: ${(err as Error).message}\n`);
  } finally {
    process.removeListener('SIGINT', onSignal);
    if (suite) {
      await suite.workloads.stop().catch(() => undefined);
      if (!values['no-cleanup']) await suite.baseApplier.cleanup().catch(() => undefined);
    }
    await gh?.stop().catch(() => undefined);
  }
  out(summary);
  return code;
}

function usageError(msg: string): number {
  process.stderr.write(`gatehouse conformance: ${msg}\n\n${CONFORMANCE_USAGE}\n`);
  return 2;
}

/** The request engineer's registries (src/conformance/requests/index.ts), or empty ones with a warning. */
async function loadRequestRegistries(out: (s: string) => void): Promise<{ ops: Record<string, any>; custom: Record<string, any> }> {
  const ops = await findExport(['../requests/index.ts'], 'requestOps');
  const custom = await findExport(['../requests/index.ts'], 'requestCustomHandlers');
  if (!ops) out('warning: src/conformance/requests/index.ts (requestOps) is missing: request ops will fail as unknown');
  return { ops: ops ?? {}, custom: custom ?? {} };
}
