/**
 * Contracts between the pieces of the conformance harness: the corpus model, the workload
 * emulation ("pods" running echo backends), and the op handlers the step runner dispatches to.
 */
import type { K8sObject } from '../api/object.ts';
import type { AdminClient } from '../cli/client.ts';

/** One step of a test (corpus README §3.1). Keys besides `op` are the op's arguments. */
export interface Step {
  op: string;
  [key: string]: any;
}

/** One `tests/<ShortName>.json` file. */
export interface TestCase {
  name: string;
  description: string;
  features: string[];
  provisional: boolean;
  slow: boolean;
  parallel: boolean;
  manifests: string[];
  source: string;
  steps: Step[];
  notes: string;
}

/**
 * A failed expectation. `fatal` failures stop the enclosing (sub)test; non-fatal ones only mark it
 * failed (helpers.md says which is which per op).
 */
export class StepFailure extends Error {
  readonly fatal: boolean;
  constructor(message: string, fatal = true) {
    super(message);
    this.name = 'StepFailure';
    this.fatal = fatal;
  }
}

/** An emulated pod: one echo backend process-equivalent with its own loopback address. */
export interface Pod {
  name: string;
  namespace: string;
  /** The pod's own loopback address (e.g. 127.20.0.7). */
  ip: string;
  labels: Record<string, string>;
  /** The Deployment it belongs to. */
  deployment: string;
}

/**
 * The cluster workloads the suite expects, played by the harness: Deployments become pods (echo
 * backends on their own loopback addresses), Pod objects and EndpointSlices are kept up to date
 * through the admin API like a kubelet and an endpoint controller would.
 */
export interface Workloads {
  /** Pods currently running, optionally filtered by namespace and labels (all must match). */
  pods(namespace?: string, labels?: Record<string, string>): Pod[];
  /** Lines the pod printed (its "stdout"), oldest first. */
  logs(namespace: string, podName: string): string[];
  /** Calls fn for every new log line of any pod; returns a function that stops it. */
  onLog(fn: (pod: Pod, line: string) => void): () => void;
  /** Resolves once every Deployment known so far has all replicas running and published. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** Timeouts by TimeoutConfig field name (environment.json `timeouts`), in milliseconds. */
export type Timeouts = Record<string, number>;

/** What an op handler gets besides its step. */
export interface RunContext {
  admin: AdminClient;
  workloads: Workloads;
  /** The parsed environment.json. */
  environment: any;
  timeouts: Timeouts;
  requiredConsecutiveSuccesses: number;
  supportedFeatures: ReadonlySet<string>;
  /** spec.controllerName of the GatewayClass under test ($CONTROLLER). */
  controllerName: string;
  gatewayClassName: string;
  /** The test being run. */
  test: TestCase;
  /** Appends a line to the test's log. */
  log(line: string): void;
  /**
   * Runs a function body (`fn`, `sendFunc`, `sendBatchFunc`) with extra bindings (e.g. {count: 10})
   * and returns the value of the step marked `returns` (or of the last step).
   */
  callFunction(body: Step[], bindings?: Record<string, unknown>): Promise<unknown>;
  /** Aborted when the run is being torn down. */
  signal: AbortSignal;
}

/**
 * An op implementation. It receives the step with every reference already substituted (except in
 * function bodies and prose keys) and returns the op's result (saved by the runner per `saveAs`).
 * It throws StepFailure for failed expectations; any other exception is a harness error.
 */
export type OpHandler = (step: Step, ctx: RunContext) => Promise<unknown>;

/** A `custom` step implementation, chosen by test name and the step's position among the test's custom steps. */
export type CustomHandler = (step: Step, ctx: RunContext) => Promise<unknown>;

/** Generated setup objects (Secrets and ConfigMaps of environment.json), in creation order. */
export type SetupObjects = K8sObject[];
