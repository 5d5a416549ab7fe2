import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionsMatch, findCondition, latestGeneration, listenersMismatch, parentsForRouteMatch } from './match.ts';

const accepted = { type: 'Accepted', status: 'True', reason: 'Accepted', observedGeneration: 2 };
const programmed = { type: 'Programmed', status: 'False', reason: 'Invalid', observedGeneration: 2 };

test('findCondition: "" status or reason means any', () => {
  assert.equal(findCondition([accepted], 'Accepted', 'True', ''), true);
  assert.equal(findCondition([accepted], 'Accepted', '', 'Accepted'), true);
  assert.equal(findCondition([accepted], 'Accepted', 'False', ''), false);
  assert.equal(findCondition([accepted], 'Programmed'), false);
});

test('conditionsMatch needs at least as many actual conditions, extras are fine', () => {
  assert.equal(conditionsMatch([{ type: 'Accepted', status: 'True' }], [accepted, programmed]), true);
  assert.equal(conditionsMatch([{ type: 'Accepted' }, { type: 'Accepted' }], [accepted]), false);
  assert.equal(conditionsMatch([{ type: 'Programmed', status: 'True' }], [accepted, programmed]), false);
});

test('latestGeneration compares every observedGeneration with metadata.generation', () => {
  assert.equal(latestGeneration({ metadata: { generation: 2 } }, [accepted, programmed]), true);
  assert.equal(latestGeneration({ metadata: { generation: 3 } }, [accepted]), false);
  assert.equal(latestGeneration({ metadata: { generation: 3 } }, []), true);
});

const expectedParent = {
  parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw', namespace: 'infra', sectionName: 'http' },
  controllerName: 'ctl',
  conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted' }],
};

test('parents match on controller, optional group/kind/namespace and conditions, not sectionName', () => {
  const actual = { parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw', namespace: 'infra', sectionName: 'other' }, controllerName: 'ctl', conditions: [accepted] };
  assert.equal(parentsForRouteMatch([expectedParent], [actual], true), true);
  assert.equal(parentsForRouteMatch([expectedParent], [{ ...actual, controllerName: 'x' }], true), false);
  const noGroup = { ...actual, parentRef: { kind: 'Gateway', name: 'gw', namespace: 'infra' } };
  assert.equal(parentsForRouteMatch([expectedParent], [noGroup], true), false, 'an expected group does not match an absent one');
});

test('an absent actual namespace is tolerated only when the namespace is not required', () => {
  const actual = { parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }, controllerName: 'ctl', conditions: [accepted] };
  assert.equal(parentsForRouteMatch([expectedParent], [actual], false), true);
  assert.equal(parentsForRouteMatch([expectedParent], [actual], true), false);
  const wrongNs = { ...actual, parentRef: { ...actual.parentRef, namespace: 'other' } };
  assert.equal(parentsForRouteMatch([expectedParent], [wrongNs], false), false);
});

test('listener status matching: count, kinds (default group), attachedRoutes, conditions', () => {
  const expected = [{ name: 'http', supportedKinds: [{ kind: 'HTTPRoute' }], attachedRoutes: 1, conditions: [{ type: 'Accepted', status: 'True' }] }];
  const good = [{ name: 'http', supportedKinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }, { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute' }], attachedRoutes: 1, conditions: [accepted] }];
  assert.equal(listenersMismatch(expected, good), '');
  assert.match(listenersMismatch(expected, [...good, { name: 'x' }]), /expected 1 listener/);
  assert.match(listenersMismatch(expected, [{ ...good[0], attachedRoutes: 0 }]), /attachedRoutes 0/);
  assert.match(listenersMismatch(expected, [{ ...good[0], supportedKinds: [{ kind: 'GRPCRoute' }] }]), /supportedKinds/);
  assert.match(listenersMismatch([{ name: 'http', supportedKinds: [], attachedRoutes: 1, conditions: [] }], good), /supportedKinds/, 'empty expected kinds require empty actual');
});
