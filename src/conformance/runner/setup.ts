/**
 * Suite setup (environment.json `setupSequence`), with the harness playing the infrastructure
 * provider: create the suite's GatewayClass, start the workloads, wait for the class to be
 * accepted, apply the base manifests and the generated Secrets/ConfigMaps, wait for readiness.
 */
import type { K8sObject } from '../../api/object.ts';
import type { AdminClient } from '../../cli/client.ts';
import type { RunContext, TestCase, Timeouts, Workloads } from '../types.ts';
import { Applier, type ApplierConfig } from './applier.ts';
import { readManifest } from './corpus.ts';
import { gwcMustBeAccepted } from '../ops/kubernetes-gateway.ts';
import { namespacesMustBeReady } from '../ops/kubernetes-misc.ts';

/** Looks for an export among candidate modules (relative to this file); undefined when none has it. */
export async function findExport(candidates: readonly string[], name: string): Promise<any> {
  for (const spec of candidates) {
    try {
      const mod = await import(spec);
      if (mod && name in mod) return mod[name];
    } catch (err) {
      // A module that exists but fails to load is a real error worth seeing.
      if ((err as any)?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    }
  }
  return undefined;
}

/** A Workloads that runs nothing, used when the workload emulator is not available. */
export const noWorkloads: Workloads = {
  pods: () => [],
  logs: () => [],
  onLog: () => () => {},
  settled: async () => {},
  stop: async () => {},
};

/** Inputs of setupSuite. */
export interface SetupOptions {
  admin: AdminClient;
  environment: any;
  corpusDir: string;
  timeouts: Timeouts;
  requiredConsecutiveSuccesses: number;
  supportedFeatures: ReadonlySet<string>;
  gatewayClassName: string;
  /** The controllerName Gatehouse was started with (the harness creates the class with it). */
  controllerName: string;
  applierConfig: ApplierConfig;
  signal: AbortSignal;
  log(line: string): void;
  /** Loopback block for the emulated pods. */
  podNetwork?: string;
}

/** What setup produced. */
export interface SuiteState {
  /** $CONTROLLER, read back from the accepted GatewayClass. */
  controllerName: string;
  workloads: Workloads;
  /** The base objects, for cleanup at the end of the run. */
  baseApplier: Applier;
}

function setupContext(o: SetupOptions, workloads: Workloads): RunContext {
  const test: TestCase = { name: 'suite setup', description: '', features: [], provisional: false, slow: false, parallel: false, manifests: [], source: '', steps: [], notes: '' };
  return {
    admin: o.admin,
    workloads,
    environment: o.environment,
    timeouts: o.timeouts,
    requiredConsecutiveSuccesses: o.requiredConsecutiveSuccesses,
    supportedFeatures: o.supportedFeatures,
    controllerName: o.controllerName,
    gatewayClassName: o.gatewayClassName,
    test,
    log: o.log,
    callFunction: async () => undefined,
    signal: o.signal,
  };
}

async function startWorkloadEmulator(o: SetupOptions): Promise<Workloads> {
  const start = await findExport(['../env/workloads.ts', '../env/index.ts'], 'startWorkloads');
  if (typeof start !== 'function') {
    o.log('warning: src/conformance/env/workloads.ts (startWorkloads) is missing: no backends will run');
    return noWorkloads;
  }
  return start({ admin: o.admin, environment: o.environment, corpusDir: o.corpusDir, log: o.log, signal: o.signal, podNetwork: o.podNetwork });
}

async function generatedObjects(o: SetupOptions): Promise<K8sObject[]> {
  const gen = await findExport(['../certs.ts', '../env/setup-objects.ts', '../env/index.ts'], 'generateSetupObjects');
  if (typeof gen !== 'function') {
    o.log('warning: generateSetupObjects is missing: the generated Secrets and ConfigMaps are not created');
    return [];
  }
  return gen(o.environment);
}

/** Runs the setup sequence. Throws (with a precise message) when the suite cannot start. */
export async function setupSuite(o: SetupOptions): Promise<SuiteState> {
  const baseApplier = new Applier(o.admin, o.applierConfig, o.timeouts);
  await o.admin.apply({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: o.gatewayClassName },
    spec: { controllerName: o.controllerName },
  });
  const workloads = await startWorkloadEmulator(o);
  try {
    const ctx = setupContext(o, workloads);
    const controllerName = await gwcMustBeAccepted(ctx, o.gatewayClassName, 'True');
    o.log(`GatewayClass ${o.gatewayClassName} accepted; controllerName ${controllerName}`);
    if (o.supportedFeatures.has('Gateway')) {
      await baseApplier.apply(readManifest(o.corpusDir, 'base/manifests.yaml'));
      for (const obj of await generatedObjects(o)) await baseApplier.create(obj);
      const ns = o.environment.constants;
      await namespacesMustBeReady(ctx, [ns.InfrastructureNamespace, ns.AppBackendNamespace, ns.WebBackendNamespace], true);
      o.log('base manifests applied; namespaces ready');
    }
    if (o.supportedFeatures.has('Mesh')) {
      await baseApplier.apply(readManifest(o.corpusDir, 'mesh/manifests.yaml'));
      const ns = o.environment.constants;
      await namespacesMustBeReady(ctx, [ns.MeshNamespace, ns.MeshConsumerNamespace], false);
    }
    return { controllerName, workloads, baseApplier };
  } catch (err) {
    await workloads.stop();
    await baseApplier.cleanup();
    throw err;
  }
}
