// Rebuilds the Solidity project behind @oceanprotocol/contracts 0.6.9 from
// the package itself: each Truffle artifact embeds its contract's source
// and the compiler metadata (source unit names, compiler version, optimizer,
// EVM version). Writes every source at its unit name under DEST (so
// `project:/contracts/balancer/BPool.sol` becomes DEST/project:/contracts/...)
// and a foundry.toml with the original settings, so that
// `tsp build --root DEST` compiles the same input the package was built from.
//
// usage: node scripts/ocean-0.6.9-sources.js ARTIFACTS_DIR DEST
'use strict';
const fs = require('fs');
const path = require('path');

const [artifactsDir, dest] = process.argv.slice(2);
if (!artifactsDir || !dest) {
  console.error('usage: node scripts/ocean-0.6.9-sources.js ARTIFACTS_DIR DEST');
  process.exit(2);
}

const sources = {};
const needed = new Set();
let settings = null;
let version = null;
for (const file of fs.readdirSync(artifactsDir).filter((f) => f.endsWith('.json')).sort()) {
  const artifact = JSON.parse(fs.readFileSync(path.join(artifactsDir, file), 'utf8'));
  if (!artifact.metadata || !artifact.source) continue;
  const metadata = JSON.parse(artifact.metadata);
  const [unit] = Object.keys(metadata.settings.compilationTarget);
  sources[unit] = artifact.source;
  Object.keys(metadata.sources).forEach((name) => needed.add(name));
  const thisVersion = metadata.compiler.version.split('+')[0];
  if (version && version !== thisVersion) {
    console.error(`${file}: compiled with ${thisVersion}, others with ${version}`);
    process.exit(1);
  }
  version = thisVersion;
  settings = metadata.settings;
}
const missing = [...needed].filter((name) => !(name in sources));
if (missing.length > 0) {
  console.error(`no artifact embeds these sources: ${missing.join(', ')}`);
  process.exit(1);
}
for (const [unit, content] of Object.entries(sources)) {
  const target = path.join(dest, unit);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, content);
}
const toml = [
  '# Settings of @oceanprotocol/contracts 0.6.9, read from its artifacts\' metadata.',
  '[profile.default]',
  'src = "."',
  `solc_version = "${version}"`,
  `evm_version = "${settings.evmVersion}"`,
  `optimizer = ${settings.optimizer.enabled}`,
  `optimizer_runs = ${settings.optimizer.runs}`,
  '',
].join('\n');
fs.writeFileSync(path.join(dest, 'foundry.toml'), toml);
console.log(`wrote ${Object.keys(sources).length} sources and foundry.toml (solc ${version}) into ${dest}`);
