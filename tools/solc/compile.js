// Reads a solc standard-JSON input on stdin, compiles it with the pinned
// solc-js, and writes the standard-JSON output on stdout. Imports are
// resolved relative to the directory given as the first argument.
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const root = process.argv[2] || process.cwd();

function findImports(importPath) {
  const full = path.resolve(root, importPath);
  if (!full.startsWith(path.resolve(root))) {
    return { error: `import outside the source root: ${importPath}` };
  }
  try {
    return { contents: fs.readFileSync(full, 'utf8') };
  } catch (e) {
    return { error: `cannot read import ${importPath}: ${e.message}` };
  }
}

if (process.argv.includes('--version')) {
  process.stdout.write(solc.version() + '\n');
  process.exit(0);
}

const input = fs.readFileSync(0, 'utf8');
const output = solc.compile(input, { import: findImports });
const parsed = JSON.parse(output);
parsed.solcVersion = solc.version();
process.stdout.write(JSON.stringify(parsed));
