/**
 * Workload emulation for the conformance harness: plays kubelet and endpoint controller against
 * Gatehouse's admin API. Every Deployment becomes `replicas` echo pods on their own loopback
 * addresses, published as Pod objects; every Service with a selector gets an EndpointSlice of the
 * ready pods it selects. Reconciliation is level-based: each pass lists Deployments, Services,
 * Secrets and ConfigMaps and converges; watch events only wake the loop early.
 */
import type { K8sObject } from '../../api/object.ts';
import { AdminError, type AdminClient } from '../../cli/client.ts';
import type { Pod, Workloads } from '../types.ts';
import { startEchoPod, type EchoPod } from '../echo/pod.ts';
import { IpPool } from './ip-pool.ts';
import { podName, podObject, resolveContainer, runFingerprint, templateHash, type ConfigSources } from './pod-spec.ts';
import { desiredSlice, type EndpointPod } from './endpoints.ts';
import { PodLogs, type LogEntry } from './pod-logs.ts';

/** Options of startWorkloads. */
export interface WorkloadsOptions {
  admin: AdminClient;
  log?: (s: string) => void;
  /** Pod address pool, default 127.20.0.0/16. */
  podNetwork?: string;
  /** Poll interval while watches are unavailable (default 100 ms); with watches, a 1 s safety poll. */
  pollMs?: number;
}

/** The Workloads contract plus what only the emulation can offer. */
export interface WorkloadsController extends Workloads {
  /** Log lines of a pod printed at or after `sinceMs` (epoch ms), with their times. */
  logsSince(namespace: string, podName: string, sinceMs: number): LogEntry[];
  /** The bound ports of a running pod by role (http, h2c, https, grpc, tcp, udp, dns...). */
  podPorts(namespace: string, podName: string): Record<string, number> | undefined;
}

interface RunningPod extends EndpointPod {
  deploymentKey: string;
  fingerprint: string;
  echo: EchoPod;
  published: boolean;
}

const key = (o: { metadata: { namespace?: string; name: string } }) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
/** How long a pod that failed to start waits before the next attempt. */
const RESTART_BACKOFF_MS = 1000;

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof AdminError && err.code === 404)) throw err;
  }
}

/** Creates or replaces an object, then writes its status when it has one. */
async function publish(admin: AdminClient, obj: K8sObject): Promise<void> {
  const stored = await admin.apply(obj);
  if (obj.status !== undefined) await admin.updateStatus({ ...stored, status: obj.status });
}

class Emulation implements WorkloadsController {
  private readonly admin: AdminClient;
  private readonly say: (s: string) => void;
  private readonly pool: IpPool;
  private readonly logsBuf = new PodLogs();
  private readonly running = new Map<string, RunningPod>();
  private readonly failures = new Map<string, { until: number; reason: string }>();
  /** Service key → JSON of the slice last written. */
  private readonly slices = new Map<string, { name: string; json: string }>();
  private readonly depStatus = new Map<string, string>();
  private readonly waiters: { after: number; resolve: () => void }[] = [];
  private readonly abort = new AbortController();
  private passes = 0;
  private wakeUp: (() => void) | undefined;
  private watchesDown = 0;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly pollMs: number;

  constructor(opts: WorkloadsOptions) {
    this.admin = opts.admin;
    this.say = opts.log ?? (() => {});
    this.pool = new IpPool(opts.podNetwork);
    this.pollMs = opts.pollMs ?? 100;
  }

  start(): void {
    const kinds: [string, string][] = [['apps/v1', 'Deployment'], ['v1', 'Service'], ['v1', 'Secret'], ['v1', 'ConfigMap']];
    if (typeof (this.admin as any).watch === 'function') for (const [v, k] of kinds) void this.watchLoop(v, k);
    else this.watchesDown = kinds.length;
    this.loopDone = this.loop();
  }

