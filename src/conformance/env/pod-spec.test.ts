import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from '../../api/object.ts';
import { generateSetupObjects } from '../certs.ts';
import { echoModeOf } from '../echo/pod.ts';
import { podName, resolveContainer, templateHash } from './pod-spec.ts';
import { desiredSlice, type EndpointPod } from './endpoints.ts';

const shared = path.resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'conformance');
const base = parseAllDocuments(readFileSync(path.join(shared, 'base', 'manifests.yaml'), 'utf8')).map((d) => d.toJS() as K8sObject).filter(Boolean);
const environment = JSON.parse(readFileSync(path.join(shared, 'environment.json'), 'utf8'));

test('every base Deployment resolves (env, mounted Secrets/ConfigMaps) to the mode the contract names', async () => {
  const generated = await generateSetupObjects(environment);
  const all = [...base, ...generated];
  const index = (kind: string) => new Map(all.filter((o) => o.kind === kind).map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o]));
  const src = { secrets: index('Secret'), configMaps: index('ConfigMap') };
  const modes: Record<string, string> = {};
  for (const dep of base.filter((o) => o.kind === 'Deployment')) {
    const name = podName(dep, templateHash(dep), 0);
    const r = resolveContainer(dep, { name, namespace: dep.metadata.namespace!, ip: '127.20.0.9', labels: {} }, src);
    assert.ok(r.ok, `${dep.metadata.name}: ${!r.ok && r.reason}`);
    if (!r.ok) continue;
    assert.equal(r.env.POD_NAME ?? name, name);
    if (r.env.TLS_SERVER_CERT) assert.match(r.files[r.env.TLS_SERVER_CERT], /BEGIN CERTIFICATE/);
    modes[`${dep.metadata.namespace}/${dep.metadata.name}`] = echoModeOf(r.image, r.env);
    if (dep.metadata.name === 'coredns') assert.match(r.files['/root/Corefile'], /whoami/);
  }
  assert.equal(modes['gateway-conformance-infra/grpc-infra-backend-v1'], 'grpc');
  assert.equal(modes['gateway-conformance-infra/tcp-backend'], 'tcp');
  assert.equal(modes['gateway-conformance-infra/coredns'], 'dns');
  assert.equal(modes['gateway-conformance-app-backend/tls-backend'], 'http');
  assert.equal(Object.keys(modes).length, environment.baseBackends.length);
});

test('slices resolve named target ports and skip pods of other namespaces', () => {
  const svc: K8sObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'a' }, spec: { selector: { app: 'x' }, ports: [{ port: 80, targetPort: 'web' }, { name: 'u', port: 53, protocol: 'UDP' }] } };
  const pod = (name: string, namespace: string): EndpointPod => ({ name, namespace, ip: `127.20.0.${name.length}`, labels: { app: 'x' }, deployment: 'x', containerPorts: [{ name: 'web', containerPort: 3000 }] });
  const slice = desiredSlice(svc, [pod('p1', 'a'), pod('p22', 'b')])!;
  assert.deepEqual(slice.ports, [{ name: '', protocol: 'TCP', port: 3000 }, { name: 'u', protocol: 'UDP', port: 53 }]);
  assert.deepEqual(slice.endpoints.map((e: any) => e.targetRef.name), ['p1']);
  assert.equal(desiredSlice({ ...svc, spec: { ports: [] } }, []), undefined);
});
