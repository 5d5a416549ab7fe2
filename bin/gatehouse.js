#!/usr/bin/env node
// Gatehouse's command-line entry. The sources are TypeScript run by Node's built-in type stripping
// (Node >= 22.19), so there is no build step; this file only checks the Node version first, because
// on an older Node the import below fails with an error that does not say what is wrong.
import * as nodeModule from 'node:module';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `gatehouse: Node.js >= 22.19 is required (this is ${process.version}).\n` +
      `Run it through npm, which uses the Node 24 the project pins: \`npx gatehouse ...\` or \`npm start\`.\n`,
  );
  process.exit(2);
}

// Memory of the long-running server. `run` executes itself again (same pid, process.execve) with V8 flags
// that must be set before V8 starts; worker processes inherit them:
// - --max-semi-space-size: on a machine with a few GB of RAM, V8 lets each young-generation semi-space
//   grow to 64 MiB: about 128 MiB of RSS for a generation whose live data between two scavenges is a few
//   hundred KiB (in-flight requests). Capped at GATEHOUSE_SEMI_SPACE_MB (default 4), the young generation
//   stays at ~8 MiB; the cost is more frequent scavenges, each as cheap as what survives it.
//   GATEHOUSE_SEMI_SPACE_MB=0 keeps V8's default.
// - --expose-gc: lets the runtime hand the initial load's garbage back to the OS once (src/runtime/heap.ts).
const semiSpaceMb = process.env.GATEHOUSE_SEMI_SPACE_MB ?? '4';
const flags = [];
if (!process.execArgv.includes('--expose-gc')) flags.push('--expose-gc');
const semiFlagged = process.execArgv.some((a) => a.startsWith('--max-semi-space-size'));
if (!semiFlagged && /^[1-9]\d*$/.test(semiSpaceMb)) flags.push(`--max-semi-space-size=${semiSpaceMb}`);
if (process.argv[2] === 'run' && flags.length > 0 && typeof process.execve === 'function') {
  process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)], process.env);
}

// Compiled code and type-stripped sources are cached on disk (NODE_COMPILE_CACHE, else the OS temp dir;
// NODE_DISABLE_COMPILE_CACHE=1 turns it off): later starts skip loading the TypeScript stripper, about
// 10 MiB of RSS, and start faster.
nodeModule.enableCompileCache();

const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
