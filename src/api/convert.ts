/**
 * Version conversion: Gateway API objects written in an older apiVersion are read as the stored
 * version. Every older version the CRDs serve has the same fields as v1 (no renames), so conversion
 * only rewrites apiVersion — and says so, once per object, so users move their manifests forward.
 */
import type { K8sObject } from './object.ts';
import { groupOf } from './object.ts';
import { apiVersionOf, kindInfo } from './kinds.ts';

/** The object in its stored version, with a deprecation warning when it was converted. */
export interface Converted {
  obj: K8sObject;
  warning?: string;
}

/**
 * Converts `obj` to its kind's stored version. Objects already stored-version, of unknown kinds or
 * of unknown versions come back unchanged (validation reports the latter two).
 */
export function convertToStored(obj: K8sObject): Converted {
  if (!obj || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') return { obj };
  const info = kindInfo(groupOf(obj.apiVersion), obj.kind);
  if (!info) return { obj };
  const version = obj.apiVersion.slice(obj.apiVersion.indexOf('/') + 1);
  if (version === info.version || !info.deprecatedVersions.includes(version)) return { obj };
  const stored = apiVersionOf(info);
  return {
    obj: { ...obj, apiVersion: stored },
    warning: `${obj.apiVersion} ${obj.kind} is deprecated; read as ${stored}`,
  };
}
