/**
 * `gatehouse validate -f PATH...`: checks manifests as the API server would, prints one
 * `file:line:col: path: reason` line per finding and a summary, and exits 1 on any error.
 */
import { readFile } from 'node:fs/promises';
import { findManifests } from '../provider/file/walk.ts';
import { loadAndValidate } from '../provider/file/load.ts';
import { formatDiagnostic } from '../provider/file/parse.ts';

/** Validates every manifest under `paths`; returns the exit code (0 valid, 1 errors). */
export async function validateCommand(paths: string[], out: (s: string) => void): Promise<number> {
  const { files, missing } = await findManifests(paths);
  let valid = 0;
  let errors = 0;
  const badFiles = new Set<string>();
  for (const m of missing) {
    out(`${m}: no such file or directory`);
    errors++;
    badFiles.add(m);
  }
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      out(`${file}: ${(err as Error).message}`);
      errors++;
      badFiles.add(file);
      continue;
    }
    const result = loadAndValidate(text, file);
    valid += result.objects.length;
    for (const d of result.diagnostics) {
      out(formatDiagnostic(d));
      if (d.severity === 'error') {
        errors++;
        badFiles.add(file);
      }
    }
  }
  out(`${valid} objects valid, ${errors} errors in ${badFiles.size} files`);
  return errors === 0 ? 0 : 1;
}
