/**
 * The upstream ConformanceReport (corpus README §11): per selected profile, core and extended
 * statistics, results and summaries, plus the implementation block and succeeded provisional tests.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { levelIn, type Profile } from './features.ts';
import { projectRoot } from './runner/corpus.ts';
import type { TestCase } from './types.ts';

/** A test's outcome as the report counts it. */
export type ReportOutcome = 'passed' | 'failed' | 'skipped' | 'notSupported' | 'provisionalSkipped';

/** One executed (or excluded) test. */
export interface ReportEntry {
  test: Pick<TestCase, 'name' | 'features' | 'provisional'>;
  outcome: ReportOutcome;
}

/** Statistics of one level, with the capitalised keys upstream writes. */
export interface Statistics {
  Passed: number;
  Failed: number;
  Skipped: number;
}

/** One level (core or extended) of a profile report. */
export interface LevelReport {
  result: 'success' | 'partial' | 'failure';
  statistics: Statistics;
  failedTests?: string[];
  skippedTests?: string[];
  supportedFeatures?: string[];
  unsupportedFeatures?: string[];
}

/** One profile of the report. */
export interface ProfileReport {
  name: string;
  summary: string;
  core: LevelReport;
  extended?: LevelReport;
}

/** The implementation block. */
export interface Implementation {
  organization: string;
  project: string;
  url: string;
  version: string;
  contact: string[];
}

/** The whole report. */
export interface ConformanceReport {
  apiVersion: 'gateway.networking.k8s.io/v1';
  kind: 'ConformanceReport';
  implementation: Implementation;
  date: string;
  gatewayAPIVersion: string;
  gatewayAPIChannel: string;
  mode: string;
  profiles: ProfileReport[];
  succeededProvisionalTests?: string[];
}

interface Tally {
  stats: Statistics;
  failed: string[];
  skipped: string[];
  touched: boolean;
}

function newTally(): Tally {
  return { stats: { Passed: 0, Failed: 0, Skipped: 0 }, failed: [], skipped: [], touched: false };
}

function resultOf(s: Statistics): LevelReport['result'] {
  return s.Failed > 0 ? 'failure' : s.Skipped > 0 ? 'partial' : 'success';
}

function phrase(s: Statistics): string {
  if (s.Failed > 0) return `failed with ${s.Failed} test failures`;
  if (s.Skipped > 0) return `partially succeeded with ${s.Skipped} test skips`;
  return 'succeeded';
}

function level(t: Tally): LevelReport {
  const out: LevelReport = { result: resultOf(t.stats), statistics: { ...t.stats } };
  if (t.failed.length) out.failedTests = [...t.failed];
  if (t.skipped.length) out.skippedTests = [...t.skipped];
  return out;
}

/** Builds one profile's report, or undefined when no test of the profile counted. */
export function profileReport(profile: Profile, entries: readonly ReportEntry[], supported: ReadonlySet<string>): ProfileReport | undefined {
  const tallies = { core: newTally(), extended: newTally() };
  let any = false;
  for (const e of entries) {
    const lvl = levelIn(e.test, profile);
    if (!lvl || e.outcome === 'provisionalSkipped') continue;
    any = true;
    const t = tallies[lvl];
    if (e.outcome === 'passed') t.stats.Passed++;
    else if (e.outcome === 'failed') {
      t.stats.Failed++;
      t.failed.push(e.test.name);
    } else if (e.outcome === 'skipped') {
      t.stats.Skipped++;
      t.skipped.push(e.test.name);
    } else continue; // notSupported: not counted at all
    t.touched = true;
  }
  if (!any) return undefined;
  const core = level(tallies.core);
  let summary = `Core tests ${phrase(core.statistics)}.`;
  const out: ProfileReport = { name: profile.name, summary, core };
  if (tallies.extended.touched) {
    const ext = level(tallies.extended);
    ext.supportedFeatures = profile.extended.filter((f) => supported.has(f)).sort();
    ext.unsupportedFeatures = profile.extended.filter((f) => !supported.has(f)).sort();
    out.extended = ext;
    summary += ` Extended tests ${phrase(ext.statistics)}.`;
    out.summary = summary;
  }
  return out;
}

/** The default implementation block; version from package.json. */
export function gatehouseImplementation(): Implementation {
  let version = 'UNDEFINED';
  try {
    version = `v${JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')).version}`;
  } catch {
    // keep UNDEFINED: the report is still valid
  }
  return {
    organization: 'gatehouse',
    project: 'gatehouse',
    url: 'https://github.com/gatehouse/gatehouse',
    version,
    contact: ['https://github.com/gatehouse/gatehouse/issues'],
  };
}

/** RFC 3339 local time with offset, e.g. 2026-08-18T14:04:23+02:00. */
export function rfc3339(d: Date): string {
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`;
}

/** Inputs of buildReport. */
export interface ReportInput {
  entries: readonly ReportEntry[];
  profiles: readonly Profile[];
  supported: ReadonlySet<string>;
  implementation?: Implementation;
  date?: Date;
  gatewayAPIVersion?: string;
  gatewayAPIChannel?: string;
  mode?: string;
}

/** Builds the ConformanceReport of a run. */
export function buildReport(input: ReportInput): ConformanceReport {
  const profiles = input.profiles.map((p) => profileReport(p, input.entries, input.supported)).filter((p): p is ProfileReport => p !== undefined);
  const report: ConformanceReport = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'ConformanceReport',
    implementation: input.implementation ?? gatehouseImplementation(),
    date: rfc3339(input.date ?? new Date()),
    gatewayAPIVersion: input.gatewayAPIVersion ?? 'UNDEFINED',
    gatewayAPIChannel: input.gatewayAPIChannel ?? 'UNDEFINED',
    mode: input.mode ?? 'default',
    profiles,
  };
  const provisional = input.entries.filter((e) => e.outcome === 'passed' && e.test.provisional).map((e) => e.test.name).sort();
  if (provisional.length) report.succeededProvisionalTests = provisional;
  return report;
}

/** The report as YAML. */
export function reportYaml(report: ConformanceReport): string {
  return stringify(report);
}
