// reference_site.mjs: the site of an older commit, built once in a worktree of its own
// (build/bench-reference/REV; third_party and node_modules shared), for benchmarks that print our
// figures beside the code before.
//   import { REFERENCE_COMMIT, referenceSite } from './reference_site.mjs';
//   const dir = referenceSite(REFERENCE_COMMIT);   // minutes the first time
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';

export const REFERENCE_COMMIT = '0338bf9';  // main before issue 12's work (the code it measured)
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

export function referenceSite(commit) {
  const dir = path.join(root, 'build', 'bench-reference', commit);
  const site = path.join(dir, 'build', 'wasm', 'site');
  if (existsSync(path.join(site, 'scalecalc_app.wasm'))) return site;
  if (!existsSync(dir)) {
    mkdirSync(path.dirname(dir), { recursive: true });
    execFileSync('git', ['-C', root, 'worktree', 'add', '--detach', dir, commit], { stdio: 'inherit' });
    for (const link of ['third_party', 'node_modules']) symlinkSync(path.join(root, link), path.join(dir, link));
  }
  console.log(`building the reference site at ${commit} in ${dir} ...`);
  execFileSync('bash', ['scripts/build.sh', 'wasm'], {
    cwd: dir, stdio: 'inherit', env: { ...process.env, NODE_PATH: '/usr/share/nodejs' },
  });
  return site;
}
