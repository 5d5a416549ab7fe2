/**
 * What the provider remembers about one file between changes, kept small: a digest of its text (to
 * skip an unchanged file without parsing it), its claims, and its diagnostics. Neither the text nor
 * the YAML tree is kept: positions are resolved while the tree is alive, for the errors that need
 * them, and the tree is garbage as soon as the file is loaded.
 */
import { createHash } from 'node:crypto';
import type { K8sObject } from '../../api/object.ts';
import { loadAndValidate, identity } from './load.ts';
import { objectDigest, type Claim } from './ownership.ts';
import type { Diagnostic } from './parse.ts';

/** The annotation naming the file an object came from. */
export const SOURCE_FILE_ANNOTATION = 'gatehouse.dev/source-file';

/** One file as last read. */
export interface FileState {
  /** Digest of the text. */
  readonly textDigest: string;
  /** Identity → this file's claim, in file order. */
  readonly claims: Map<string, Claim>;
  readonly diagnostics: Diagnostic[];
  /** The YAML did not parse: the claims are the previous version's, kept whole. */
  readonly syntaxError: boolean;
}

/** The digest of a file's text. */
export function textDigest(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

/**
 * Loads a file's new text into its next state. `prev` supplies what is kept: everything on a syntax
 * error, and the last good claim of each object that is now invalid.
 */
export function loadFileState(file: string, text: string, prev: FileState | undefined): FileState {
  const result = loadAndValidate(text, file);
  const digest = textDigest(text);
  if (result.syntaxError) {
    return { textDigest: digest, claims: prev?.claims ?? new Map(), diagnostics: result.diagnostics, syntaxError: true };
  }
  const claims = new Map<string, Claim>();
  for (const p of result.objects) {
    const obj = annotated(p.obj, file);
    // Without a YAML tree at hand the name's position is found if a conflict ever needs it.
    const pos = result.positionsAtHand ? p.position(['metadata', 'name']) : { line: 0, col: 0 };
    claims.set(identity(obj), { digest: objectDigest(obj), obj, line: pos.line, col: pos.col });
  }
  for (const id of result.rejected) {
    const last = prev?.claims.get(id);
    if (last && !claims.has(id)) claims.set(id, last);
  }
  return { textDigest: digest, claims, diagnostics: result.diagnostics, syntaxError: false };
}

/**
 * True when going from `prev` to `next` should wait for the writer to finish: the file vanished, does
 * not parse, or drops an object it defined. Those are also what a half-done save looks like (an editor
 * that renames the old file away first, a truncated write), while adding or changing objects is safe
 * to apply at once.
 */
export function needsConfirmation(prev: FileState | undefined, next: FileState | undefined): boolean {
  if (!next) return prev !== undefined;
  if (next.syntaxError) return true;
  if (!prev) return false;
  for (const id of prev.claims.keys()) if (!next.claims.has(id)) return true;
  return false;
}

/** A copy of `obj` carrying the source-file annotation (the parsed object is not shared with anything). */
function annotated(obj: K8sObject, file: string): K8sObject {
  return { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, [SOURCE_FILE_ANNOTATION]: file } } };
}
