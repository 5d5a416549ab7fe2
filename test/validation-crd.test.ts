/**
 * Holds Gatehouse's admission verdicts against the upstream CRDs themselves. At test time the CRDs
 * in ../shared/gateway-api/crds are compiled into an oracle — ajv for the OpenAPI schema (with the
 * CRD defaults applied and unknown fields rejected, as strict field validation does) and
 * @bufbuild/cel for every x-kubernetes-validations rule at the node it is attached to — and the
 * oracle's valid/invalid verdict is compared with validateObject on three corpora: the conformance
 * manifests (valid upstream), the hand-written invalid cases in testdata/validation/invalid, and
 * mutations of the valid objects generated here from the schema.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { Ajv } from 'ajv';
import { celEnv, celFunc, CelScalar, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { RE2JS } from 're2js';
import { validateObject, formatPath, dropNulls } from '../src/api/validate/index.ts';
import { convertToStored } from '../src/api/convert.ts';
import type { K8sObject } from '../src/api/object.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SHARED = resolve(ROOT, '..', 'shared');
const CRDS = join(SHARED, 'gateway-api', 'crds');
const GROUP = 'gateway.networking.k8s.io';

// ---------------------------------------------------------------------------------------------
// The oracle
// ---------------------------------------------------------------------------------------------

/** Words CEL reserves; Kubernetes exposes properties with these names as `__name__`. */
const CEL_RESERVED = new Set(['as', 'break', 'const', 'continue', 'else', 'false', 'for', 'function', 'if', 'import',
  'in', 'let', 'loop', 'package', 'namespace', 'null', 'return', 'true', 'var', 'void', 'while']);
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

type Schema = Record<string, any>;
interface KindSchema { schema: Schema; validate: ReturnType<Ajv['compile']> }

const celEnvironment = celEnv({
  funcs: [...strings, celFunc('isIP', [CelScalar.STRING], CelScalar.BOOL, (s) => isIP(s) !== 0)],
  re2: { compile: (p: string) => { const r = RE2JS.compile(p); return { test: (t: string) => r.matcher(t).find() }; } },
});
const planned = new Map<string, ((ctx: any) => unknown) | Error>();
/** Rules the oracle could not evaluate (parse/plan failures), reported at the end. */
const unevaluable = new Set<string>();
/** Transition rules (oldSelf): they only apply to updates, which a file never is. */
const transitionRules = new Set<string>();

function compileRule(rule: string): ((ctx: any) => unknown) | Error {
  let p = planned.get(rule);
  if (!p) {
    try {
      p = plan(celEnvironment, parse(rule)) as (ctx: any) => unknown;
    } catch (err) {
      p = err as Error;
      unevaluable.add(rule);
    }
    planned.set(rule, p);
  }
  return p;
}

/** Copies the OpenAPI schema into something ajv accepts with Kubernetes' semantics. */
function toAjvSchema(s: Schema, inMetadata = false): Schema {
  if (!s || typeof s !== 'object') return s;
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-kubernetes-') || k === 'description') continue;
    if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as Schema).map(([n, c]) => [n, toAjvSchema(c)]));
    else if (k === 'items' || k === 'additionalProperties') out[k] = typeof v === 'object' ? toAjvSchema(v) : v;
    else out[k] = v;
  }
  if (s['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  // Strict field validation: a field not in the schema is an error, except in free-form objects.
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined && !inMetadata) out.additionalProperties = false;
  return out;
}

function loadCrds(channel: string): Map<string, KindSchema> {
  const ajv = new Ajv({ strict: false, allErrors: true, useDefaults: true });
  // The formats the API server checks; the others in these CRDs (int32, int64, date-time) only
  // constrain status or are implied by type.
  ajv.addFormat('ipv4', (s: string) => isIP(s) === 4);
  ajv.addFormat('ipv6', (s: string) => isIP(s) === 6);
  for (const f of ['int32', 'int64', 'date-time']) ajv.addFormat(f, true);
  const kinds = new Map<string, KindSchema>();
  for (const f of readdirSync(join(CRDS, channel)).filter((n) => n.startsWith(`${GROUP}_`))) {
    for (const doc of parseAllDocuments(readFileSync(join(CRDS, channel, f), 'utf8'))) {
      const crd = doc.toJS();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      const v1 = crd.spec.versions.find((v: any) => v.storage || v.name === 'v1');
      const stored = crd.spec.versions.find((v: any) => v.name === 'v1') ?? v1;
      const schema = structuredClone(stored.schema.openAPIV3Schema);
      delete schema.properties.status; // create ignores status (status subresource)
      kinds.set(crd.spec.names.kind, { schema, validate: ajv.compile(toAjvSchema(schema)) });
    }
  }
  return kinds;
}

