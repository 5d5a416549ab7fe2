/**
 * The file provider: keeps the store in step with a set of manifest files and directories.
 *
 * Each file owns the objects it defines, and a change costs only the files it touches:
 * - an object no longer in its file is deleted;
 * - an object that became invalid keeps its last good version (the error is logged);
 * - a file with a YAML syntax error keeps everything it contributed before;
 * - a deleted file deletes its objects;
 * - an object defined by two files belongs to the one that had it first (or sorts first); the
 *   other file gets an error (see ownership.ts).
 *
 * Watching: node:fs watch on the directories (recursive) names the path that changed. A file renamed
 * into place (how editors and tools save atomically) is read, parsed and applied on the next turn of
 * the event loop when it only adds or changes objects. Everything else waits for a quiet period
 * (`debounceMs`) first: in-place writes ("change" events, which arrive while the writer is still
 * writing), and any change that would remove objects or does not parse, since that is also what a
 * half-done save looks like. Every event is checked again after the quiet period, and an event the
 * provider cannot place triggers a full rescan (which re-parses only files whose text changed).
 */
import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import type { Store } from '../../store/store.ts';
import { findManifests, isManifestName } from './walk.ts';
import { formatDiagnostic, parseManifests, type Diagnostic, type Position } from './parse.ts';
import { identity } from './load.ts';
import { loadFileState, needsConfirmation, textDigest, type FileState } from './file-state.ts';
import { Ownership } from './ownership.ts';

export { SOURCE_FILE_ANNOTATION } from './file-state.ts';

/** Options of the file provider. */
export interface FileProviderOptions {
  paths: string[];
  store: Store;
  log: (line: string) => void;
  /** Called after every applied change with all current diagnostics (errors and warnings). */
  onDiagnostics?: (diagnostics: Diagnostic[]) => void;
  /** Quiet time before in-place writes, removals and unparsable files are applied, in ms (default 50). */
  debounceMs?: number;
  /** Called each time a file's text is parsed (to observe that unchanged files are not). */
  onParse?: (file: string) => void;
}

/** One file's step from what was applied to what was just read. */
interface Step {
  file: string;
  prev: FileState | undefined;
  next: FileState | undefined;
}

/** Feeds the store from files and keeps it updated while the files change. */
export class FileProvider {
  private readonly opts: FileProviderOptions;
  /** The configured paths, normalized, without a trailing separator. */
  private readonly roots: string[];
  private readonly files = new Map<string, FileState>();
  private readonly ownership: Ownership;
  private watchers: FSWatcher[] = [];
  /** Paths named by rename events, handled on the next turn. */
  private urgent = new Set<string>();
  /** Paths to (re)check once the quiet period has passed. */
  private quiet = new Set<string>();
  private fullRescanDue = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** Every read-and-apply runs in this chain, one at a time. */
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(opts: FileProviderOptions) {
    this.opts = opts;
    this.roots = opts.paths.map((p) => normalize(p).replace(/(.)[\\/]+$/, '$1'));
    this.ownership = new Ownership({
      store: opts.store,
      log: opts.log,
      claimOf: (file, id) => this.files.get(file)?.claims.get(id),
      locate: (file, id) => locateName(file, id),
    });
  }

  /** Loads every file once, then starts watching. */
  async start(): Promise<void> {
    await this.rescan();
    for (const dir of this.watchRoots()) {
      try {
        const w = watch(dir, { recursive: true }, (type, name) => this.onEvent(dir, type, name));
        w.on('error', (err) => this.opts.log(`file provider: watch ${dir}: ${err.message}`));
        this.watchers.push(w);
      } catch (err) {
        this.opts.log(`file provider: cannot watch ${dir}: ${(err as Error).message}`);
      }
    }
  }

