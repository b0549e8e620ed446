/**
 * The image serves the portal with no build step of its own: a build stage of the Dockerfile builds web/portal
 * with the development packages, and the final stage copies the output where the API reads it (PORTAL_DIST). There
 * is no Docker engine here, so the Dockerfile is read instruction by instruction, and the portal stage's steps are
 * run on a copy of the build context (its `npm ci` replaced by this checkout's node_modules: no registry in tests).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PORTAL_DIST } from '../../api/app';

const ROOT = path.join(__dirname, '..', '..');

jest.setTimeout(180_000);

interface Instruction {
  op: string;
  args: string;
}

interface Stage {
  name: string | null;
  from: string;
  steps: Instruction[];
}

/** Stages of a Dockerfile: instructions with their continuation lines joined, comments dropped. */
function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const m = /^(\S+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile: cannot read "${line}"`);
    const op = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!f) throw new Error(`Dockerfile: cannot read FROM ${args}`);
      stages.push({ from: f[1]!, name: f[2] ?? null, steps: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Dockerfile: ${op} before any FROM`);
    stage.steps.push({ op, args });
  }
  return stages;
}

const dockerfile = () => parseDockerfile(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
const runs = (s: Stage) => s.steps.filter((i) => i.op === 'RUN').map((i) => i.args);
const workdir = (s: Stage) => s.steps.filter((i) => i.op === 'WORKDIR').at(-1)?.args ?? '/';

test('a build stage builds the portal with the development packages; the final stage copies its output where the API serves it', () => {
  const stages = dockerfile();
  const final = stages.at(-1)!;
  const builder = stages.find((s) => s !== final && runs(s).some((r) => /npm run (--silent )?build:portal/.test(r)));
  expect(builder).toBeDefined();
  expect(builder!.name).toBeTruthy();
  // Vite and React's plugin are development packages: the build stage installs them.
  const install = runs(builder!).find((r) => /^npm (ci|install)\b/.test(r));
  expect(install).toBeDefined();
  expect(install).not.toMatch(/--omit=dev|--production/);
  // The sources are in place before the build runs.
  const copyPortal = builder!.steps.findIndex((i) => i.op === 'COPY' && /\bweb\/portal\b/.test(i.args));
  const build = builder!.steps.findIndex((i) => i.op === 'RUN' && /build:portal/.test(i.args));
  expect(copyPortal).toBeGreaterThanOrEqual(0);
  expect(copyPortal).toBeLessThan(build);

  // The final stage: production packages only, the built portal copied last, at PORTAL_DIST under its WORKDIR.
  expect(runs(final).some((r) => /^npm ci\b.*--omit=dev/.test(r))).toBe(true);
  const fromBuilder = final.steps.findIndex((i) => i.op === 'COPY' && i.args.startsWith(`--from=${builder!.name} `));
  expect(fromBuilder).toBeGreaterThan(final.steps.findIndex((i) => i.op === 'COPY' && i.args === '. .'));
  const [src, dest] = final.steps[fromBuilder]!.args.split(/\s+/).slice(1);
  const servedFrom = path.relative(ROOT, PORTAL_DIST);
  expect(path.posix.resolve(workdir(final), dest!)).toBe(path.posix.join(workdir(final), servedFrom));
  expect(src).toBe(path.posix.join(workdir(builder!), servedFrom));
});

test('.dockerignore keeps this machine’s packages and portal build out of the image', () => {
  const ignored = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'web/portal/dist', '.git']));
});

test('the portal stage’s steps, run on a copy of the build context, produce the page and the assets the API serves', () => {
  const stages = dockerfile();
  const builder = stages.find((s) => runs(s).some((r) => /build:portal/.test(r)))!;
  const ignored = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const keep = (rel: string) => !ignored.some((p) => rel === p || rel.startsWith(`${p}/`));
  const app = fs.mkdtempSync(path.join(os.tmpdir(), 'image-portal-'));
  try {
    for (const step of builder.steps) {
      if (step.op === 'COPY') {
        const parts = step.args.split(/\s+/);
        const dest = parts.pop()!;
        for (const src of parts) {
          fs.cpSync(path.join(ROOT, src), path.join(app, dest.endsWith('/') ? path.basename(src) : dest === './' ? src : dest), {
            recursive: true,
            filter: (from) => keep(path.relative(ROOT, from)),
          });
        }
      } else if (step.op === 'RUN') {
        if (/^npm ci\b/.test(step.args)) {
          // No registry in tests: the same lock's packages, already installed here.
          fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'), 'dir');
          continue;
        }
        execFileSync('bash', ['-c', step.args], { cwd: app, stdio: 'pipe', env: { ...process.env, NODE_ENV: '' } });
      }
    }
    const dist = path.join(app, path.relative(ROOT, PORTAL_DIST));
    const index = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
    const scripts = [...index.matchAll(/<script[^>]*src="\/portal\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const s of scripts) expect(fs.existsSync(path.join(dist, s))).toBe(true);
    // No inline script: the API's Content-Security-Policy allows none.
    expect(index).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  } finally {
    fs.rmSync(app, { recursive: true, force: true });
  }
});
