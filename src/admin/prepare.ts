/**
 * Checks a request body against the path it was sent to and fills what the path implies, the way
 * kube-apiserver decodes a body "with the URL's group, version and kind as defaults": kind and
 * apiVersion may be omitted but must not contradict the path; the namespace and name on the path win.
 */
import { randomInt } from 'node:crypto';
import type { K8sObject } from '../api/object.ts';
import { groupOf } from '../api/object.ts';
import type { ResourceRoute } from './route.ts';
import { servesVersion, deprecationWarning } from './route.ts';
import { failure, type Reply } from './reply.ts';
import { invalid, type AdmitError } from './admission.ts';

/** True for a plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The apiVersion a path addresses. */
export function pathApiVersion(route: ResourceRoute): string {
  return route.info.group ? `${route.info.group}/${route.version}` : route.version;
}

/** Alphabet Kubernetes uses for generated name suffixes (no vowels, no look-alike digits). */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function generatedSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return s;
}

/** A body ready to write, or why it is not. */
export type Prepared = { obj: K8sObject } | { reply: Reply };

/**
 * The deprecation warning for the apiVersion a body was written in, when that is an older version
 * (the path's version gets its own warning).
 */
export function bodyVersionWarning(obj: K8sObject, route: ResourceRoute): string | undefined {
  const version = obj.apiVersion.slice(obj.apiVersion.indexOf('/') + 1);
  return version === route.version ? undefined : deprecationWarning(route.info, version);
}

/**
 * A copy of `body` ready to write at `route`, or the reply explaining why it cannot be. `create`
 * allows metadata.generateName in place of a name.
 */
export function prepareObject(body: unknown, route: ResourceRoute, create: boolean): Prepared {
  if (!isObject(body)) return { reply: failure(400, 'BadRequest', 'the request body must be a JSON object') };
  // Only the top level and metadata are written below, so only they are copied: the body may share
  // frozen parts with a stored object (a merge patch's result).
  const obj = { ...body } as K8sObject;
  if (isObject(obj.metadata)) obj.metadata = { ...obj.metadata };
  const info = route.info;
  const want = pathApiVersion(route);
  if (obj.kind === undefined) obj.kind = info.kind;
  else if (obj.kind !== info.kind) {
    return { reply: failure(400, 'BadRequest', `the kind of the object (${String(obj.kind)}) does not match the kind on the URL (${info.kind})`) };
  }
  if (obj.apiVersion === undefined) obj.apiVersion = want;
  else if (typeof obj.apiVersion !== 'string' || !sameGroupServed(obj.apiVersion, route)) {
    return { reply: failure(400, 'BadRequest', `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${want})`) };
  }
  if (obj.metadata === undefined) obj.metadata = { name: '' };
  if (!isObject(obj.metadata)) return { reply: failure(400, 'BadRequest', 'metadata must be a JSON object') };
  const meta = obj.metadata;

  if (info.namespaced && route.namespace !== undefined) {
    if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== route.namespace) {
      return { reply: failure(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request') };
    }
    meta.namespace = route.namespace;
  } else if (!info.namespaced) {
    delete meta.namespace;
  }

  if (route.name !== undefined) {
    if (meta.name !== undefined && meta.name !== '' && meta.name !== route.name) {
      return { reply: failure(400, 'BadRequest', `the name of the object (${String(meta.name)}) does not match the name on the URL (${route.name})`) };
    }
    meta.name = route.name;
  } else if (create && (meta.name === undefined || meta.name === '') && typeof meta.generateName === 'string' && meta.generateName) {
    meta.name = meta.generateName + generatedSuffix();
  }
  const errors = metadataErrors(meta, create);
  if (errors.length) return { reply: invalid(info, typeof meta.name === 'string' ? meta.name : '', errors) };
  // apiVersion, kind and metadata first, as Kubernetes prints objects.
  const { apiVersion, kind, metadata, ...rest } = obj;
  return { obj: { apiVersion, kind, metadata, ...rest } };
}

function sameGroupServed(apiVersion: string, route: ResourceRoute): boolean {
  const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
  return groupOf(apiVersion) === route.info.group && servesVersion(route.info, version);
}

/** The checks every object's metadata needs before anything else reads it. */
function metadataErrors(meta: Record<string, unknown>, create: boolean): AdmitError[] {
  const errs: AdmitError[] = [];
  const name = meta.name;
  if (name === undefined || name === '') {
    errs.push({ path: 'metadata.name', message: create ? 'Required value: name or generateName is required' : 'Required value' });
  } else if (typeof name !== 'string') {
    errs.push({ path: 'metadata.name', message: 'Invalid value: must be a string' });
  } else if (name === '.' || name === '..' || /[/%]/.test(name)) {
    errs.push({ path: 'metadata.name', message: `Invalid value: "${name}": may not be '.' or '..' and may not contain '/' or '%'` });
  }
  for (const field of ['labels', 'annotations'] as const) {
    const v = meta[field];
    if (v === undefined || v === null) continue;
    if (!isObject(v) || Object.values(v).some((x) => typeof x !== 'string')) {
      errs.push({ path: `metadata.${field}`, message: 'Invalid value: must be a map of string to string' });
    }
  }
  if (meta.namespace !== undefined && typeof meta.namespace !== 'string') {
    errs.push({ path: 'metadata.namespace', message: 'Invalid value: must be a string' });
  }
  return errs;
}
