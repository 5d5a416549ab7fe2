/** What the scenarios see of a system under test: a name, the port it serves on, and how to stop it. */
import type { Proc } from '../lib/procs.ts';

/** CPU placement: the proxy under test gets one core, the load generator and the backend the other. */
export interface Cpus {
  /** taskset CPU list for the proxy under test (e.g. "0"), or undefined when not pinning. */
  readonly proxy: string | undefined;
  /** taskset CPU list for the load generator and the backend. */
  readonly load: string | undefined;
}

/** A started system under test. */
export interface RunningSystem {
  readonly name: string;
  readonly port: number;
  readonly procs: readonly Proc[];
}

/** A system the benchmark can start: either a starter, or the reason it is skipped. */
export interface SystemDef {
  readonly name: string;
  /** Why it cannot run on this machine (with the command that fixes it), or undefined. */
  readonly skip: string | undefined;
  start(backendPort: number, cpus: Cpus): Promise<RunningSystem>;
}
