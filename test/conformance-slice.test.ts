/**
 * A fast slice of GATEWAY-HTTP core conformance tests run through the real `gatehouse
 * conformance` command (Gatehouse as a child process, echo workloads, request ops). Every test of
 * the slice must pass, the summary line must say so, and the report must count them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SLICE = [
  'HTTPRouteSimpleSameNamespace',
  'HTTPRouteExactPathMatching',
  'HTTPRouteHeaderMatching',
  'HTTPRouteCrossNamespace',
  'HTTPRouteListenerHostnameMatching',
  'GatewayWithAttachedRoutes',
];

function runCommand(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'gatehouse.js'), 'conformance', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('a GATEWAY-HTTP core slice passes through `gatehouse conformance`', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-slice-'));
  try {
    const report = path.join(dir, 'report.yaml');
    // Scaled-down limits keep a broken build from hanging for the upstream 300 s readiness wait.
    const { code, stdout, stderr } = await runCommand(['--run', SLICE.join(','), '--report', report, '--timeout-scale', '0.25']);
    const lines = stdout.trimEnd().split('\n');
    const context = `stdout:\n${stdout.slice(-4000)}\nstderr:\n${stderr.slice(-2000)}`;
    for (const name of SLICE) assert.ok(lines.some((l) => l.startsWith(`PASS  ${name} `)), `${name} did not pass\n${context}`);
    assert.match(lines[lines.length - 1], new RegExp(`^${SLICE.length} passed, 0 failed, \\d+ skipped$`), context);
    assert.equal(code, 0, context);
    const doc = parse(readFileSync(report, 'utf8'));
    const http = doc.profiles.find((p: any) => p.name === 'GATEWAY-HTTP');
    assert.equal(http.core.statistics.Passed, SLICE.length);
    assert.equal(http.core.statistics.Failed, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