/** The schema value converted to CEL input: integers become ints, objects maps, reserved names escaped. */
function toCel(v: unknown, s: Schema | undefined): unknown {
  if (Array.isArray(v)) return v.map((x) => toCel(x, s?.items));
  if (typeof v === 'number') return Number.isInteger(v) && s?.type !== 'number' ? BigInt(v) : v;
  if (v && typeof v === 'object') {
    const m = new Map<string, unknown>();
    for (const [k, x] of Object.entries(v)) {
      const child = s?.properties?.[k] ?? (typeof s?.additionalProperties === 'object' ? s.additionalProperties : undefined);
      const name = s?.properties && CEL_RESERVED.has(k) ? `__${k}__` : k;
      m.set(name, toCel(x, child));
    }
    return m;
  }
  return v;
}

/** Evaluates every rule below `s` against `v`; returns the failures as "path: message". */
function celFailures(v: unknown, s: Schema | undefined, path: string, out: string[]): void {
  if (v === undefined || !s) return;
  for (const r of s['x-kubernetes-validations'] ?? []) {
    if (/\boldSelf\b/.test(r.rule)) {
      transitionRules.add(r.rule);
      continue;
    }
    const fn = compileRule(r.rule);
    if (fn instanceof Error) continue;
    const res = fn({ self: toCel(v, s) });
    if (res !== true) out.push(`${path}: ${r.message ?? r.rule}${isCelError(res) ? ` (error: ${(res as any).message})` : ''}`);
  }
  if (Array.isArray(v)) v.forEach((x, i) => celFailures(x, s.items, `${path}[${i}]`, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const child = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      celFailures(x, child, `${path}.${k}`, out);
    }
  }
}

/** x-kubernetes-list-type: items of a set, and keys of a map list, are unique. */
function listTypeFailures(v: unknown, s: Schema | undefined, path: string, out: string[]): void {
  if (v === undefined || !s) return;
  if (Array.isArray(v)) {
    const type = s['x-kubernetes-list-type'];
    const keys: string[] = s['x-kubernetes-list-map-keys'] ?? [];
    if (type === 'set' || type === 'map') {
      const ids = v.map((x) => JSON.stringify(type === 'set' ? x : keys.map((k) => (x as any)?.[k])));
      if (new Set(ids).size !== ids.length) out.push(`${path}: Duplicate value`);
    }
    v.forEach((x, i) => listTypeFailures(x, s.items, `${path}[${i}]`, out));
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) listTypeFailures(x, s.properties?.[k], `${path}.${k}`, out);
  }
}

/** The oracle's verdict: the reasons an object is invalid (empty when valid). */
function oracle(kinds: Map<string, KindSchema>, input: K8sObject): string[] {
  const obj = structuredClone(dropNulls(convertToStored(input).obj)) as K8sObject;
  delete obj.status;
  const k = kinds.get(obj.kind);
  if (!k) return [`unknown kind ${obj.kind}`];
  const out: string[] = [];
  const name = obj.metadata?.name;
  if (typeof name !== 'string' || name.length > 253 || !DNS_SUBDOMAIN.test(name)) out.push('metadata.name: invalid');
  // The API server defaults before it validates: a first pass fills the defaults in.
  k.validate(obj);
  if (!k.validate(obj)) for (const e of k.validate.errors ?? []) out.push(`${e.instancePath}: ${e.message}`);
  listTypeFailures(obj, k.schema, '', out);
  celFailures(obj, k.schema, '', out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Corpora
// ---------------------------------------------------------------------------------------------

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const full = join(dir, e);
    if (statSync(full).isDirectory()) out.push(...yamlFiles(full));
    else if (/\.ya?ml$/.test(e)) out.push(full);
  }
  return out.sort();
}

