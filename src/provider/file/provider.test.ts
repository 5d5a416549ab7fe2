import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, unlinkSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../store/store.ts';
import { FileProvider, SOURCE_FILE_ANNOTATION } from './provider.ts';

const cm = (name: string, value: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  v: "${value}"\n`;

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-files-'));
  const store = new Store();
  const logs: string[] = [];
  const parsed: string[] = [];
  const provider = new FileProvider({ paths: [dir], store, log: (l) => logs.push(l), onParse: (f) => parsed.push(f) });
  const value = (name: string) => store.get('', 'ConfigMap', 'default', name)?.data?.v;
  const cleanup = async () => {
    await provider.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, store, logs, parsed, provider, value, cleanup };
}

test('initial load applies every valid object with its source file', async () => {
  const t = setup();
  try {
    writeFileSync(join(t.dir, 'a.yaml'), `${cm('one', '1')}---\n${cm('two', '2')}`);
    writeFileSync(join(t.dir, 'bad.yaml'), cm('Bad_Name', 'x'));
    await t.provider.start();
    assert.equal(t.value('one'), '1');
    assert.equal(t.value('two'), '2');
    assert.equal(t.store.get('', 'ConfigMap', 'default', 'one')?.metadata.annotations?.[SOURCE_FILE_ANNOTATION], join(t.dir, 'a.yaml'));
    assert.equal(t.logs.length, 1);
    assert.match(t.logs[0], /bad\.yaml:4:9: metadata\.name: Invalid value: "Bad_Name"/);
  } finally {
    await t.cleanup();
  }
});

test('edits: removed objects are deleted, invalid ones keep their last good version', async () => {
  const t = setup();
  try {
    const file = join(t.dir, 'a.yaml');
    writeFileSync(file, `${cm('one', '1')}---\n${cm('two', '2')}`);
    await t.provider.start();
    writeFileSync(file, `${cm('one', '1b')}`);
    await t.provider.rescan();
    assert.equal(t.value('one'), '1b');
    assert.equal(t.value('two'), undefined, 'removed from the file → deleted');
    writeFileSync(file, `${cm('one', '1c')}bogus: 1\n`);
    await t.provider.rescan();
    assert.equal(t.value('one'), '1b', 'invalid → last good version kept');
    assert.ok(t.logs.some((l) => l.includes('bogus: unknown field "bogus"')));
    const logged = t.logs.length;
    await t.provider.rescan();
    assert.equal(t.logs.length, logged, 'an unchanged file is not logged again');
  } finally {
    await t.cleanup();
  }
});

test('a file that fails to parse keeps everything; a deleted file deletes its objects', async () => {
  const t = setup();
  try {
    const file = join(t.dir, 'a.yaml');
    writeFileSync(file, `${cm('one', '1')}---\n${cm('two', '2')}`);
    await t.provider.start();
    writeFileSync(file, 'apiVersion: v1\nkind: [ConfigMap\n');
    await t.provider.rescan();
    assert.equal(t.value('one'), '1');
    assert.equal(t.value('two'), '2');
    assert.ok(t.logs.some((l) => l.startsWith(`${file}:`)));
    unlinkSync(file);
    await t.provider.rescan();
    assert.equal(t.value('one'), undefined);
    assert.equal(t.value('two'), undefined);
  } finally {
    await t.cleanup();
  }
});

test('two files defining one object: the first wins, the second gets an error', async () => {
  const t = setup();
  try {
    writeFileSync(join(t.dir, 'a.yaml'), cm('same', 'a'));
    writeFileSync(join(t.dir, 'b.yaml'), cm('same', 'b'));
    await t.provider.start();
    assert.equal(t.value('same'), 'a');
    assert.ok(t.logs.some((l) => l.startsWith(`${join(t.dir, 'b.yaml')}:4:9: metadata.name: ConfigMap same is already defined in`)));
    unlinkSync(join(t.dir, 'a.yaml'));
    await t.provider.rescan();
    assert.equal(t.value('same'), 'b', 'the other definition takes over');
  } finally {
    await t.cleanup();
  }
});

test('watching picks up a rename-replace save without a restart', async () => {
  const t = setup();
  try {
    const file = join(t.dir, 'a.yaml');
    writeFileSync(file, cm('w', '1'));
    await t.provider.start();
    const changed = new Promise<void>((resolve) => {
      const stop = t.store.watch((ev) => {
        if (ev.object.metadata.name === 'w' && ev.type === 'MODIFIED') {
          stop();
          resolve();
        }
      });
    });
    writeFileSync(join(t.dir, '.a.yaml.tmp'), cm('w', '2'));
    renameSync(join(t.dir, '.a.yaml.tmp'), file);
    await changed;
    assert.equal(t.value('w'), '2');
  } finally {
    await t.cleanup();
  }
});

/** Resolves when the store reports `type` for ConfigMap `name`. */
function storeEvent(store: Store, name: string, type: 'ADDED' | 'MODIFIED' | 'DELETED'): Promise<void> {
  return new Promise((resolve) => {
    const stop = store.watch((ev) => {
      if (ev.object.metadata.name === name && ev.type === type) {
        stop();
        resolve();
      }
    });
  });
}

test('a file renamed in is the only one parsed; an error in it names its exact line', async () => {
  const t = setup();
  try {
    for (const f of ['a', 'b', 'c']) writeFileSync(join(t.dir, `${f}.yaml`), cm(f, '1'));
    await t.provider.start();
    assert.equal(t.parsed.length, 3);
    const tmp = mkdtempSync(join(tmpdir(), 'gatehouse-files-tmp-'));
    writeFileSync(join(tmp, 'new.yaml'), `${cm('fresh', '1')}---
${cm('Bad_Name', 'x')}`);
    const added = storeEvent(t.store, 'fresh', 'ADDED');
    renameSync(join(tmp, 'new.yaml'), join(t.dir, 'new.yaml'));
    await added;
    rmSync(tmp, { recursive: true, force: true });
    assert.deepEqual(t.parsed.slice(3), [join(t.dir, 'new.yaml')], 'unchanged files are not parsed again');
    assert.ok(t.logs.some((l) => l.startsWith(`${join(t.dir, 'new.yaml')}:11:9: metadata.name: Invalid value: "Bad_Name"`)), t.logs.join('\n'));
    await t.provider.rescan();
    assert.equal(t.parsed.length, 4, 'a rescan reads every file but parses none whose text is unchanged');
  } finally {
    await t.cleanup();
  }
});

test('a save that drops objects is applied after the quiet period, and deletes them', async () => {
  const t = setup();
  try {
    const file = join(t.dir, 'a.yaml');
    writeFileSync(file, `${cm('keep', '1')}---\n${cm('drop', '1')}`);
    await t.provider.start();
    const deleted = storeEvent(t.store, 'drop', 'DELETED');
    writeFileSync(join(t.dir, '.a.yaml.tmp'), cm('keep', '2'));
    renameSync(join(t.dir, '.a.yaml.tmp'), file);
    await deleted;
    assert.equal(t.value('keep'), '2');
    assert.equal(t.value('drop'), undefined);
  } finally {
    await t.cleanup();
  }
});

test('a directory moved in is loaded; moved out, its objects are deleted', async () => {
  const t = setup();
  try {
    await t.provider.start();
    const outside = mkdtempSync(join(tmpdir(), 'gatehouse-files-sub-'));
    mkdirSync(join(outside, 'sub'));
    writeFileSync(join(outside, 'sub', 'x.yaml'), cm('inner', '1'));
    writeFileSync(join(outside, 'sub', '.hidden.yaml'), cm('hidden', '1'));
    const added = storeEvent(t.store, 'inner', 'ADDED');
    renameSync(join(outside, 'sub'), join(t.dir, 'sub'));
    await added;
    assert.equal(t.value('hidden'), undefined, 'dotfiles are skipped');
    const deleted = storeEvent(t.store, 'inner', 'DELETED');
    renameSync(join(t.dir, 'sub'), join(outside, 'sub'));
    await deleted;
    assert.equal(t.value('inner'), undefined);
    rmSync(outside, { recursive: true, force: true });
  } finally {
    await t.cleanup();
  }
});

test('JSON files: a conflict is reported at the exact line of the losing name', async () => {
  const t = setup();
  try {
    const json = (v: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'same' }, data: { v } }, null, 2);
    writeFileSync(join(t.dir, 'a.json'), json('a'));
    writeFileSync(join(t.dir, 'b.json'), json('b'));
    await t.provider.start();
    assert.equal(t.value('same'), 'a');
    assert.ok(t.logs.some((l) => l.startsWith(`${join(t.dir, 'b.json')}:5:13: metadata.name: ConfigMap same is already defined in`)), t.logs.join('\n'));
  } finally {
    await t.cleanup();
  }
});
