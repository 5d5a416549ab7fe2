/**
 * Which file's definition of an object the store holds, decided one object at a time.
 *
 * Every file claims the objects it defines. An object claimed by several files belongs to the file
 * that owns it already, else to the claimant that sorts first; the others get an error. `settle(id)`
 * brings the store in line with the claims on one object, so a change to one file costs work in
 * proportion to that file only.
 *
 * Memory: once the store holds a claim's object, the claim drops it and keeps only a digest to
 * compare against (the store has the object itself). Only claims that are not in the store (losers
 * of a conflict, or a write the store refused) keep their object, ready to be applied when they win.
 */
import { createHash } from 'node:crypto';
import type { K8sObject, ObjectKey } from '../../api/object.ts';
import type { Store } from '../../store/store.ts';
import { displayName } from './load.ts';
import type { Diagnostic, Position } from './parse.ts';

/** One file's claim on one object. */
export interface Claim {
  /** Digest of the object as the file defines it (with the source annotation). */
  readonly digest: string;
  /** The object to apply; dropped once the store holds it. */
  obj: K8sObject | undefined;
  /** Where the object's name is written (for conflict errors); 0 when not worked out yet. */
  readonly line: number;
  readonly col: number;
}

/** A short digest of an object's JSON: what "unchanged" is decided on. */
export function objectDigest(obj: K8sObject): string {
  return createHash('sha1').update(JSON.stringify(obj)).digest('base64');
}

/** What the store holds from the provider for one identity. */
interface Owned {
  file: string;
  digest: string;
}

/** What the ledger needs from the provider. */
export interface OwnershipHooks {
  store: Store;
  log: (line: string) => void;
  /** File `file`'s claim on `id`. */
  claimOf: (file: string, id: string) => Claim | undefined;
  /** Where `file` writes the name of object `id`, for a claim that did not record it. */
  locate: (file: string, id: string) => Position;
}

/** The ownership ledger: claimants per object, the owner the store holds, and conflicts. */
export class Ownership {
  private readonly store: Store;
  private readonly log: (line: string) => void;
  private readonly claimOf: OwnershipHooks['claimOf'];
  private readonly locate: OwnershipHooks['locate'];
  /** Identity → files claiming it, sorted by name. */
  private readonly claimants = new Map<string, string[]>();
  private readonly owners = new Map<string, Owned>();
  /** Identity → errors for the claims that lost. */
  private readonly conflicts = new Map<string, Diagnostic[]>();

  constructor(hooks: OwnershipHooks) {
    this.store = hooks.store;
    this.log = hooks.log;
    this.claimOf = hooks.claimOf;
    this.locate = hooks.locate;
  }

  /** Records that `file` claims `id` now (idempotent). */
  addClaimant(id: string, file: string): void {
    const list = this.claimants.get(id);
    if (!list) {
      this.claimants.set(id, [file]);
      return;
    }
    if (list.includes(file)) return;
    list.push(file);
    list.sort();
  }

  /** Records that `file` no longer claims `id`. */
  removeClaimant(id: string, file: string): void {
    const list = this.claimants.get(id);
    if (!list) return;
    const i = list.indexOf(file);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.claimants.delete(id);
  }

  /**
   * Makes the store agree with the claims on `id`: applies the winner's object when the store does
   * not hold it yet, deletes the object when nobody claims it any more, and records conflicts.
   * Returns the conflict errors that are new.
   */
  settle(id: string): Diagnostic[] {
    const list = this.claimants.get(id) ?? [];
    const owned = this.owners.get(id);
    const winner = owned && list.includes(owned.file) ? owned.file : list[0];
    const fresh = this.recordConflicts(id, list, winner);
    if (winner === undefined) {
      if (owned) this.remove(id);
      return fresh;
    }
    const claim = this.claimOf(winner, id)!;
    if (owned && owned.file === winner && owned.digest === claim.digest) {
      claim.obj = undefined; // the store holds exactly this
      return fresh;
    }
    if (!claim.obj) return fresh; // unreachable: a claim keeps its object until the store holds it
    try {
      this.store.apply(claim.obj);
    } catch (err) {
      this.log(`${winner}: ${claim.obj.kind} ${displayName(claim.obj)}: ${(err as Error).message}`);
      return fresh;
    }
    this.owners.set(id, { file: winner, digest: claim.digest });
    claim.obj = undefined;
    return fresh;
  }

  /** Every current conflict error. */
  allConflicts(): Diagnostic[] {
    return [...this.conflicts.values()].flat();
  }

  private remove(id: string): void {
    this.owners.delete(id);
    try {
      this.store.delete(keyOfIdentity(id));
    } catch {
      // Already gone (deleted through another path): nothing to undo.
    }
  }

  private recordConflicts(id: string, list: readonly string[], winner: string | undefined): Diagnostic[] {
    const before = this.conflicts.get(id);
    const now: Diagnostic[] = [];
    for (const file of list) {
      if (file === winner) continue;
      const c = this.claimOf(file, id);
      if (!c?.obj) continue;
      const at = c.line > 0 ? { line: c.line, col: c.col } : this.locate(file, id);
      now.push(conflict(file, at, c.obj, winner!));
    }
    if (now.length === 0) this.conflicts.delete(id);
    else this.conflicts.set(id, now);
    const seen = new Set((before ?? []).map((d) => `${d.file}\n${d.message}`));
    return now.filter((d) => !seen.has(`${d.file}\n${d.message}`));
  }
}

/** The key of an identity string "group/Kind/namespace/name" (names never contain "/"). */
export function keyOfIdentity(id: string): ObjectKey {
  const [group, kind, namespace, name] = id.split('/');
  return { group, kind, namespace, name };
}

function conflict(file: string, at: Position, obj: K8sObject, winner: string): Diagnostic {
  return {
    file,
    line: at.line,
    col: at.col,
    path: 'metadata.name',
    message: `${obj.kind} ${displayName(obj)} is already defined in ${winner}; this definition is ignored`,
    severity: 'error',
  };
}