  /** Stops watching and waits for work in progress. Objects stay in the store. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    for (const w of this.watchers) w.close();
    this.watchers = [];
    await this.queue;
  }

  /** Re-reads every file now; only files whose text changed are parsed again. */
  rescan(): Promise<void> {
    return this.enqueue(async () => {
      const { files } = await findManifests(this.roots);
      await this.update([...new Set([...files, ...this.files.keys()])], true);
    });
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work).catch((err: Error) => this.opts.log(`file provider: ${err.message}`));
    this.queue = run;
    return run;
  }

  private onEvent(dir: string, type: string, name: string | null): void {
    if (this.stopped) return;
    if (name === null) {
      this.fullRescanDue = true; // the platform did not say what changed
    } else {
      const path = join(dir, name);
      if (type === 'rename') {
        this.urgent.add(path);
        this.immediate ??= setImmediate(() => this.flushUrgent());
      }
      this.quiet.add(path);
    }
    this.scheduleQuiet(true);
  }

  /** Arms the quiet-period timer; `restart` pushes it back (a new event: the writer is still busy). */
  private scheduleQuiet(restart: boolean): void {
    if (this.stopped || (this.timer && !restart)) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flushQuiet(), this.opts.debounceMs ?? 50);
  }

  private flushUrgent(): void {
    this.immediate = undefined;
    const paths = this.urgent;
    this.urgent = new Set();
    void this.enqueue(async () => this.update(await this.filesAt(paths), false));
  }

  private flushQuiet(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const paths = this.quiet;
    const full = this.fullRescanDue;
    this.quiet = new Set();
    this.fullRescanDue = false;
    if (full) void this.rescan();
    else void this.enqueue(async () => this.update(await this.filesAt(paths), true));
  }

  /** The manifest files a changed path stands for: tracked files at or below it, and what is there now. */
  private async filesAt(paths: Set<string>): Promise<string[]> {
    const out = new Set<string>();
    for (const path of paths) {
      let placed = false;
      for (const f of this.files.keys()) {
        if (f === path || f.startsWith(path + sep)) {
          out.add(f);
          placed = true;
        }
      }
      const st = statSync(path, { throwIfNoEntry: false });
      const found = st?.isDirectory() ? (await findManifests([path])).files : st?.isFile() ? [path] : [];
      for (const f of found) {
        if (!this.eligible(f)) continue;
        out.add(f);
        placed = true;
      }
      if (!placed && !this.eligible(path) && st !== undefined) this.fullRescanDue = true;
    }
    if (this.fullRescanDue) this.scheduleQuiet(false);
    return [...out];
  }

  /** True when `file` is one of the configured files or a manifest below a configured directory. */
  private eligible(file: string): boolean {
    for (const root of this.roots) {
      if (file === root) return true;
      if (!file.startsWith(root + sep)) continue;
      const rel = file.slice(root.length + 1).split(sep);
      if (rel.every((seg) => !seg.startsWith('.')) && isManifestName(file)) return true;
    }
    return false;
  }

  /** Directories to watch: each directory path, and the parent of each file path. */
  private watchRoots(): string[] {
    const roots = new Set<string>();
    for (const p of this.roots) {
      const st = statSync(p, { throwIfNoEntry: false });
      roots.add(st?.isDirectory() ? p : dirname(p)); // not there yet: watch where it would appear
    }
    return [...roots];
  }

  /**
   * Reads `files` and applies what changed. Unless `confirmed`, a step that needs confirmation is
   * put off until the quiet period instead.
   */
  private update(files: string[], confirmed: boolean): void {
    const steps: Step[] = [];
    for (const file of files.sort()) {
      const text = readText(file);
      const prev = this.files.get(file);
      if (text === undefined && !prev) continue;
      if (text !== undefined && prev?.textDigest === textDigest(text)) continue;
      const next = text === undefined ? undefined : this.load(file, text, prev);
      if (!confirmed && needsConfirmation(prev, next)) {
        this.quiet.add(file);
        this.scheduleQuiet(false);
        continue;
      }
      steps.push({ file, prev, next });
    }
    if (steps.length > 0) this.commit(steps);
  }

  private load(file: string, text: string, prev: FileState | undefined): FileState {
    this.opts.onParse?.(file);
    return loadFileState(file, text, prev);
  }

  /** Records the new states of a batch of files, then settles every object they touched. */
  private commit(steps: Step[]): void {
    const touched = new Set<string>();
    for (const { file, prev, next } of steps) {
      for (const d of next?.diagnostics ?? []) this.opts.log(formatDiagnostic(d));
      if (next) this.files.set(file, next);
      else this.files.delete(file);
      if (prev && next && prev.claims === next.claims) continue; // a syntax error keeps the claims as they are
      for (const id of next?.claims.keys() ?? []) {
        this.ownership.addClaimant(id, file);
        touched.add(id);
      }
      for (const id of prev?.claims.keys() ?? []) {
        if (next?.claims.has(id)) continue;
        this.ownership.removeClaimant(id, file);
        touched.add(id);
      }
    }
    for (const id of touched) {
      for (const d of this.ownership.settle(id)) this.opts.log(formatDiagnostic(d));
    }
    this.opts.onDiagnostics?.([...[...this.files.values()].flatMap((s) => s.diagnostics), ...this.ownership.allConflicts()]);
  }
}

/**
 * A file's text, or undefined when it cannot be read (gone: treated as deleted). Read synchronously:
 * manifests are small and in the page cache, and a round trip through the thread pool would cost
 * more than the read.
 */
function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Where `file` writes the name of object `id`, found by parsing it again (1:1 when it is not there). */
function locateName(file: string, id: string): Position {
  const text = readText(file);
  const found = text === undefined ? undefined : parseManifests(text, file).objects.find((p) => typeof p.obj.metadata?.name === 'string' && identity(p.obj) === id);
  return found?.position(['metadata', 'name']) ?? { line: 1, col: 1 };
}
