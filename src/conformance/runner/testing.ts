/**
 * Test doubles for the harness: an in-memory admin client (the AdminClient surface the runner and
 * ops use) and a RunContext builder with small timeouts.
 */
import { AdminClient, AdminError } from '../../cli/client.ts';
import type { K8sObject } from '../../api/object.ts';
import { mergePatch } from '../../store/merge-patch.ts';
import { parseSelector, matchesSelector } from '../../api/labels.ts';
import type { RunContext, TestCase, Timeouts } from '../types.ts';
import { noWorkloads } from './setup.ts';

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** An AdminClient that keeps objects in a Map; generation bumps on spec changes like the store. */
export class FakeAdmin extends AdminClient {
  readonly objects = new Map<string, K8sObject>();
  private rv = 1;
  /** Called after every write, e.g. to play a controller that writes status. */
  onWrite: (obj: K8sObject) => void = () => {};

  constructor() {
    super('http://fake.invalid');
  }

  private key(apiVersion: string, kind: string, ns: string | undefined, name: string): string {
    return `${groupOf(apiVersion)}/${kind}/${ns ?? ''}/${name}`;
  }

  override async get(apiVersion: string, kind: string, ns: string | undefined, name: string): Promise<K8sObject> {
    const o = this.objects.get(this.key(apiVersion, kind, ns, name));
    if (!o) throw new AdminError(404, { reason: 'NotFound', message: `${kind} ${ns ?? ''}/${name} not found` });
    return structuredClone(o);
  }

  override async list(apiVersion: string, kind: string, ns?: string, labelSelector?: string): Promise<K8sObject[]> {
    const prefix = `${groupOf(apiVersion)}/${kind}/`;
    const sel = labelSelector ? parseSelector(labelSelector) : undefined;
    return [...this.objects.entries()]
      .filter(([k, o]) => k.startsWith(prefix) && (!ns || o.metadata.namespace === ns) && (!sel || matchesSelector(sel, o.metadata.labels)))
      .map(([, o]) => structuredClone(o));
  }

  /** Stores an object as is (status included), bumping resourceVersion. */
  put(obj: K8sObject): K8sObject {
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(++this.rv);
    stored.metadata.generation ??= 1;
    this.objects.set(this.key(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name), stored);
    this.onWrite(stored);
    return structuredClone(stored);
  }

  override async create(obj: K8sObject): Promise<K8sObject> {
    if (this.objects.has(this.key(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name))) throw new AdminError(409, { reason: 'AlreadyExists', message: 'exists' });
    return this.put({ ...obj, metadata: { ...obj.metadata, generation: 1 } });
  }

  override async update(obj: K8sObject): Promise<K8sObject> {
    const cur = await this.get(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    const changed = JSON.stringify(cur.spec) !== JSON.stringify(obj.spec);
    return this.put({ ...obj, status: cur.status, metadata: { ...obj.metadata, generation: (cur.metadata.generation ?? 1) + (changed ? 1 : 0) } });
  }

  override async patch(apiVersion: string, kind: string, ns: string | undefined, name: string, patch: unknown): Promise<K8sObject> {
    const cur = await this.get(apiVersion, kind, ns, name);
    const next = mergePatch(cur, patch) as K8sObject;
    const changed = JSON.stringify(cur.spec) !== JSON.stringify(next.spec);
    return this.put({ ...next, metadata: { ...next.metadata, generation: (cur.metadata.generation ?? 1) + (changed ? 1 : 0) } });
  }

  override async delete(apiVersion: string, kind: string, ns: string | undefined, name: string): Promise<K8sObject> {
    const o = await this.get(apiVersion, kind, ns, name);
    this.objects.delete(this.key(apiVersion, kind, ns, name));
    return o;
  }
}

/** Small timeouts so failing waits end quickly in tests. */
export function testTimeouts(limitMs = 300): Timeouts {
  const names = ['CreateTimeout', 'DeleteTimeout', 'GetTimeout', 'GatewayMustHaveAddress', 'GatewayMustHaveCondition', 'GatewayStatusMustHaveListeners', 'GatewayListenersMustHaveConditions', 'ListenerSetMustHaveCondition', 'ListenerSetListenersMustHaveConditions', 'GWCMustBeAccepted', 'HTTPRouteMustNotHaveParents', 'HTTPRouteMustHaveCondition', 'TLSRouteMustHaveCondition', 'TCPRouteMustHaveCondition', 'UDPRouteMustHaveCondition', 'RouteMustHaveParents', 'MaxTimeToConsistency', 'NamespacesMustBeReady', 'RequestTimeout', 'LatestObservedGenerationSet', 'DefaultTestTimeout'];
  const t: Timeouts = { DefaultPollInterval: 10, TestIsolation: 0 };
  for (const n of names) t[n] = limitMs;
  return t;
}

/** A test case with the given steps. */
export function testCase(name: string, steps: TestCase['steps'], extra: Partial<TestCase> = {}): TestCase {
  return { name, description: '', features: [], provisional: false, slow: false, parallel: false, manifests: [], source: '', steps, notes: '', ...extra };
}

/** A RunContext over a FakeAdmin. */
export function fakeContext(admin: FakeAdmin, timeouts: Timeouts = testTimeouts()): RunContext {
  return {
    admin,
    workloads: noWorkloads,
    environment: {},
    timeouts,
    requiredConsecutiveSuccesses: 3,
    supportedFeatures: new Set(['Gateway', 'HTTPRoute']),
    controllerName: 'gatehouse.dev/gateway-controller',
    gatewayClassName: 'gateway-conformance',
    test: testCase('unit', []),
    log: () => {},
    callFunction: async () => undefined,
    signal: new AbortController().signal,
  };
}
