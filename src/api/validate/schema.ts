/**
 * Structural schema checks for Gateway API kinds, run by the precompiled validators of
 * @kubernetes-models/gateway-api, with their ajv-style errors rewritten in the API server's words.
 */
import { validate as backendTLSPolicySpec } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1BackendTLSPolicySpec';
import { validate as gatewayClassSpec } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1GatewayClassSpec';
import { validate as gatewaySpec } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1GatewaySpec';
import { validate as grpcRouteSpec } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1GRPCRouteSpec';
import { validate as httpRouteSpec } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1HTTPRouteSpec';
import { validate as listenerSetSpec } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1ListenerSetSpec';
import { validate as referenceGrantSpec } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1ReferenceGrantSpec';
import { validate as tlsRouteSpec } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1TLSRouteSpec';
// The models have no v1 TCPRoute/UDPRoute; v1 promoted the v1alpha2 shape unchanged.
import { validate as tcpRouteSpec } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1alpha2TCPRouteSpec';
import { validate as udpRouteSpec } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1alpha2UDPRouteSpec';
import type { FieldError, PathStep } from './types.ts';
import { didYouMean } from './did-you-mean.ts';

/** The error objects the precompiled validators leave on `validate.errors` (ajv's format). */
interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, any>;
}
type SpecValidator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

const SPEC_VALIDATORS: Readonly<Record<string, SpecValidator>> = {
  BackendTLSPolicy: backendTLSPolicySpec,
  GatewayClass: gatewayClassSpec,
  Gateway: gatewaySpec,
  GRPCRoute: grpcRouteSpec,
  HTTPRoute: httpRouteSpec,
  ListenerSet: listenerSetSpec,
  ReferenceGrant: referenceGrantSpec,
  TLSRoute: tlsRouteSpec,
  TCPRoute: tcpRouteSpec,
  UDPRoute: udpRouteSpec,
};

/** True when Gatehouse has a structural schema for the kind. */
export function hasSpecSchema(kind: string): boolean {
  return kind in SPEC_VALIDATORS;
}

/** Checks `spec` against the kind's structural schema; every error path starts with 'spec'. */
export function checkSpecSchema(kind: string, spec: unknown): FieldError[] {
  const validate = SPEC_VALIDATORS[kind];
  if (!validate || validate(spec)) return [];
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of validate.errors ?? []) {
    const err = toFieldError(e, spec);
    const key = `${err.path.join('\u0000')}\u0001${err.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(err);
    }
  }
  return out;
}

/** Parses a JSON pointer ("/rules/0/matches") into path steps, numbers for list indexes. */
function pointerSteps(pointer: string, root: unknown): PathStep[] {
  const steps: PathStep[] = ['spec'];
  let node: any = root;
  for (const raw of pointer.split('/').slice(1)) {
    const s = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const step: PathStep = Array.isArray(node) ? Number(s) : s;
    steps.push(step);
    node = node == null ? undefined : node[step as any];
  }
  return steps;
}

function valueAt(root: unknown, steps: PathStep[]): unknown {
  let node: any = root;
  for (const s of steps.slice(1)) node = node == null ? undefined : node[s as any];
  return node;
}

/** A value as the API server quotes it in messages. */
export function quote(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return '"array"';
  if (v === null) return 'null';
  return `"${typeof v}"`;
}

function toFieldError(e: AjvError, spec: unknown): FieldError {
  const path = pointerSteps(e.instancePath, spec);
  const value = valueAt(spec, path);
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return { path: [...path, p.missingProperty], message: 'Required value' };
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map((a) => JSON.stringify(a)).join(', ');
      const hint = typeof value === 'string' ? didYouMean(value, p.allowedValues) : undefined;
      return {
        path,
        message: `Unsupported value: ${quote(value)}: supported values: ${allowed}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}`,
      };
    }
    case 'type':
      return { path, message: `Invalid value: ${quote(value)}: must be of type ${p.type}` };
    case 'maxLength':
      return { path, message: `Too long: may not be more than ${p.limit} bytes` };
    case 'minLength':
      return { path, message: `Invalid value: ${quote(value)}: should be at least ${p.limit} chars long` };
    case 'pattern':
      return { path, message: `Invalid value: ${quote(value)}: should match '${p.pattern}'` };
    case 'maxItems':
    case 'maxProperties':
      return { path, message: `Too many: ${countOf(value)}: must have at most ${p.limit} items` };
    case 'minItems':
      return { path, message: `Invalid value: ${countOf(value)}: should have at least ${p.limit} items` };
    case 'minimum':
      return { path, message: `Invalid value: ${quote(value)}: should be greater than or equal to ${p.limit}` };
    case 'maximum':
      return { path, message: `Invalid value: ${quote(value)}: should be less than or equal to ${p.limit}` };
    case 'format':
      return { path, message: `Invalid value: ${quote(value)}: must be of format ${p.format}` };
    default:
      return { path, message: `Invalid value: ${quote(value)}: fails schema rule "${e.keyword}"` };
  }
}

function countOf(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (v && typeof v === 'object') return Object.keys(v).length;
  return 0;
}
