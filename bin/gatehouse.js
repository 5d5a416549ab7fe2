#!/usr/bin/env node
// Gatehouse's command-line entry. The sources are TypeScript run by Node's built-in type stripping
// (Node >= 22.19), so there is no build step; this file only checks the Node version first, because
// on an older Node the import below fails with an error that does not say what is wrong.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `gatehouse: Node.js >= 22.19 is required (this is ${process.version}).\n` +
      `Run it through npm, which uses the Node 24 the project pins: \`npx gatehouse ...\` or \`npm start\`.\n`,
  );
  process.exit(2);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
