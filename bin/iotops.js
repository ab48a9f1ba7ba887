#!/usr/bin/env node
// iotops is TypeScript run natively by Node 24 (type stripping); this shim only loads it. `npx iotops` and
// `npm run iotops` find the Node 24 that `npm install` puts in node_modules (a devDependency) first on the PATH.
// Run any other way on an older Node, it says so in one line instead of failing on the first type annotation.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `iotops runs on Node 24, this is Node ${process.versions.node}: run it as \`npx iotops …\` in the project ` +
      '(after `npm install`), which uses the Node 24 installed there',
  );
  process.exit(1);
}
await import('../src/main.ts');
