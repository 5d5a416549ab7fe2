/**
 * The file provider: keeps the store in step with a set of manifest files and directories.
 *
 * Each file owns the objects it defines. On every change the provider re-reads the files, works
 * out what each file should contribute, and applies only the difference:
 * - an object no longer in its file is deleted;
 * - an object that became invalid keeps its last good version (the error is logged);
 * - a file with a YAML syntax error keeps everything it contributed before;
 * - a deleted file deletes its objects;
 * - an object defined by two files belongs to the one that had it first (or sorts first); the
 *   other file gets an error.
 * Watching uses node:fs watch on the directories (recursive), debounced, followed by a full
 * rescan, which also copes with editors that save by renaming a new file over the old one.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { K8sObject } from '../../api/object.ts';
import { keyOf } from '../../api/object.ts';
import type { Store } from '../../store/store.ts';
import { findManifests } from './walk.ts';
import { loadAndValidate, identity, displayName, type LoadResult } from './load.ts';
import { formatDiagnostic, type Diagnostic, type Position } from './parse.ts';

/** The annotation naming the file an object came from. */
export const SOURCE_FILE_ANNOTATION = 'gatehouse.dev/source-file';

/** Options of the file provider. */
export interface FileProviderOptions {
  paths: string[];
  store: Store;
  log: (line: string) => void;
  /** Called after every rescan with all current diagnostics (errors and warnings). */
  onDiagnostics?: (diagnostics: Diagnostic[]) => void;
  /** Quiet time after a file event before rescanning, in ms (default 50). */
  debounceMs?: number;
}

interface FileState {
  text: string;
  result: LoadResult;
  /** Identity → the object this file last contributed (as applied, with the annotation). */
  applied: Map<string, K8sObject>;
}

/** Feeds the store from files and keeps it updated while the files change. */
export class FileProvider {
  private readonly opts: FileProviderOptions;
  private files = new Map<string, FileState>();
  /** Identity → owning file. */
  private owners = new Map<string, string>();
  private loggedConflicts = new Set<string>();
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private dirty = false;
  private stopped = false;

  constructor(opts: FileProviderOptions) {
    this.opts = opts;
  }

  /** Loads every file once, then starts watching. */
  async start(): Promise<void> {
    await this.rescan();
    for (const dir of await this.watchRoots()) {
      try {
        const w = watch(dir, { recursive: true }, () => this.schedule());
        w.on('error', (err) => this.opts.log(`file provider: watch ${dir}: ${err.message}`));
        this.watchers.push(w);
      } catch (err) {
        this.opts.log(`file provider: cannot watch ${dir}: ${(err as Error).message}`);
      }
    }
  }

