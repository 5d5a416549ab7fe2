/**
 * The admission hook the admin API runs every write through (validation and apiVersion conversion
 * live elsewhere; this file only adapts their answer to HTTP).
 */
import type { K8sObject } from '../api/object.ts';
import type { KindInfo } from '../api/kinds.ts';
import { failure, type Reply } from './reply.ts';

/** One field error from admission. */
export interface AdmitError {
  path: string;
  message: string;
}

/** What admission answers: the object to store (maybe converted), errors (reject when any), warnings. */
export interface AdmitResult {
  obj: K8sObject;
  errors: AdmitError[];
  warnings: string[];
}

/** Validates and converts an object before it is written. */
export type Admit = (obj: K8sObject) => AdmitResult | Promise<AdmitResult>;

/** The admitted object and warnings, or a 422 Invalid reply (carrying the warnings too). */
export type Admitted = { obj: K8sObject; warnings: string[] } | { reply: Reply };

/** Runs `admit` (when given) on a candidate object. */
export async function runAdmission(admit: Admit | undefined, obj: K8sObject, info: KindInfo): Promise<Admitted> {
  if (!admit) return { obj, warnings: [] };
  const r = await admit(obj);
  const warnings = Array.isArray(r?.warnings) ? r.warnings.map(String) : [];
  const errors = Array.isArray(r?.errors) ? r.errors : [];
  if (errors.length === 0 && r?.obj) return { obj: r.obj, warnings };
  if (errors.length === 0) errors.push({ path: '', message: 'admission returned no object' });
  const reply = invalid(info, obj.metadata?.name ?? '', errors);
  reply.warnings = warnings;
  return { reply };
}

/** A 422 Invalid reply listing field errors, worded as kube-apiserver words them. */
export function invalid(info: KindInfo, name: string, errors: readonly AdmitError[]): Reply {
  const qualified = info.group ? `${info.kind}.${info.group}` : info.kind;
  const each = errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
  const list = each.length === 1 ? each[0] : `[${each.join(', ')}]`;
  return failure(422, 'Invalid', `${qualified} "${name}" is invalid: ${list}`, {
    name,
    group: info.group,
    kind: info.kind,
    causes: errors.map((e) => ({ field: e.path, message: e.message })),
  });
}
