import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, unlinkSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../store/store.ts';
import { FileProvider, SOURCE_FILE_ANNOTATION } from './provider.ts';

const cm = (name: string, value: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  v: "${value}"\n`;

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-files-'));
  const store = new Store();
  const logs: string[] = [];
  const provider = new FileProvider({ paths: [dir], store, log: (l) => logs.push(l) });
  const value = (name: string) => store.get('', 'ConfigMap', 'default', name)?.data?.v;
  const cleanup = async () => {
    await provider.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, store, logs, provider, value, cleanup };
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