  /** Keeps a watch open to wake the loop on changes; while it is down the loop polls fast. */
  private async watchLoop(apiVersion: string, kind: string): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        for await (const _ of this.admin.watch(apiVersion, kind, { signal })) this.wake();
      } catch {
        // fall through to the retry below
      }
      if (signal.aborted) return;
      this.watchesDown++;
      await new Promise((r) => setTimeout(r, 1000));
      this.watchesDown--;
    }
  }

  private wake(): void {
    this.wakeUp?.();
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      const pass = ++this.passes;
      let clean = false;
      try {
        clean = await this.reconcile();
      } catch (err) {
        this.say(`workloads: reconcile failed: ${(err as Error).message}`);
      }
      if (clean) this.releaseWaiters(pass);
      const delay = this.watchesDown > 0 || !clean ? this.pollMs : 1000;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.wakeUp = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wakeUp = undefined;
    }
  }

  /** Resolves the settled() calls made before this (clean) pass started. */
  private releaseWaiters(pass: number): void {
    const done = this.waiters.filter((w) => w.after < pass);
    this.waiters.splice(0, this.waiters.length, ...this.waiters.filter((w) => w.after >= pass));
    for (const w of done) w.resolve();
  }

  /** One pass; true when nothing is left to do. */
  private async reconcile(): Promise<boolean> {
    const [deps, services, secrets, configMaps] = await Promise.all([
      this.admin.list('apps/v1', 'Deployment'),
      this.admin.list('v1', 'Service'),
      this.admin.list('v1', 'Secret'),
      this.admin.list('v1', 'ConfigMap'),
    ]);
    const src: ConfigSources = { secrets: new Map(secrets.map((s) => [key(s), s])), configMaps: new Map(configMaps.map((c) => [key(c), c])) };
    let clean = true;
    const wanted = new Set<string>();
    for (const dep of deps) {
      if (dep.metadata.deletionTimestamp) continue;
      if (!(await this.reconcileDeployment(dep, src, wanted))) clean = false;
    }
    for (const [k, pod] of this.running) if (!wanted.has(k)) await this.removePod(pod);
    for (const k of this.failures.keys()) if (!wanted.has(k)) this.failures.delete(k);
    if (!(await this.reconcileSlices(services))) clean = false;
    await this.reconcileDeploymentStatus(deps);
    return clean;
  }

  /** Runs the pods of one Deployment; true when all of them run and are published. */
  private async reconcileDeployment(dep: K8sObject, src: ConfigSources, wanted: Set<string>): Promise<boolean> {
    const ns = dep.metadata.namespace ?? 'default';
    const replicas = Number.isInteger(dep.spec?.replicas) ? Math.max(0, dep.spec.replicas) : 1;
    const hash = templateHash(dep);
    const labels: Record<string, string> = { ...(dep.spec?.template?.metadata?.labels ?? {}), 'pod-template-hash': hash };
    let ok = true;
    for (let i = 0; i < replicas; i++) {
      const name = podName(dep, hash, i);
      const k = `${ns}/${name}`;
      wanted.add(k);
      if (!(await this.ensurePod(dep, k, { name, namespace: ns, labels, hash }, src))) ok = false;
    }
    return ok;
  }

  private async ensurePod(dep: K8sObject, k: string, p: { name: string; namespace: string; labels: Record<string, string>; hash: string }, src: ConfigSources): Promise<boolean> {
    const existing = this.running.get(k);
    const ip = existing?.ip ?? this.pool.allocate();
    const resolved = resolveContainer(dep, { ...p, ip }, src);
    if (!resolved.ok) {
      this.noteFailure(k, resolved.reason, 0);
      if (!existing) this.pool.release(ip);
      return false;
    }
    const fingerprint = runFingerprint(resolved);
    if (existing && existing.fingerprint === fingerprint) return this.ensurePublished(existing, dep);
    if (existing) await this.stopPod(existing, true);
    const failure = this.failures.get(k);
    if (failure && failure.until > Date.now()) {
      if (!existing) this.pool.release(ip);
      return false;
    }
    const pod: Pod = { name: p.name, namespace: p.namespace, ip, labels: p.labels, deployment: dep.metadata.name };
    try {
      const echo = await startEchoPod({ ip, image: resolved.image, args: resolved.args, env: resolved.env, files: resolved.files, log: (line) => this.logsBuf.append(pod, line) });
      const rp: RunningPod = { ...pod, deploymentKey: key(dep), fingerprint, echo, published: false, containerPorts: resolved.ports };
      this.running.set(k, rp);
      this.failures.delete(k);
      this.say(`workloads: started pod ${k} (${echo.mode}) on ${ip}`);
      return this.ensurePublished(rp, dep);
    } catch (err) {
      this.pool.release(ip);
      this.noteFailure(k, `cannot start: ${(err as Error).message}`, RESTART_BACKOFF_MS);
      return false;
    }
  }

  private noteFailure(k: string, reason: string, backoffMs: number): void {
    const prev = this.failures.get(k);
    if (prev?.reason !== reason) this.say(`workloads: pod ${k} pending: ${reason}`);
    this.failures.set(k, { until: Date.now() + backoffMs, reason });
  }

  private async ensurePublished(pod: RunningPod, dep: K8sObject): Promise<boolean> {
    if (pod.published) return true;
    try {
      await publish(this.admin, podObject(dep, pod.labels['pod-template-hash'] ?? '', pod.name, pod.ip, pod.labels, new Date().toISOString()));
      pod.published = true;
    } catch (err) {
      this.say(`workloads: cannot publish pod ${pod.namespace}/${pod.name}: ${(err as Error).message}`);
    }
    return pod.published;
  }

  private async stopPod(pod: RunningPod, keepIp: boolean): Promise<void> {
    this.running.delete(`${pod.namespace}/${pod.name}`);
    try {
      await pod.echo.stop();
    } catch (err) {
      this.say(`workloads: stopping ${pod.namespace}/${pod.name}: ${(err as Error).message}`);
    }
    if (!keepIp) this.pool.release(pod.ip);
  }

  private async removePod(pod: RunningPod): Promise<void> {
    await this.stopPod(pod, false);
    this.logsBuf.drop(pod.namespace, pod.name);
    this.say(`workloads: stopped pod ${pod.namespace}/${pod.name}`);
    await ignoreNotFound(this.admin.delete('v1', 'Pod', pod.namespace, pod.name)).catch(() => {});
  }

  /** Writes the slices that changed and deletes those of Services gone; true when all writes worked. */
  private async reconcileSlices(services: K8sObject[]): Promise<boolean> {
    const pods = [...this.running.values()].filter((p) => p.published);
    const seen = new Set<string>();
    let ok = true;
    for (const svc of services) {
      const want = desiredSlice(svc, pods);
      if (!want) continue;
      const k = key(svc);
      seen.add(k);
      const json = JSON.stringify(want);
      if (this.slices.get(k)?.json === json) continue;
      try {
        await this.admin.apply(want);
        this.slices.set(k, { name: want.metadata.name, json });
      } catch (err) {
        ok = false;
        this.say(`workloads: cannot write EndpointSlice for ${k}: ${(err as Error).message}`);
      }
    }
    for (const [k, s] of this.slices) {
      if (seen.has(k)) continue;
      this.slices.delete(k);
      await ignoreNotFound(this.admin.delete('discovery.k8s.io/v1', 'EndpointSlice', k.split('/')[0], s.name)).catch(() => {});
    }
    return ok;
  }

  /** Reports replica counts in Deployment status, like the Deployment controller (best effort). */
  private async reconcileDeploymentStatus(deps: K8sObject[]): Promise<void> {
    for (const dep of deps) {
      const k = key(dep);
      const ready = [...this.running.values()].filter((p) => p.deploymentKey === k && p.published).length;
      const want = Number.isInteger(dep.spec?.replicas) ? dep.spec.replicas : 1;
      const status = {
        observedGeneration: dep.metadata.generation,
        replicas: ready,
        updatedReplicas: ready,
        readyReplicas: ready,
        availableReplicas: ready,
        conditions: [{ type: 'Available', status: ready >= want ? 'True' : 'False', reason: ready >= want ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable' }],
      };
      const json = JSON.stringify(status);
      if (this.depStatus.get(k) === json) continue;
      try {
        await this.admin.updateStatus({ ...dep, status });
        this.depStatus.set(k, json);
      } catch {
        // Status is informative only; the next pass retries.
      }
    }
  }

  pods(namespace?: string, labels?: Record<string, string>): Pod[] {
    const out: Pod[] = [];
    for (const p of this.running.values()) {
      if (namespace !== undefined && namespace !== '' && p.namespace !== namespace) continue;
      if (labels && !Object.entries(labels).every(([k, v]) => p.labels[k] === v)) continue;
      out.push({ name: p.name, namespace: p.namespace, ip: p.ip, labels: { ...p.labels }, deployment: p.deployment });
    }
    return out.sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1));
  }

  logs(namespace: string, podName: string): string[] {
    return this.logsBuf.entries(namespace, podName).map((e) => e.line);
  }

  logsSince(namespace: string, podName: string, sinceMs: number): LogEntry[] {
    return this.logsBuf.entries(namespace, podName, sinceMs);
  }

  podPorts(namespace: string, podName: string): Record<string, number> | undefined {
    const p = this.running.get(`${namespace}/${podName}`);
    return p ? { ...p.echo.ports } : undefined;
  }

  onLog(fn: (pod: Pod, line: string) => void): () => void {
    return this.logsBuf.subscribe(fn);
  }

  settled(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ after: this.passes, resolve });
      this.wake();
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wake();
    await this.loopDone;
    for (const w of this.waiters.splice(0)) w.resolve();
    for (const pod of [...this.running.values()]) await this.removePod(pod);
    for (const [k, s] of this.slices) await ignoreNotFound(this.admin.delete('discovery.k8s.io/v1', 'EndpointSlice', k.split('/')[0], s.name)).catch(() => {});
    this.slices.clear();
  }
}

/** Starts the workload emulation; stop() ends every pod and deletes the objects it wrote (best effort). */
export async function startWorkloads(opts: WorkloadsOptions): Promise<WorkloadsController> {
  const w = new Emulation(opts);
  w.start();
  return w;
}