interface Case { name: string; obj: K8sObject; site?: string }

/**
 * The conformance suite rewrites some fields before applying (environment.json applierTransforms):
 * placeholders for the GatewayClass name, the controller name and static addresses. Same here,
 * with empty address pools.
 */
function applierTransforms(obj: any): any {
  if (obj?.kind === 'GatewayClass' && obj.spec) obj.spec.controllerName = 'gatehouse.dev/gateway-controller';
  if (obj?.kind === 'Gateway' && obj.spec) {
    obj.spec.gatewayClassName = 'gateway-conformance';
    if (Array.isArray(obj.spec.addresses)) {
      const fake = obj.spec.addresses.filter((a: any) => a?.type === 'test/fake-invalid-type');
      if (fake.length) obj.spec.addresses = fake;
      else delete obj.spec.addresses;
    }
  }
  return obj;
}

function gatewayObjects(file: string, label: string, transform = false): Case[] {
  const out: Case[] = [];
  parseAllDocuments(readFileSync(file, 'utf8')).forEach((doc, i) => {
    const obj = transform ? applierTransforms(doc.toJS()) : doc.toJS();
    if (obj && typeof obj.apiVersion === 'string' && obj.apiVersion.startsWith(`${GROUP}/`)) {
      out.push({ name: `${label}#${i} ${obj.kind} ${obj.metadata?.name}`, obj });
    }
  });
  return out;
}

function conformanceCorpus(): Case[] {
  const root = join(SHARED, 'conformance');
  const files = [...yamlFiles(join(root, 'manifests')), join(root, 'base', 'manifests.yaml'), join(root, 'mesh', 'manifests.yaml')];
  return files.flatMap((f) => gatewayObjects(f, f.slice(root.length + 1), true));
}

function invalidCorpus(): Case[] {
  const dir = join(ROOT, 'testdata', 'validation', 'invalid');
  return yamlFiles(dir).flatMap((f) => gatewayObjects(f, f.slice(dir.length + 1)));
}

/** Schema-guided perturbations of a valid object: each breaks (or tries to break) one constraint. */
function mutations(base: Case, kinds: Map<string, KindSchema>): Case[] {
  const k = kinds.get(convertToStored(base.obj).obj.kind);
  if (!k) return [];
  const out: Case[] = [];
  const add = (what: string, fn: (o: any) => void, target: (string | number)[]): void => {
    const obj = structuredClone(base.obj);
    fn(at(obj, target.slice(0, -1)));
    const site = `${obj.kind} ${what} at ${formatPath(target)}`;
    out.push({ name: `${base.name} ${what} at ${formatPath(target)}`, obj, site });
  };
  const walk = (v: unknown, s: Schema | undefined, path: (string | number)[]): void => {
    if (!s || v === undefined) return;
    const last = path[path.length - 1];
    const set = (x: unknown) => (o: any) => { o[last] = x; };
    if (path.length > 1 && typeof v === 'string') {
      if (s.enum) add('wrong enum', set(`${v}x`), path);
      if (s.maxLength !== undefined) add('too long', set('a'.repeat(s.maxLength + 1)), path);
      if (s.pattern) add('bad pattern', set('Not_Valid!'), path);
      if (s.minLength) add('empty', set(''), path);
    }
    if (typeof v === 'number') {
      if (s.maximum !== undefined) add('above maximum', set(s.maximum + 1), path);
      if (s.minimum !== undefined) add('below minimum', set(s.minimum - 1), path);
      add('wrong type', set(String(v)), path);
    }
    if (Array.isArray(v)) {
      if (v.length > 0) add('duplicated item', (o) => o[last].push(structuredClone(v[0])), path);
      if (s.minItems) add('emptied', set([]), path);
      v.forEach((x, i) => walk(x, s.items, [...path, i]));
    } else if (v && typeof v === 'object') {
      if (s.properties && path.length > 0) add('unknown field', (o) => { o[last] = { ...o[last], bogusField: 'x' }; }, path);
      for (const r of s.required ?? []) if (r in v && path.length > 0) add(`missing ${r}`, (o) => { delete o[last][r]; }, path);
      for (const [key, x] of Object.entries(v)) walk(x, s.properties?.[key], [...path, key]);
    }
  };
  walk(base.obj.spec, k.schema.properties.spec, ['spec']);
  return out;
}

