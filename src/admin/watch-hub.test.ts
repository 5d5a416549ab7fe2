import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../store/store.ts';
import { WatchHub, eventVersion } from './watch-hub.ts';

const cm = (name: string, v: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v } });

test('the history keeps only the last N events, oldest first, and reports older versions as too old', () => {
  const store = new Store();
  const hub = new WatchHub(store, 3);
  try {
    const start = store.resourceVersion;
    for (let i = 0; i < 5; i++) store.apply(cm('a', String(i)));
    const kept = hub.history();
    assert.equal(kept.length, 3, 'bounded by count');
    assert.deepEqual(kept.map((ev) => ev.object.data.v), ['2', '3', '4']);
    assert.deepEqual(kept.map(eventVersion), [store.resourceVersion - 2, store.resourceVersion - 1, store.resourceVersion]);
    assert.equal(hub.subscribe(() => {}, start).past, undefined, 'evicted events make an older version too old');
    const since = store.resourceVersion - 2;
    assert.deepEqual(hub.subscribe(() => {}, since).past?.map((ev) => ev.object.data.v), ['3', '4']);
  } finally {
    hub.close();
  }
});

test('before the history is full, every event since the hub started is replayed', () => {
  const store = new Store();
  const hub = new WatchHub(store, 10);
  try {
    const start = store.resourceVersion;
    store.apply(cm('b', '1'));
    store.apply(cm('b', '2'));
    assert.deepEqual(hub.subscribe(() => {}, start).past?.map((ev) => `${ev.type} ${ev.object.data.v}`), ['ADDED 1', 'MODIFIED 2']);
  } finally {
    hub.close();
  }
});
