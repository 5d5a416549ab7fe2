/**
 * Admission: validates one object as a Kubernetes API server with the upstream Gateway API CRDs
 * would — structural schema, strict field names, and the CRDs' validation rules (reimplemented per
 * kind) — plus light checks of the core kinds Gatehouse reads.
 *
 * Callers convert older apiVersions first (see ../convert.ts); an object in a served older version
 * is validated as its stored version, since the schemas are identical.
 */
import type { K8sObject } from '../object.ts';
import { groupOf } from '../object.ts';
import { kindInfo, type KindInfo } from '../kinds.ts';
import { ErrorList, type ValidationResult, isObject } from './types.ts';
import { SPEC_FIELDS, unknownFields } from './fields.ts';
import { checkSpecSchema } from './schema.ts';
import { checkMetadata } from './metadata.ts';
import { CORE_TOP_LEVEL, checkCore } from './core.ts';
import { withDefaults } from './defaults.ts';
import { checkHTTPRoute } from './rules-httproute.ts';
import { checkGRPCRoute } from './rules-grpcroute.ts';
import { checkGateway, checkListenerSet } from './rules-gateway.ts';
import { checkBackendTLSPolicy } from './rules-policy.ts';
import { checkTLSRoute } from './rules-tlsroute.ts';
import { checkL4Route } from './rules-common.ts';
import { checkListTypes } from './lists.ts';
import { checkExtraSchema } from './extra-schema.ts';

export { formatPath, type FieldError, type ValidationResult, type PathStep } from './types.ts';
export { withDefaults } from './defaults.ts';

/** The validation rules of each Gateway API kind, run on the defaulted spec. */
const RULES: Readonly<Record<string, (spec: any, errs: ErrorList) => void>> = {
  HTTPRoute: checkHTTPRoute,
  GRPCRoute: checkGRPCRoute,
  Gateway: checkGateway,
  ListenerSet: checkListenerSet,
  BackendTLSPolicy: checkBackendTLSPolicy,
  TLSRoute: checkTLSRoute,
  TCPRoute: checkL4Route,
  UDPRoute: checkL4Route,
};

const GATEWAY_TOP_LEVEL = ['spec', 'status'];

/** Validates one object. Never throws: anything wrong is a FieldError. */
export function validateObject(input: K8sObject): ValidationResult {
  const errs = new ErrorList();
  const warnings: string[] = [];
  if (!isObject(input)) {
    errs.add([], 'an object must be a map with apiVersion, kind and metadata');
    return { errors: errs.errors, warnings };
  }
  // Status is never validated (it is the controller's to write): it is not copied either.
  const { status, ...rest } = input;
  const obj = dropNulls(rest) as K8sObject;
  if (status !== undefined && status !== null) obj.status = status;
  const info = kindOf(obj, errs);
  if (!info) return { errors: errs.errors, warnings };
  checkTopLevel(obj, info, errs);
  checkMetadata(info.kind, obj.metadata, errs);
  if (info.gatewayApi) checkGatewayKind(obj, info, errs);
  else checkCore(obj, errs);
  return { errors: errs.errors, warnings };
}

/** Resolves apiVersion/kind to a stored kind, reporting what is missing or unknown. */
function kindOf(obj: K8sObject, errs: ErrorList): KindInfo | undefined {
  if (typeof obj.apiVersion !== 'string' || obj.apiVersion === '') errs.add(['apiVersion'], 'Required value');
  if (typeof obj.kind !== 'string' || obj.kind === '') errs.add(['kind'], 'Required value');
  if (errs.errors.length) return undefined;
  const info = kindInfo(groupOf(obj.apiVersion), obj.kind);
  if (!info) {
    errs.add(['kind'], `no kind "${obj.kind}" is registered for version "${obj.apiVersion}"`);
    return undefined;
  }
  const version = obj.apiVersion.slice(obj.apiVersion.indexOf('/') + 1);
  if (version !== info.version && !info.deprecatedVersions.includes(version)) {
    errs.add(['apiVersion'], `no kind "${obj.kind}" is registered for version "${obj.apiVersion}"`);
    return undefined;
  }
  return info;
}

function checkTopLevel(obj: K8sObject, info: KindInfo, errs: ErrorList): void {
  const allowed = new Set(['apiVersion', 'kind', 'metadata', ...(info.gatewayApi ? GATEWAY_TOP_LEVEL : CORE_TOP_LEVEL[info.kind] ?? [])]);
  for (const key of Object.keys(obj)) {
    if (!allowed.has(key)) errs.add([key], `unknown field "${key}"`);
  }
}

function checkGatewayKind(obj: K8sObject, info: KindInfo, errs: ErrorList): void {
  if (obj.spec === undefined) {
    errs.add(['spec'], 'Required value');
    return;
  }
  for (const e of checkSpecSchema(info.kind, obj.spec)) errs.errors.push(e);
  if (!isObject(obj.spec)) return;
  unknownFields(obj.spec, SPEC_FIELDS[info.kind] ?? {}, ['spec'], errs.errors);
  checkExtraSchema(info.kind, obj.spec, errs);
  checkListTypes(info.kind, obj.spec, errs);
  RULES[info.kind]?.(withDefaults(info.kind, obj.spec), errs);
}

/**
 * The API server drops null values of fields that are not nullable before it validates, so
 * `hostname: null` (or `hostname: ~` in YAML) means "not set"; none of these kinds has a nullable field.
 */
export function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) if (val !== null) out[k] = dropNulls(val);
  return out;
}