function at(obj: any, path: (string | number)[]): any {
  return path.reduce((o, s) => o[s], obj);
}

/** Compares both verdicts on every case; returns the disagreements, precisely. */
function disagreements(kinds: Map<string, KindSchema>, cases: Case[]): string[] {
  const out: string[] = [];
  for (const c of cases) {
    const want = oracle(kinds, c.obj);
    const got = validateObject(convertToStored(c.obj).obj).errors;
    if ((want.length > 0) !== (got.length > 0)) {
      const ours = got.map((e) => `${formatPath(e.path)}: ${e.message}`).join('; ') || 'valid';
      out.push(`${c.name}\n    CRD oracle: ${want.join('; ') || 'valid'}\n    Gatehouse:  ${ours}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

const kinds = loadCrds('experimental');

test('the conformance manifests are valid for the CRDs and for Gatehouse', () => {
  const cases = conformanceCorpus();
  assert.ok(cases.length > 100, `expected the conformance corpus, found ${cases.length} objects`);
  const oracleInvalid = cases.filter((c) => oracle(kinds, c.obj).length > 0).map((c) => c.name);
  assert.deepEqual(oracleInvalid, [], 'conformance objects the CRDs reject');
  const diff = disagreements(kinds, cases);
  assert.equal(diff.length, 0, `disagreements:\n${diff.join('\n')}`);
});

test('every hand-written invalid case is invalid for both', () => {
  const cases = invalidCorpus();
  assert.ok(cases.length >= 40, `expected at least 40 invalid cases, found ${cases.length}`);
  const oracleValid = cases.filter((c) => oracle(kinds, c.obj).length === 0).map((c) => c.name);
  assert.deepEqual(oracleValid, [], 'cases the CRDs accept (the case does not break what it says)');
  const diff = disagreements(kinds, cases);
  assert.equal(diff.length, 0, `disagreements:\n${diff.join('\n')}`);
});

/**
 * At most three mutations per (kind, mutation, field path): the conformance objects repeat the
 * same shapes many times, and this keeps the run to a few seconds without losing any distinct site.
 */
function sampled(cases: Case[]): Case[] {
  const count = new Map<string, number>();
  return cases.filter((c) => {
    const key = c.site ?? c.name;
    const n = count.get(key) ?? 0;
    count.set(key, n + 1);
    return n < 3;
  });
}

test('schema-guided mutations of valid objects get the same verdict', () => {
  const cases = sampled(conformanceCorpus().flatMap((c) => mutations(c, kinds)));
  assert.ok(cases.length > 500, `expected many mutations, got ${cases.length}`);
  const diff = disagreements(kinds, cases);
  assert.equal(diff.length, 0, `${diff.length} of ${cases.length} disagree:\n${diff.slice(0, 40).join('\n')}`);
});

test('the standard channel is a subset of experimental (rule variants listed)', () => {
  const std = loadCrds('standard');
  const rules = (s: Schema, acc: Set<string>): Set<string> => {
    for (const r of s?.['x-kubernetes-validations'] ?? []) acc.add(r.rule);
    for (const c of Object.values(s?.properties ?? {})) rules(c as Schema, acc);
    if (s?.items) rules(s.items, acc);
    return acc;
  };
  let variants = 0;
  for (const [kind, k] of std) {
    assert.ok(kinds.has(kind), `${kind} is in standard but not experimental`);
    const exp = rules(kinds.get(kind)!.schema, new Set());
    // Standard drops experimental-only fields, so a rule may appear in a narrower form there;
    // the object corpora above run against experimental, the superset Gatehouse implements.
    variants += [...rules(k.schema, new Set())].filter((r) => !exp.has(r)).length;
  }
  console.log(`standard-channel rule variants not verbatim in experimental: ${variants}`);
  assert.ok(std.size >= 10, `expected the ten standard kinds, found ${std.size}`);
});

test('every CRD rule was evaluated (none unevaluable)', () => {
  if (transitionRules.size) console.log(`skipped ${transitionRules.size} transition rule(s) (oldSelf): ${[...transitionRules].join(' | ')}`);
  assert.deepEqual([...unevaluable], [], 'rules @bufbuild/cel could not plan');
});
