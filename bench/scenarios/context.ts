/** What every scenario receives from the harness, and what it gives back. */
import type { Tool } from '../lib/tools.ts';
import type { Cpus } from '../systems/system.ts';

/** The harness's settings and found tools. */
export interface BenchContext {
  readonly tools: Readonly<Record<Tool['name'], Tool>>;
  readonly cpus: Cpus;
  /** Seconds per measurement. */
  readonly durationS: number;
  /** Seconds of warm-up load before each measurement (JIT, connection pools). */
  readonly warmupS: number;
  /** Why the Node peers from bench/peers cannot run, or undefined. */
  readonly nodePeersSkip: string | undefined;
  /** The apt-get line for the missing Debian tools, or undefined. */
  readonly aptHint: string | undefined;
  /** Progress lines (stderr); results go into the returned markdown. */
  log(line: string): void;
}

/** A scenario's output: a section of the markdown report. */
export interface ScenarioOutput {
  readonly title: string;
  readonly markdown: string;
}
