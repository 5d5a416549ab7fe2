/**
 * Validation of one BackendTLSPolicy's spec, independent of conflicts and of where it is used: the CA
 * source (caCertificateRefs to ConfigMaps or Secrets with a `ca.crt` PEM bundle in the policy's own
 * namespace, or wellKnownCACertificates: System), the hostname, the subjectAltNames, and that it does
 * not target a UDP port. The result says what the Accepted and ResolvedRefs conditions are made of and,
 * when the policy is usable, its TLS settings for the IR.
 */
import { X509Certificate } from 'node:crypto';
import type { K8sObject } from '../api/object.ts';
import type { IRBackendTLS, IRSubjectAltName } from '../ir/types.ts';
import { PolicyReason } from '../status/conditions.ts';
import type { Ctx } from './model.ts';

/** A broken caCertificateRef (ResolvedRefs=False). */
export interface CaRefProblem {
  readonly reason: typeof PolicyReason.InvalidKind | typeof PolicyReason.InvalidCACertificateRef;
  readonly message: string;
}

/** What validating a policy found. */
export interface PolicyCheck {
  /** Set when the policy is Accepted=False with reason Invalid: why. */
  readonly invalid?: string;
  /** The first broken CA reference's reason; the message names every broken reference. */
  readonly refsProblem?: CaRefProblem;
  /** The TLS settings (no client certificate yet) when at least one CA source is usable and nothing is invalid. */
  readonly tls?: IRBackendTLS;
}

/** The key of a ConfigMap or Secret that holds the CA bundle. */
const CA_KEY = 'ca.crt';
const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Parsed CA bundles per (immutable) ConfigMap or Secret object: parsing is the costly part. */
const bundles = new WeakMap<K8sObject, { pem: string } | { problem: string }>();

/** The PEM bundle of a ConfigMap's or Secret's `ca.crt`, or why it is unusable. */
function caBundle(obj: K8sObject): { pem: string } | { problem: string } {
  let out = bundles.get(obj);
  if (out === undefined) {
    out = parseBundle(obj);
    bundles.set(obj, out);
  }
  return out;
}

function parseBundle(obj: K8sObject): { pem: string } | { problem: string } {
  let text: unknown = obj.data?.[CA_KEY];
  if (obj.kind === 'Secret') text = typeof text === 'string' ? Buffer.from(text, 'base64').toString('utf8') : obj.stringData?.[CA_KEY];
  if (typeof text !== 'string' || text.trim() === '') return { problem: `has no ${CA_KEY}` };
  const blocks = text.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) return { problem: `${CA_KEY} holds no PEM certificate` };
  for (const [i, b] of blocks.entries()) {
    try {
      new X509Certificate(b);
    } catch {
      return { problem: `${CA_KEY}: certificate ${i + 1} cannot be parsed` };
    }
  }
  return { pem: blocks.join('\n') + '\n' };
}

/** Checks the caCertificateRefs; returns the concatenated bundle of the usable ones and the problems. */
function checkCaRefs(ctx: Ctx, ns: string, refs: readonly any[]): { pem: string; problems: CaRefProblem[] } {
  let pem = '';
  const problems: CaRefProblem[] = [];
  for (const ref of refs) {
    const group = String(ref?.group ?? '');
    const kind = String(ref?.kind ?? '');
    const name = String(ref?.name ?? '');
    if (group !== '' || (kind !== 'ConfigMap' && kind !== 'Secret')) {
      problems.push({ reason: PolicyReason.InvalidKind, message: `caCertificateRef ${group || 'core'}/${kind} ${name}: only core ConfigMaps and Secrets are supported` });
      continue;
    }
    const obj = ctx.snap.get('', kind, ns, name);
    const got = obj === undefined ? { problem: 'not found' } : caBundle(obj);
    if ('problem' in got) problems.push({ reason: PolicyReason.InvalidCACertificateRef, message: `caCertificateRef ${kind} ${ns}/${name}: ${got.problem}` });
    else pem += got.pem;
  }
  return { pem, problems };
}

/** subjectAltNames → IR SANs, or why one is unusable. */
function checkSans(list: readonly any[]): IRSubjectAltName[] | string {
  const out: IRSubjectAltName[] = [];
  for (const [i, s] of list.entries()) {
    if (s?.type === 'Hostname' && typeof s.hostname === 'string' && s.hostname !== '') out.push({ type: 'Hostname', value: s.hostname.toLowerCase() });
    else if (s?.type === 'URI' && typeof s.uri === 'string' && s.uri !== '') out.push({ type: 'URI', value: s.uri });
    else return `subjectAltNames[${i}] needs type Hostname with a hostname, or type URI with a uri`;
  }
  return out;
}

/** A targetRef that selects only UDP ports of an existing Service: TLS cannot apply there. */
function udpTarget(ctx: Ctx, ns: string, refs: readonly any[]): string | undefined {
  for (const r of refs) {
    if ((r?.group ?? '') !== '' || r?.kind !== 'Service') continue;
    const svc = ctx.snap.get('', 'Service', ns, String(r?.name ?? ''));
    const ports: any[] = Array.isArray(svc?.spec?.ports) ? svc.spec.ports : [];
    const selected = typeof r.sectionName === 'string' ? ports.filter((p) => p?.name === r.sectionName) : ports;
    if (selected.length > 0 && selected.every((p) => p?.protocol === 'UDP')) return `targetRef Service ${ns}/${r.name} selects only UDP ports; BackendTLSPolicy applies to TCP`;
  }
  return undefined;
}

/** Validates one policy. */
export function validatePolicy(ctx: Ctx, obj: K8sObject): PolicyCheck {
  const ns = obj.metadata.namespace ?? '';
  const v = obj.spec?.validation ?? {};
  const refs: any[] = Array.isArray(v.caCertificateRefs) ? v.caCertificateRefs : [];
  const wellKnown = typeof v.wellKnownCACertificates === 'string' ? v.wellKnownCACertificates : '';
  const hostname = typeof v.hostname === 'string' ? v.hostname.toLowerCase() : '';
  const { pem, problems } = checkCaRefs(ctx, ns, refs);
  const refsProblem = problems.length === 0 ? undefined : { reason: problems[0].reason, message: problems.map((p) => p.message).join('; ') };
  const invalid = (why: string): PolicyCheck => ({ invalid: why, ...(refsProblem && { refsProblem }) });
  if (hostname === '') return invalid('validation.hostname is required');
  if (refs.length > 0 && wellKnown !== '') return invalid('caCertificateRefs and wellKnownCACertificates are mutually exclusive');
  if (refs.length === 0 && wellKnown === '') return invalid('one of caCertificateRefs or wellKnownCACertificates is required');
  if (wellKnown !== '' && wellKnown !== 'System') return invalid(`wellKnownCACertificates "${wellKnown}" is not supported (only System)`);
  const sans = checkSans(Array.isArray(v.subjectAltNames) ? v.subjectAltNames : []);
  if (typeof sans === 'string') return invalid(sans);
  const udp = udpTarget(ctx, ns, Array.isArray(obj.spec?.targetRefs) ? obj.spec.targetRefs : []);
  if (udp !== undefined) return invalid(udp);
  if (wellKnown === '' && pem === '') return { ...(refsProblem && { refsProblem }) };
  const tls: IRBackendTLS = {
    policy: `${ns}/${obj.metadata.name}`,
    ...(pem !== '' ? { caPem: pem } : { system: true }),
    servername: hostname,
    ...(sans.length > 0 && { subjectAltNames: sans }),
  };
  return { tls, ...(refsProblem && { refsProblem }) };
}
