import type { ObjectKey } from '../api/object.ts';
import type { IR } from '../ir/types.ts';

/**
 * Gives each Gateway the address it listens on. Owned by the runtime (addresses must stay stable
 * across translations); the translator only asks. Implementations are deterministic.
 */
export interface AddressAllocator {
  /**
   * The address for Gateway "namespace/name". `requested` is spec.addresses; an empty list means
   * "pick one from the pool", and so does an entry with an empty value. `addresses`, when present,
   * lists every address granted (the Gateway is bound to all of them; `address` is the first).
   */
  assign(gateway: string, requested: ReadonlyArray<{ type?: string; value: string }>):
    | { ok: true; address: string; addresses?: readonly string[] }
    | { ok: false; reason: string; message: string };
}

/** Everything a translation depends on besides the snapshot. */
export interface TranslateEnv {
  /** The GatewayClass controllerName this Gatehouse serves. */
  controllerName: string;
  /** Version stamped on the produced IR. */
  version: number;
  /** RFC 3339 time used for lastTransitionTime of conditions that change in this translation. */
  now: string;
  addresses: AddressAllocator;
  /** Sockets the data plane failed to bind: "address:port" → reason text (e.g. "EACCES: permission denied"). */
  bindErrors: ReadonlyMap<string, string>;
}

/** The status subresource the translator computed for one object. */
export interface StatusUpdate {
  key: ObjectKey;
  /** The complete new status (entries of other controllers preserved from the input). */
  status: unknown;
}

/** What changed in the store since the previous translation of an incremental translator. */
export interface ChangeSet {
  /** keyString(keyOf(obj)) ("group/Kind/namespace/name") of every object added, modified or deleted, status writes included. */
  readonly keys: ReadonlySet<string>;
  /**
   * Keys of objects whose only change is a status write of ours, with the status the previous result
   * gave them (keys also in `keys` count as changed). A translator skips routes among them: it computed
   * that very status, so a caller may leave route kinds out (after a full translation they are every route).
   */
  readonly ownStatus?: ReadonlySet<string>;
}

export interface TranslateResult {
  ir: IR;
  /**
   * One entry per object whose status this controller owns; written only when it differs. When
   * `partial` is set, only the objects whose status may have changed since the previous result of the
   * same incremental translator (every other status is the one computed then).
   */
  statuses: StatusUpdate[];
  /** Set by an incremental translator that patched its previous result: `statuses` holds only the objects the change touched. */
  partial?: true;
  /** Gateways ("namespace/name") this translation manages, so the runtime can free the others' addresses. */
  gateways: string[];
}
