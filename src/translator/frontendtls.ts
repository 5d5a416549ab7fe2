/**
 * Frontend client certificate validation (Gateway spec.tls.frontend, GEP-91): a `default` block and
 * `perPort` overrides, each with caCertificateRefs and a mode. The setting belongs to a port, not to a
 * listener, because clients reuse a connection across the listeners of a port: a perPort entry targets
 * every HTTPS listener on its port, the default every other HTTPS listener. Non-HTTPS listeners are never
 * targeted.
 *
 * A CA reference must name a core ConfigMap or Secret (another kind: InvalidCACertificateKind), in the
 * Gateway's namespace or allowed by a ReferenceGrant (RefNotPermitted), that exists and holds PEM
 * certificates under `ca.crt` (InvalidCACertificateRef). Any invalid reference makes ResolvedRefs False
 * on the targeted listeners; when none is valid the listener is not Accepted (NoValidCACertificate), so
 * a broken trust anchor never turns into "no client validation".
 */
import { X509Certificate } from 'node:crypto';
import { GATEWAY_GROUP } from '../api/kinds.ts';
import type { K8sObject } from '../api/object.ts';
import type { IRClientValidation } from '../ir/types.ts';
import { CondType, GatewayReason, ListenerReason, cond, type DraftCondition } from '../status/conditions.ts';
import type { ListenerCheck } from './listener.ts';
import type { Ctx } from './model.ts';

/** The two modes; AllowValidOnly is the default. */
type Mode = IRClientValidation['mode'];

/** A reference problem, as the targeted listeners report it. */
interface RefProblem {
  readonly reason: ListenerReason;
  readonly message: string;
}

/** One validation block resolved. */
interface Resolved {
  /** From the valid references; undefined when none is valid. */
  readonly validation: IRClientValidation | undefined;
  /** The first invalid reference, if any. */
  readonly problem: RefProblem | undefined;
  readonly mode: Mode;
  /** "default" or "port N", for messages. */
  readonly scope: string;
}

/**
 * Resolves the Gateway's frontend validation and applies it to the HTTPS listeners among `checks` (the
 * Gateway's own or a ListenerSet's): the IR validation on the listener state, reference problems as
 * ResolvedRefs, and NoValidCACertificate when nothing valid is left.
 */
export function applyFrontendValidation(ctx: Ctx, gateway: K8sObject, checks: readonly ListenerCheck[]): void {
  const blocks = resolveBlocks(ctx, gateway);
  if (blocks.default === undefined && blocks.perPort.size === 0) return;
  for (const chk of checks) {
    if (chk.state.protocol !== 'HTTPS') continue;
    const r = blocks.perPort.get(chk.state.port) ?? blocks.default;
    if (r === undefined) continue;
    if (r.problem !== undefined) {
      // A certificate problem found earlier keeps its reason; the CA problem joins its message.
      chk.refs = chk.refs === undefined ? r.problem : { ...chk.refs, message: `${chk.refs.message}; ${r.problem.message}` };
    }
    if (r.validation === undefined) {
      chk.rejected = { reason: ListenerReason.NoValidCACertificate, message: `no valid CA certificate for client validation (${r.scope})` };
    } else chk.state.clientValidation = r.validation;
  }
}

/** Gateway condition InsecureFrontendValidationMode=True while any block uses AllowInsecureFallback; undefined otherwise. */
export function insecureFrontendCondition(ctx: Ctx, gateway: K8sObject): DraftCondition | undefined {
  const frontend = gateway.spec?.tls?.frontend;
  const scopes: string[] = [];
  if (modeOf(frontend?.default?.validation) === 'AllowInsecureFallback') scopes.push('default');
  for (const p of list(frontend?.perPort)) if (modeOf(p?.tls?.validation) === 'AllowInsecureFallback') scopes.push(`port ${Number(p?.port)}`);
  if (scopes.length === 0) return undefined;
  const msg = `client certificate validation accepts clients without a valid certificate (AllowInsecureFallback: ${scopes.join(', ')})`;
  return cond(CondType.InsecureFrontendValidationMode, true, GatewayReason.ConfigurationChanged, msg);
}

function list(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}

function modeOf(validation: any): Mode | undefined {
  if (validation === undefined || validation === null) return undefined;
  return validation.mode === 'AllowInsecureFallback' ? 'AllowInsecureFallback' : 'AllowValidOnly';
}

