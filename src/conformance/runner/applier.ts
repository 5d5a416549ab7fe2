/**
 * The Applier (environment.json `applierTransforms`): rewrites manifest objects for the suite
 * (GatewayClass name, address placeholders, controllerName), creates or updates them through the
 * admin API, remembers what it created and deletes it again in reverse order.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { K8sObject } from '../../api/object.ts';
import { AdminError, type AdminClient } from '../../cli/client.ts';
import { StepFailure, type Timeouts } from '../types.ts';

/** What the transforms need. */
export interface ApplierConfig {
  gatewayClassName: string;
  controllerName: string;
  /** --usable-address pool ("value" or "Type=value"). */
  usableAddresses: string[];
  /** --unusable-address pool. */
  unusableAddresses: string[];
  namespaceLabels?: Record<string, string>;
  namespaceAnnotations?: Record<string, string>;
}

const USABLE = 'PLACEHOLDER_USABLE_ADDRS';
const UNUSABLE = 'PLACEHOLDER_UNUSABLE_ADDRS';
const FAKE_INVALID_TYPE = 'test/fake-invalid-type';

function poolEntries(pool: string[]): { type: string; value: string }[] {
  return pool.map((p) => {
    const eq = p.indexOf('=');
    return eq > 0 ? { type: p.slice(0, eq), value: p.slice(eq + 1) } : { type: 'IPAddress', value: p };
  });
}

function transformAddresses(spec: any, cfg: ApplierConfig): void {
  const addrs: any[] = spec.addresses;
  const values = addrs.map((a) => a?.value);
  const kept = addrs.filter((a) => a?.type === FAKE_INVALID_TYPE);
  const out = [...kept];
  if (values.includes(UNUSABLE)) out.push(...poolEntries(cfg.unusableAddresses));
  if (values.includes(USABLE)) out.push(...poolEntries(cfg.usableAddresses));
  if (out.length) spec.addresses = out;
  else delete spec.addresses;
}

/** Applies the suite's rewrites to one manifest object (returns a copy). */
export function transformObject(input: K8sObject, cfg: ApplierConfig): K8sObject {
  const obj: K8sObject = structuredClone(input);
  const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
  if (group === 'gateway.networking.k8s.io' && obj.kind === 'Gateway') {
    obj.spec = obj.spec ?? {};
    obj.spec.gatewayClassName = cfg.gatewayClassName;
    if (Array.isArray(obj.spec.addresses)) transformAddresses(obj.spec, cfg);
  } else if (group === 'gateway.networking.k8s.io' && obj.kind === 'GatewayClass') {
    obj.spec = { ...(obj.spec ?? {}), controllerName: cfg.controllerName };
  } else if (group === '' && obj.kind === 'Namespace') {
    if (cfg.namespaceLabels) obj.metadata.labels = { ...(obj.metadata.labels ?? {}), ...cfg.namespaceLabels };
    if (cfg.namespaceAnnotations) obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), ...cfg.namespaceAnnotations };
  }
  return obj;
}

function describe(obj: K8sObject): string {
  const ns = obj.metadata.namespace ? `${obj.metadata.namespace}/` : '';
  return `${obj.kind} ${ns}${obj.metadata.name}`;
}

function isCode(err: unknown, code: number): boolean {
  return err instanceof AdminError && err.code === code;
}

/** Creates, updates and cleans up objects for one test (or for the suite's setup). */
export class Applier {
  private readonly admin: AdminClient;
  private readonly cfg: ApplierConfig;
  private readonly timeouts: Timeouts;
  private readonly created: K8sObject[] = [];

  constructor(admin: AdminClient, cfg: ApplierConfig, timeouts: Timeouts) {
    this.admin = admin;
    this.cfg = cfg;
    this.timeouts = timeouts;
  }

  /** Apply semantics: create when absent, else update with the fetched resourceVersion; register for cleanup. */
  async apply(objects: readonly K8sObject[]): Promise<void> {
    for (const raw of objects) {
      const obj = transformObject(raw, this.cfg);
      try {
        await this.admin.apply(obj);
      } catch (err) {
        throw new StepFailure(`applying ${describe(obj)}: ${(err as Error).message}`);
      }
      this.register(obj);
    }
  }

  /** k8s.create semantics: create; AlreadyExists leaves the existing object alone. */
  async create(obj: K8sObject): Promise<void> {
    try {
      await this.admin.create(obj);
    } catch (err) {
      if (!isCode(err, 409)) throw new StepFailure(`creating ${describe(obj)}: ${(err as Error).message}`);
    }
    this.register(obj);
  }

  private register(obj: K8sObject): void {
    const same = (o: K8sObject) => o.apiVersion === obj.apiVersion && o.kind === obj.kind && o.metadata.namespace === obj.metadata.namespace && o.metadata.name === obj.metadata.name;
    if (!this.created.some(same)) this.created.push({ apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace } });
  }

  /** How many objects are registered for cleanup. */
  get size(): number {
    return this.created.length;
  }

  /**
   * Deletes every registered object, newest first, and waits up to DeleteTimeout for each to be
   * gone. Returns the problems (never throws) so cleanup always runs to the end.
   */
  async cleanup(): Promise<string[]> {
    const problems: string[] = [];
    const interval = this.timeouts.DefaultPollInterval ?? 100;
    while (this.created.length) {
      const obj = this.created.pop()!;
      const { apiVersion, kind } = obj;
      const { namespace, name } = obj.metadata;
      try {
        await this.admin.delete(apiVersion, kind, namespace, name);
      } catch (err) {
        if (!isCode(err, 404)) problems.push(`deleting ${describe(obj)}: ${(err as Error).message}`);
        continue;
      }
      const deadline = Date.now() + (this.timeouts.DeleteTimeout ?? 30_000);
      for (;;) {
        const gone = await this.admin.tryGet(apiVersion, kind, namespace, name).then((o) => !o, () => false);
        if (gone) break;
        if (Date.now() > deadline) {
          problems.push(`${describe(obj)} still present after DeleteTimeout`);
          break;
        }
        await sleep(interval);
      }
    }
    return problems;
  }
}
