/**
 * conformance/known-failures.yaml: tests expected to fail for now, each with a reason. They still
 * count as failures; the log labels them "known" so a new failure stands out.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from './corpus.ts';

/** The default file. */
export const KNOWN_FAILURES_FILE: string = path.join(projectRoot, 'conformance', 'known-failures.yaml');

/** Test name → reason. A missing file is an empty list; a malformed one is an error naming the file. */
export function loadKnownFailures(file: string = KNOWN_FAILURES_FILE): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(file)) return out;
  const doc = parse(readFileSync(file, 'utf8'));
  const list = doc?.knownFailures ?? [];
  if (!Array.isArray(list)) throw new Error(`${file}: knownFailures must be a list of {name, reason}`);
  for (const [i, e] of list.entries()) {
    if (typeof e?.name !== 'string' || typeof e?.reason !== 'string') throw new Error(`${file}: knownFailures[${i}] needs a string name and reason`);
    out.set(e.name, e.reason);
  }
  return out;
}