  /** Stops watching and waits for a rescan in progress. Objects stay in the store. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
    this.watchers = [];
    await this.running;
  }

  /** Re-reads everything now (also what a file event triggers after the debounce). */
  rescan(): Promise<void> {
    if (this.running) {
      this.dirty = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.dirty = false;
        await this.scanOnce();
      } while (this.dirty && !this.stopped);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.rescan(), this.opts.debounceMs ?? 50);
  }

  /** Directories to watch: each directory path, and the parent of each file path. */
  private async watchRoots(): Promise<string[]> {
    const roots = new Set<string>();
    for (const p of this.opts.paths) {
      try {
        roots.add((await stat(p)).isDirectory() ? p : dirname(p));
      } catch {
        roots.add(dirname(p)); // not there yet: watch where it would appear
      }
    }
    return [...roots];
  }

  private async scanOnce(): Promise<void> {
    const { files } = await findManifests(this.opts.paths);
    const next = new Map<string, FileState>();
    for (const file of files) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        continue; // vanished between listing and reading: treated as deleted
      }
      const prev = this.files.get(file);
      if (prev && prev.text === text) {
        next.set(file, prev);
        continue;
      }
      const result = loadAndValidate(text, file);
      for (const d of result.diagnostics) this.opts.log(formatDiagnostic(d));
      next.set(file, { text, result, applied: prev?.applied ?? new Map() });
    }
    this.reconcile(next);
  }

  /** Works out each file's contribution and applies the difference to the store. */
  private reconcile(next: Map<string, FileState>): void {
    const desired = new Map<string, Claim>();
    const claims = new Map<string, Claim[]>();
    for (const [file, st] of next) {
      for (const [id, claim] of this.contribution(file, st)) {
        const list = claims.get(id) ?? [];
        list.push(claim);
        claims.set(id, list);
      }
    }
    const conflicts: Diagnostic[] = [];
    for (const [id, list] of claims) {
      const winner = list.find((c) => c.file === this.owners.get(id)) ?? list[0];
      desired.set(id, winner);
      for (const c of list) if (c !== winner) conflicts.push(conflict(c, winner.file));
    }
    this.applyDesired(next, desired);
    this.files = next;
    this.logConflicts(conflicts);
    this.opts.onDiagnostics?.([...[...next.values()].flatMap((s) => s.result.diagnostics), ...conflicts]);
  }

  /** What one file should put in the store now (identity → object with the source annotation). */
  private contribution(file: string, st: FileState): Map<string, Claim> {
    const out = new Map<string, Claim>();
    const keep = (id: string): void => {
      const lastGood = st.applied.get(id);
      if (lastGood && !out.has(id)) out.set(id, { file, obj: lastGood });
    };
    if (st.result.syntaxError) {
      for (const id of st.applied.keys()) keep(id);
      return out;
    }
    for (const p of st.result.objects) {
      const obj = structuredClone(p.obj);
      obj.metadata = { ...obj.metadata, annotations: { ...obj.metadata.annotations, [SOURCE_FILE_ANNOTATION]: p.file } };
      out.set(identity(obj), { file, obj, pos: p.position(['metadata', 'name']) });
    }
    for (const id of st.result.rejected) keep(id);
    return out;
  }

  private applyDesired(next: Map<string, FileState>, desired: Map<string, Claim>): void {
    const { store, log } = this.opts;
    // What the store holds from us now; read before the per-file maps are rebuilt (an unchanged
    // file's state object is shared between the old and the new generation).
    const before = new Map<string, K8sObject>();
    for (const [id, owner] of this.owners) {
      const o = this.files.get(owner)?.applied.get(id);
      if (o) before.set(id, o);
    }
    for (const [id, last] of before) {
      if (desired.has(id)) continue;
      try {
        store.delete(storeKey(last));
      } catch {
        // Already gone (deleted through another path): nothing to undo.
      }
    }
    this.owners = new Map();
    for (const st of next.values()) st.applied = new Map();
    for (const [id, { file, obj }] of desired) {
      const prev = before.get(id);
      if (!prev || JSON.stringify(prev) !== JSON.stringify(obj)) {
        try {
          store.apply(obj);
        } catch (err) {
          log(`${file}: ${obj.kind} ${displayName(obj)}: ${(err as Error).message}`);
          continue;
        }
      }
      next.get(file)!.applied.set(id, obj);
      this.owners.set(id, file);
    }
  }

  private logConflicts(conflicts: Diagnostic[]): void {
    const now = new Set(conflicts.map(formatDiagnostic));
    for (const line of now) if (!this.loggedConflicts.has(line)) this.opts.log(line);
    this.loggedConflicts = now;
  }
}

function storeKey(obj: K8sObject) {
  const k = keyOf(obj);
  return { ...k, namespace: identityNamespace(obj) };
}

/** The namespace as stored: identity() already decided whether the kind is namespaced. */
function identityNamespace(obj: K8sObject): string {
  return identity(obj).split('/')[2];
}

/** One file's claim on an object, with where its name is written when known. */
interface Claim {
  file: string;
  obj: K8sObject;
  pos?: Position;
}

function conflict(c: Claim, winner: string): Diagnostic {
  return {
    file: c.file,
    line: c.pos?.line ?? 1,
    col: c.pos?.col ?? 1,
    path: 'metadata.name',
    message: `${c.obj.kind} ${displayName(c.obj)} is already defined in ${winner}; this definition is ignored`,
    severity: 'error',
  };
}
