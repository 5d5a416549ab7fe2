/**
 * The field names of every Gateway API object, for strict field validation: the structural schema
 * of the installed models accepts any extra field, but `kubectl apply` (strict by default) and
 * Gatehouse reject one, so that a misspelt field never silently does nothing.
 *
 * A `Fields` maps each known field to the shape below it, or to LEAF for a scalar, a list of
 * scalars, or a free-form string map. Lists are transparent: a list of objects uses the element's
 * Fields. The experimental channel is the superset, so it is the one described.
 */
import { type PathStep, isObject, formatPath, type FieldError } from './types.ts';

/** Marks a field whose contents are not checked for unknown names. */
export const LEAF = 0;
/** Known field names and what is below each. */
export type Fields = { readonly [name: string]: Fields | typeof LEAF };

const L = LEAF;
const leaves = (...names: string[]): Fields => Object.fromEntries(names.map((n) => [n, L]));

const LABEL_SELECTOR: Fields = { matchLabels: L, matchExpressions: leaves('key', 'operator', 'values') };
const PARENT_REF = leaves('group', 'kind', 'name', 'namespace', 'sectionName', 'port');
const BACKEND_OBJ_REF = leaves('group', 'kind', 'name', 'namespace', 'port');
const LOCAL_OBJ_REF = leaves('group', 'kind', 'name');
const SECRET_REF = leaves('group', 'kind', 'name', 'namespace');
const HEADER_MODIFIER: Fields = { set: leaves('name', 'value'), add: leaves('name', 'value'), remove: L };
const MIRROR: Fields = { backendRef: BACKEND_OBJ_REF, percent: L, fraction: leaves('numerator', 'denominator') };
const PATH_MODIFIER = leaves('type', 'replaceFullPath', 'replacePrefixMatch');
const SESSION: Fields = {
  type: L,
  absoluteTimeout: L,
  cookie: leaves('name', 'path', 'lifetimeType'),
  header: leaves('name'),
};

const HTTP_FILTER: Fields = {
  type: L,
  requestHeaderModifier: HEADER_MODIFIER,
  responseHeaderModifier: HEADER_MODIFIER,
  requestMirror: MIRROR,
  requestRedirect: { scheme: L, hostname: L, path: PATH_MODIFIER, port: L, statusCode: L },
  urlRewrite: { hostname: L, path: PATH_MODIFIER },
  extensionRef: LOCAL_OBJ_REF,
  cors: leaves('allowOrigins', 'allowCredentials', 'allowMethods', 'allowHeaders', 'exposeHeaders', 'maxAge'),
  externalAuth: {
    protocol: L,
    backendRef: BACKEND_OBJ_REF,
    grpc: leaves('allowedHeaders'),
    http: leaves('path', 'allowedHeaders', 'allowedResponseHeaders'),
    forwardBody: leaves('maxSize'),
  },
};
const GRPC_FILTER: Fields = {
  type: L,
  requestHeaderModifier: HEADER_MODIFIER,
  responseHeaderModifier: HEADER_MODIFIER,
  requestMirror: MIRROR,
  extensionRef: LOCAL_OBJ_REF,
};

const ROUTE_COMMON: Fields = { parentRefs: PARENT_REF, useDefaultGateways: L };
const L4_BACKEND = leaves('group', 'kind', 'name', 'namespace', 'port', 'weight');

const LISTENER: Fields = {
  name: L,
  hostname: L,
  port: L,
  protocol: L,
  tls: { mode: L, certificateRefs: SECRET_REF, options: L },
  allowedRoutes: { namespaces: { from: L, selector: LABEL_SELECTOR }, kinds: leaves('group', 'kind') },
};

const FRONTEND_VALIDATION: Fields = { caCertificateRefs: SECRET_REF, mode: L };

/** The spec fields of each Gateway API kind. */
export const SPEC_FIELDS: Readonly<Record<string, Fields>> = {
  GatewayClass: { controllerName: L, description: L, parametersRef: leaves('group', 'kind', 'name', 'namespace') },
  Gateway: {
    gatewayClassName: L,
    listeners: LISTENER,
    addresses: leaves('type', 'value'),
    infrastructure: { labels: L, annotations: L, parametersRef: LOCAL_OBJ_REF },
    allowedListeners: { namespaces: { from: L, selector: LABEL_SELECTOR } },
    tls: {
      backend: { clientCertificateRef: SECRET_REF },
      frontend: {
        default: { validation: FRONTEND_VALIDATION },
        perPort: { port: L, tls: { validation: FRONTEND_VALIDATION } },
      },
    },
    defaultScope: L,
  },
  HTTPRoute: {
    ...ROUTE_COMMON,
    hostnames: L,
    rules: {
      name: L,
      matches: {
        path: leaves('type', 'value'),
        headers: leaves('type', 'name', 'value'),
        queryParams: leaves('type', 'name', 'value'),
        method: L,
      },
      filters: HTTP_FILTER,
      backendRefs: { ...BACKEND_OBJ_REF, weight: L, filters: HTTP_FILTER },
      timeouts: leaves('request', 'backendRequest'),
      retry: leaves('codes', 'attempts', 'backoff'),
      sessionPersistence: SESSION,
    },
  },
  GRPCRoute: {
    ...ROUTE_COMMON,
    hostnames: L,
    rules: {
      name: L,
      matches: { method: leaves('type', 'service', 'method'), headers: leaves('type', 'name', 'value') },
      filters: GRPC_FILTER,
      backendRefs: { ...BACKEND_OBJ_REF, weight: L, filters: GRPC_FILTER },
      sessionPersistence: SESSION,
    },
  },
  TLSRoute: { ...ROUTE_COMMON, hostnames: L, rules: { name: L, backendRefs: L4_BACKEND } },
  TCPRoute: { ...ROUTE_COMMON, rules: { name: L, backendRefs: L4_BACKEND } },
  UDPRoute: { ...ROUTE_COMMON, rules: { name: L, backendRefs: L4_BACKEND } },
  ReferenceGrant: { from: leaves('group', 'kind', 'namespace'), to: leaves('group', 'kind', 'name') },
  ListenerSet: { parentRef: leaves('group', 'kind', 'name', 'namespace'), listeners: LISTENER },
  BackendTLSPolicy: {
    targetRefs: leaves('group', 'kind', 'name', 'sectionName'),
    validation: {
      caCertificateRefs: LOCAL_OBJ_REF,
      wellKnownCACertificates: L,
      hostname: L,
      subjectAltNames: leaves('type', 'hostname', 'uri'),
    },
    options: L,
  },
};

/** The fields ObjectMeta may carry in a manifest. */
export const METADATA_FIELDS: Fields = leaves(
  'name', 'generateName', 'namespace', 'labels', 'annotations', 'uid', 'resourceVersion', 'generation',
  'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'ownerReferences', 'finalizers',
  'managedFields', 'selfLink',
);

/**
 * Reports every field of `value` not named in `fields`, recursively, as kubectl's strict field
 * validation does: `unknown field "spec.rules[0].bogus"`.
 */
export function unknownFields(value: unknown, fields: Fields, path: PathStep[], out: FieldError[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => unknownFields(item, fields, [...path, i], out));
    return;
  }
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const shape = Object.prototype.hasOwnProperty.call(fields, key) ? fields[key] : undefined;
    const here = [...path, key];
    if (shape === undefined) {
      out.push({ path: here, message: `unknown field "${formatPath(here)}"` });
    } else if (shape !== LEAF) {
      unknownFields(child, shape, here, out);
    }
  }
}
