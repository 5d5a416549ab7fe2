/**
 * From a Deployment to what its pods run: the container's image, args, resolved environment
 * (literal values, Downward API fields, Secret/ConfigMap keys) and mounted files (Secret and
 * ConfigMap volumes), plus the pod names and the Pod objects the kubelet would publish.
 */
import { createHash } from 'node:crypto';
import type { K8sObject } from '../../api/object.ts';

/** Secrets and ConfigMaps by "namespace/name". */
export interface ConfigSources {
  secrets: Map<string, K8sObject>;
  configMaps: Map<string, K8sObject>;
}

/** A container ready to run, or the reason it cannot start yet. */
export type ResolvedContainer =
  | { ok: true; name: string; image: string; args: string[]; env: Record<string, string>; files: Record<string, string>; ports: any[] }
  | { ok: false; reason: string };

/** Kubernetes' alphabet for generated name suffixes (no vowels, no look-alikes). */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function encodeHash(input: string, length: number): string {
  const digest = createHash('sha256').update(input).digest();
  let out = '';
  for (let i = 0; out.length < length; i++) out += ALPHABET[digest[i % digest.length] % ALPHABET.length];
  return out;
}

/** The pod-template-hash of a Deployment: changes whenever spec.template changes. */
export function templateHash(dep: K8sObject): string {
  return encodeHash(JSON.stringify(dep.spec?.template ?? {}), 10);
}

/** `<deployment>-<template hash>-<5 chars>`, stable per replica index. */
export function podName(dep: K8sObject, hash: string, replica: number): string {
  return `${dep.metadata.name}-${hash}-${encodeHash(`${dep.metadata.namespace}/${dep.metadata.name}/${hash}/${replica}`, 5)}`;
}

/** The value of a Secret key as text (data is base64, stringData plain). */
function secretValue(s: K8sObject, key: string): string | undefined {
  if (s.data?.[key] !== undefined) return Buffer.from(String(s.data[key]), 'base64').toString('utf8');
  return s.stringData?.[key];
}

function configMapValue(c: K8sObject, key: string): string | undefined {
  return c.data?.[key] ?? (c.binaryData?.[key] !== undefined ? Buffer.from(String(c.binaryData[key]), 'base64').toString('utf8') : undefined);
}

/** A Downward API field of the pod. */
function fieldValue(path: string, pod: { name: string; namespace: string; ip: string; labels: Record<string, string> }): string {
  if (path === 'metadata.name') return pod.name;
  if (path === 'metadata.namespace') return pod.namespace;
  if (path === 'status.podIP' || path === 'status.podIPs') return pod.ip;
  if (path === 'status.hostIP' || path === 'status.hostIPs') return '127.0.0.1';
  if (path === 'spec.nodeName') return 'gatehouse';
  const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
  return label ? (pod.labels[label[1]] ?? '') : '';
}

/** The files a volume puts into the container, by path relative to its mount point. */
function volumeFiles(vol: any, ns: string, src: ConfigSources): Record<string, string> | string {
  const fromSource = (obj: K8sObject | undefined, items: any[] | undefined, get: (o: K8sObject, k: string) => string | undefined, what: string, optional: boolean) => {
    if (!obj) return optional ? {} : `${what} not found`;
    const keys = items?.length ? items : Object.keys({ ...(obj.data ?? {}), ...(obj.stringData ?? {}), ...(obj.binaryData ?? {}) }).map((k) => ({ key: k, path: k }));
    const out: Record<string, string> = {};
    for (const it of keys) {
      const v = get(obj, it.key);
      if (v === undefined) return `${what} has no key ${JSON.stringify(it.key)}`;
      out[it.path ?? it.key] = v;
    }
    return out;
  };
  if (vol.secret) {
    const name = vol.secret.secretName;
    return fromSource(src.secrets.get(`${ns}/${name}`), vol.secret.items, secretValue, `secret ${ns}/${name}`, !!vol.secret.optional);
  }
  if (vol.configMap) {
    const name = vol.configMap.name;
    return fromSource(src.configMaps.get(`${ns}/${name}`), vol.configMap.items, configMapValue, `configmap ${ns}/${name}`, !!vol.configMap.optional);
  }
  return {};
}

/** Resolves the first container of a Deployment's pod template for one pod. */
export function resolveContainer(dep: K8sObject, pod: { name: string; namespace: string; ip: string; labels: Record<string, string> }, src: ConfigSources): ResolvedContainer {
  const spec = dep.spec?.template?.spec ?? {};
  const c = spec.containers?.[0];
  if (!c) return { ok: false, reason: 'the pod template has no container' };
  const ns = pod.namespace;
  // Every container sees HOSTNAME = the pod name (set by Kubernetes; the container's own env wins).
  const env: Record<string, string> = { HOSTNAME: pod.name };
  for (const e of c.env ?? []) {
    const vf = e.valueFrom;
    if (!vf) env[e.name] = String(e.value ?? '');
    else if (vf.fieldRef) env[e.name] = fieldValue(String(vf.fieldRef.fieldPath ?? ''), pod);
    else if (vf.secretKeyRef || vf.configMapKeyRef) {
      const ref = vf.secretKeyRef ?? vf.configMapKeyRef;
      const obj = (vf.secretKeyRef ? src.secrets : src.configMaps).get(`${ns}/${ref.name}`);
      const v = obj && (vf.secretKeyRef ? secretValue(obj, ref.key) : configMapValue(obj, ref.key));
      if (v === undefined && !ref.optional) return { ok: false, reason: `env ${e.name}: ${ref.name}/${ref.key} not found` };
      env[e.name] = v ?? '';
    }
  }
  const files: Record<string, string> = {};
  for (const m of c.volumeMounts ?? []) {
    const vol = (spec.volumes ?? []).find((v: any) => v.name === m.name);
    if (!vol) return { ok: false, reason: `volume ${m.name} is not defined` };
    const got = volumeFiles(vol, ns, src);
    if (typeof got === 'string') return { ok: false, reason: `volume ${m.name}: ${got}` };
    const base = String(m.mountPath ?? '').replace(/\/$/, '');
    for (const [rel, content] of Object.entries(got)) files[`${base}/${rel}`] = content;
  }
  return { ok: true, name: c.name ?? dep.metadata.name, image: String(c.image ?? ''), args: (c.args ?? []).map(String), env, files, ports: c.ports ?? [] };
}

/** A stable fingerprint of what a pod runs, to restart it when its inputs change. */
export function runFingerprint(c: ResolvedContainer): string {
  return createHash('sha256').update(JSON.stringify(c)).digest('hex');
}

/** The Pod object a kubelet would report for a running emulated pod. */
export function podObject(dep: K8sObject, hash: string, name: string, ip: string, labels: Record<string, string>, startedAt: string): K8sObject {
  const spec = dep.spec?.template?.spec ?? {};
  const containers = (spec.containers ?? []) as any[];
  const cond = (type: string) => ({ type, status: 'True', lastTransitionTime: startedAt });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: dep.metadata.namespace,
      labels,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${dep.metadata.name}-${hash}`, uid: '', controller: true }],
    },
    spec: { ...spec, nodeName: 'gatehouse' },
    status: {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      hostIP: '127.0.0.1',
      startTime: startedAt,
      conditions: [cond('PodScheduled'), cond('Initialized'), cond('ContainersReady'), cond('Ready')],
      containerStatuses: containers.map((c) => ({ name: c.name, image: c.image, ready: true, started: true, restartCount: 0, state: { running: { startedAt } } })),
    },
  };
}
