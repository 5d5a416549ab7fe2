/**
 * Running the selected tests in corpus order: deciding skip / not supported / provisional-skipped,
 * running the rest, printing one line per test and collecting the report entries.
 */
import type { ReportEntry, ReportOutcome } from '../report.ts';
import { missingFeatures } from '../features.ts';
import type { Corpus } from './corpus.ts';
import { runTest, type RunnerEnv } from './run.ts';

/** Inputs of runSuite. */
export interface SuiteOptions {
  corpus: Corpus;
  /** When non-empty, only these tests run; the others count as skipped. */
  runNames: string[];
  skipNames: string[];
  skipProvisional: boolean;
  failFast: boolean;
  knownFailures: ReadonlyMap<string, string>;
  /** When set, setup failed: every test that would run fails with this reason. */
  setupError: string;
  verbose: boolean;
  out(line: string): void;
  env: RunnerEnv;
}

/** Totals of a run; not-supported and provisional-skipped tests count as skipped. */
export interface SuiteResult {
  entries: ReportEntry[];
  passed: number;
  failed: number;
  skipped: number;
  /** How many of the skipped were not supported (a feature missing). */
  notSupported: number;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Decides why a test does not run, or undefined when it runs. */
export function exclusion(o: Pick<SuiteOptions, 'runNames' | 'skipNames' | 'skipProvisional'>, test: { name: string; features: string[]; provisional: boolean }, supported: ReadonlySet<string>): { outcome: ReportOutcome; why: string } | undefined {
  if (o.runNames.length && !o.runNames.includes(test.name)) return { outcome: 'skipped', why: 'not selected by --run' };
  if (o.skipNames.includes(test.name)) return { outcome: 'skipped', why: 'excluded by --skip' };
  const missing = missingFeatures(test, supported);
  if (missing.length) return { outcome: 'notSupported', why: `not supported (missing features: ${missing.join(', ')})` };
  if (o.skipProvisional && test.provisional) return { outcome: 'provisionalSkipped', why: 'provisional (--skip-provisional-tests)' };
  return undefined;
}

/** Runs the suite; never throws for a test's failure. */
export async function runSuite(o: SuiteOptions): Promise<SuiteResult> {
  const res: SuiteResult = { entries: [], passed: 0, failed: 0, skipped: 0, notSupported: 0 };
  const quietSkips = o.runNames.length > 0 && !o.verbose;
  for (const name of o.corpus.order) {
    const test = o.corpus.tests.get(name)!;
    const ex = exclusion(o, test, o.env.supportedFeatures);
    if (ex) {
      res.entries.push({ test, outcome: ex.outcome });
      res.skipped++;
      if (ex.outcome === 'notSupported') res.notSupported++;
      // With --run, hundreds of "not selected" lines would bury the result.
      if (!(quietSkips && ex.why === 'not selected by --run')) o.out(`SKIP  ${name}: ${ex.why}`);
      continue;
    }
    if (o.env.signal.aborted) break;
    if (o.setupError) {
      res.entries.push({ test, outcome: 'failed' });
      res.failed++;
      o.out(`FAIL  ${name}: ${o.setupError}`);
      continue;
    }
    if (o.verbose) o.out(`RUN   ${name}`);
    const outcome = await runTest(test, o.env);
    const known = o.knownFailures.get(name);
    if (outcome.result === 'passed') {
      res.passed++;
      res.entries.push({ test, outcome: 'passed' });
      o.out(`PASS  ${name} (${seconds(outcome.durationMs)})${known ? ' — listed in known-failures.yaml: remove it' : ''}`);
    } else {
      res.failed++;
      res.entries.push({ test, outcome: 'failed' });
      o.out(`FAIL  ${name} (${seconds(outcome.durationMs)})${known ? ` [known: ${known}]` : ''}: ${outcome.reason}`);
      if (outcome.failures.length > 1) o.out(`      (+${outcome.failures.length - 1} more failures)`);
      if (o.failFast) break;
    }
  }
  return res;
}
