import type { IR } from '../ir/types.ts';

/** What applying an IR version did. */
export interface ApplyResult {
  /** The IR version now serving. */
  version: number;
  /** Sockets that could not be bound: "address:port" → reason (e.g. "EACCES: permission denied"). */
  bindErrors: Map<string, string>;
}

/**
 * The data plane as the control plane sees it. `apply` compiles the IR once, binds new sockets,
 * closes sockets no longer in the IR (after their in-flight requests finish), and swaps the
 * compiled tables in atomically: a request uses the version that was current when it arrived.
 */
export interface DataPlane {
  apply(ir: IR): Promise<ApplyResult>;
  close(): Promise<void>;
}
