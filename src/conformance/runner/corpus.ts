/**
 * Loading the conformance corpus (a read-only directory, default `../shared/conformance` next to
 * the project root): environment.json, features.json, the tests and their manifests.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from '../../api/object.ts';
import type { TestCase } from '../types.ts';

/** The directory holding package.json. */
export const projectRoot: string = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));

function findProjectRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return start;
    dir = up;
  }
  return dir;
}

/** The corpus used when no --corpus is given. */
export function defaultCorpusDir(): string {
  return path.resolve(projectRoot, '..', 'shared', 'conformance');
}

/** A corpus problem (missing directory, unreadable or malformed file). */
export class CorpusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorpusError';
  }
}

/** The loaded corpus. */
export interface Corpus {
  dir: string;
  environment: any;
  features: any;
  /** Every test by name. */
  tests: Map<string, TestCase>;
  /** Test names in run order: mesh tests (meshTestOrder) first, then gateway tests by source file name. */
  order: string[];
}

function readJson(file: string): any {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CorpusError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CorpusError(`${file}: invalid JSON: ${(err as Error).message}`);
  }
}

/** Loads the corpus at `dir`; throws CorpusError naming the path when it is missing. */
export function loadCorpus(dir: string): Corpus {
  const abs = path.resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new CorpusError(`conformance corpus not found at ${abs} (use --corpus DIR)`);
  const environment = readJson(path.join(abs, 'environment.json'));
  const features = readJson(path.join(abs, 'features.json'));
  const tests = new Map<string, TestCase>();
  const testDir = path.join(abs, 'tests');
  if (!existsSync(testDir)) throw new CorpusError(`conformance corpus at ${abs} has no tests/ directory`);
  for (const f of readdirSync(testDir).filter((n) => n.endsWith('.json')).sort()) {
    const t = readJson(path.join(testDir, f)) as TestCase;
    if (typeof t?.name !== 'string' || !Array.isArray(t.steps)) throw new CorpusError(`${path.join(testDir, f)}: not a test (name and steps required)`);
    tests.set(t.name, t);
  }
  return { dir: abs, environment, features, tests, order: runOrder(tests, environment.meshTestOrder ?? []) };
}

/** Mesh tests in the given order, then the others by upstream source file name (then name). */
export function runOrder(tests: ReadonlyMap<string, TestCase>, meshOrder: readonly string[]): string[] {
  const mesh = meshOrder.filter((n) => tests.has(n));
  const meshSet = new Set(mesh);
  const rest = [...tests.values()]
    .filter((t) => !meshSet.has(t.name))
    .sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((t) => t.name);
  return [...mesh, ...rest];
}

/** Parses a multi-document manifest file (path relative to the corpus, e.g. "base/manifests.yaml" or "manifests/tests/x.yaml"). */
export function readManifest(corpusDir: string, rel: string): K8sObject[] {
  const file = path.join(corpusDir, rel);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CorpusError(`cannot read manifest ${file}: ${(err as Error).message}`);
  }
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new CorpusError(`${file}: ${doc.errors[0].message}`);
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue;
    if (typeof obj !== 'object' || !obj.kind || !obj.apiVersion || !obj.metadata?.name) throw new CorpusError(`${file}: a document is not a Kubernetes object`);
    out.push(obj as K8sObject);
  }
  return out;
}

/** Reads a test manifest as listed in a test ("tests/x.yaml", relative to manifests/). */
export function readTestManifest(corpusDir: string, listed: string): K8sObject[] {
  return readManifest(corpusDir, path.join('manifests', listed));
}
