/**
 * Which files hold manifests: the given files, and below given directories every `*.yaml`,
 * `*.yml` and `*.json`, skipping dotfiles and editor leftovers (`foo.yaml~`, `#foo.yaml#`, `.swp`).
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

const MANIFEST = /\.(ya?ml|json)$/i;

/** True when a file name looks like a manifest Gatehouse should read. */
export function isManifestName(name: string): boolean {
  const base = basename(name);
  if (base.startsWith('.') || base.startsWith('#') || base.endsWith('~')) return false;
  return MANIFEST.test(base);
}

/** Every manifest file under `paths`, sorted so loading order (and "first wins") is stable. */
export async function findManifests(paths: readonly string[]): Promise<{ files: string[]; missing: string[] }> {
  const files = new Set<string>();
  const missing: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch {
      missing.push(p);
      continue;
    }
    if (st.isDirectory()) for (const f of await walkDir(p)) files.add(f);
    else files.add(p); // a file named explicitly is read whatever its extension
  }
  return { files: [...files].sort(), missing };
}

async function walkDir(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out; // removed while walking: a later rescan sees the new state
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walkDir(full)));
    else if (e.isFile() && isManifestName(e.name)) out.push(full);
  }
  return out;
}