function resolveBlocks(ctx: Ctx, gateway: K8sObject): { default: Resolved | undefined; perPort: Map<number, Resolved> } {
  const frontend = gateway.spec?.tls?.frontend;
  const perPort = new Map<number, Resolved>();
  for (const p of list(frontend?.perPort)) {
    const port = Number(p?.port);
    // Admission rejects duplicate ports; should one slip through, the first entry holds.
    if (p?.tls?.validation && !perPort.has(port)) perPort.set(port, resolveBlock(ctx, gateway, p.tls.validation, `port ${port}`));
  }
  const d = frontend?.default?.validation;
  return { default: d ? resolveBlock(ctx, gateway, d, 'default') : undefined, perPort };
}

function resolveBlock(ctx: Ctx, gateway: K8sObject, validation: any, scope: string): Resolved {
  const mode = modeOf(validation) ?? 'AllowValidOnly';
  const pems: string[] = [];
  const sources: string[] = [];
  let problem: RefProblem | undefined;
  for (const ref of list(validation.caCertificateRefs)) {
    const r = resolveRef(ctx, gateway, ref);
    if ('reason' in r) problem ??= { reason: r.reason, message: `${scope}: ${r.message}` };
    else {
      pems.push(r.pem);
      sources.push(r.source);
    }
  }
  if (pems.length === 0 && problem === undefined) problem = { reason: ListenerReason.InvalidCACertificateRef, message: `${scope}: no caCertificateRefs` };
  const v = pems.length === 0 ? undefined : { mode, caPem: pems.map((p) => (p.endsWith('\n') ? p : p + '\n')).join(''), sources };
  return { validation: v, problem, mode, scope };
}

/** One CA reference: its PEM bundle, or the problem. */
function resolveRef(ctx: Ctx, gateway: K8sObject, ref: any): { pem: string; source: string } | RefProblem {
  const group = String(ref?.group ?? '');
  const kind = String(ref?.kind ?? '');
  const name = String(ref?.name ?? '');
  const gwNs = gateway.metadata.namespace ?? '';
  const ns = typeof ref?.namespace === 'string' && ref.namespace !== '' ? ref.namespace : gwNs;
  if (group !== '' || (kind !== 'ConfigMap' && kind !== 'Secret')) {
    return { reason: ListenerReason.InvalidCACertificateKind, message: `caCertificateRef ${group || 'core'}/${kind} ${name}: only ConfigMaps and Secrets are supported` };
  }
  const source = `${kind} ${ns}/${name}`;
  if (!ctx.grants.allows({ group: GATEWAY_GROUP, kind: 'Gateway', namespace: gwNs }, { group: '', kind, namespace: ns, name })) {
    return { reason: ListenerReason.RefNotPermitted, message: `caCertificateRef to ${source} is not permitted by any ReferenceGrant` };
  }
  const obj = ctx.snap.get('', kind, ns, name);
  if (!obj) return { reason: ListenerReason.InvalidCACertificateRef, message: `${source} not found` };
  const pem = kind === 'ConfigMap' ? configMapCa(obj) : secretCa(obj);
  if (pem === undefined) return { reason: ListenerReason.InvalidCACertificateRef, message: `${source} has no ca.crt` };
  const bad = bundleProblem(pem);
  if (bad !== undefined) return { reason: ListenerReason.InvalidCACertificateRef, message: `${source}: ca.crt ${bad}` };
  return { pem, source };
}

function configMapCa(cm: K8sObject): string | undefined {
  const v = cm.data?.['ca.crt'];
  if (typeof v === 'string') return v;
  const b = cm.binaryData?.['ca.crt'];
  return typeof b === 'string' ? Buffer.from(b, 'base64').toString('utf8') : undefined;
}

function secretCa(secret: K8sObject): string | undefined {
  const b64 = secret.data?.['ca.crt'];
  if (typeof b64 === 'string') return Buffer.from(b64, 'base64').toString('utf8');
  const plain = secret.stringData?.['ca.crt'];
  return typeof plain === 'string' ? plain : undefined;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Parsing is the expensive part of a translation; a snapshot keeps returning the same string per object version. */
const checkedBundles = new Map<string, string | undefined>();

/** Why a CA bundle cannot be a trust anchor (no certificate, one that does not parse); undefined when usable. */
function bundleProblem(pem: string): string | undefined {
  if (checkedBundles.has(pem)) return checkedBundles.get(pem);
  const blocks = pem.match(PEM_CERT) ?? [];
  let out: string | undefined = blocks.length === 0 ? 'holds no PEM certificate' : undefined;
  for (const [i, b] of blocks.entries()) {
    if (out !== undefined) break;
    try {
      new X509Certificate(b);
    } catch (err) {
      out = `certificate ${i + 1} does not parse: ${(err as Error).message}`;
    }
  }
  if (checkedBundles.size > 1000) checkedBundles.clear(); // bounded: bundles are few, but never grow without limit
  checkedBundles.set(pem, out);
  return out;
}
