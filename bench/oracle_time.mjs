// Time of the reference WIT resolver (wit-parser compiled to wasm, shipped in
// the npm package @bytecodealliance/jco) on package directories, measured
// in-process: the module is loaded once, then each package is resolved
// repeatedly with the same scheme as bench_wit (about N ms per package in K
// rounds; the best of the rounds' median iteration times).
//
// usage: node oracle_time.mjs [--time-ms N] [--rounds K] DIR...
// Prints one line per package:  DIR<TAB>ITERS<TAB>BEST_NS
// and first two lines starting with '#':
//   #method<TAB>what one iteration does
//   #fixed<TAB>NS   (one iteration on a package of one empty world: the cost
//                    that does not depend on the input)
//
// The cheapest entry point that resolves a path is wasm-tools'
// componentWitMetadataForWorld: Resolve::push_path, select_world and a listing
// of the world's imports and exports; it generates no code.  Without it,
// js-component-bindgen's generateTypes is timed, which also emits TypeScript.
// Either way the files are read through the WASI filesystem shim of jco.

import { join } from 'node:path';
import { homedir, tmpdir } from 'node:os';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';

const root = process.env.WIT_ORACLE_HOME ||
  join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'wit-oracle');
const transpile = join(root, 'node_modules/@bytecodealliance/jco-transpile');

function args() {
  const a = { timeMs: 1000, rounds: 5, dirs: [] };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--time-ms') a.timeMs = Number(argv[++i]);
    else if (argv[i] === '--rounds') a.rounds = Number(argv[++i]);
    else a.dirs.push(argv[i]);
  }
  if (!a.dirs.length || !(a.timeMs > 0) || !(a.rounds >= 1)) {
    console.error('usage: node oracle_time.mjs [--time-ms N] [--rounds K] DIR...');
    process.exit(2);
  }
  return a;
}

// A resolver: resolve(path, world) throws the reference's message on failure.
async function loadResolver() {
  const shim = join(transpile, 'node_modules/@bytecodealliance/preview2-shim/dist/nodejs/filesystem.js');
  const { _setPreopens } = await import(shim);
  _setPreopens({ '/': '/' });
  try {
    const w = await import(join(transpile, 'vendor/wasm-tools.js'));
    await w.$init;
    if (typeof w.tools?.componentWitMetadataForWorld === 'function') {
      return {
        method: 'wasm-tools componentWitMetadataForWorld (resolve + select world, no codegen)',
        resolve: (path, world) => w.tools.componentWitMetadataForWorld({ tag: 'path', val: path }, world),
      };
    }
  } catch { /* fall back to the type generator below */ }
  const m = await import(join(transpile, 'vendor/js-component-bindgen-component.js'));
  await m.$init;
  return {
    method: 'js-component-bindgen generateTypes (resolve + TypeScript generation)',
    resolve: (path, world) => m.generateTypes('x', { wit: { tag: 'path', val: path }, world,
      tlaCompat: false, guest: false, features: { tag: 'list', val: [] } }),
  };
}

function message(e) {
  return String(e?.payload ?? e);
}

// The world to name for PATH: none, or the first when the package has several.
function chooseWorld(r, path) {
  try {
    r.resolve(path, undefined);
    return undefined;
  } catch (e) {
    const many = message(e).match(/There are multiple worlds in [^;]*; one must be explicitly chosen:\s*\n\s*(\S+)/);
    if (!many) throw e;
    return many[1];
  }
}

function median(xs) {
  xs.sort((a, b) => a - b);
  const h = xs.length >> 1;
  return xs.length % 2 ? xs[h] : (xs[h - 1] + xs[h]) / 2;
}

// { iters, bestNs } for resolving PATH, as bench_wit measures rdylib.
function measure(r, path, timeMs, rounds) {
  const world = chooseWorld(r, path);
  const once = () => {
    const t0 = performance.now();
    r.resolve(path, world);
    return (performance.now() - t0) * 1e6;
  };
  const first = once();
  const iters = Math.min(1e6, Math.max(3, Math.floor(timeMs * 1e6 / rounds / Math.max(first, 1))));
  let best = Infinity;
  for (let k = 0; k < rounds; k++) {
    const samples = [];
    for (let i = 0; i < iters; i++) samples.push(once());
    best = Math.min(best, median(samples));
  }
  return { iters, bestNs: best };
}

const a = args();
let r;
try {
  r = await loadResolver();
} catch (e) {
  console.error(`oracle_time: cannot load the reference resolver from ${root}: ${e.message}`);
  process.exit(3);
}
console.log(`#method\t${r.method}`);

// The engine compiles the wasm in tiers: warm it on every input first, so
// that the first package measured is not the one that pays for it.
for (let k = 0; k < 3; k++) {
  for (const dir of a.dirs) {
    try { r.resolve(dir, chooseWorld(r, dir)); } catch { /* reported below */ }
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'oracle-time-'));
try {
  writeFileSync(join(tmp, 'empty.wit'), 'package bench:empty;\nworld w {}\n');
  const fixed = measure(r, tmp, Math.min(a.timeMs, 300), a.rounds);
  console.log(`#fixed\t${fixed.bestNs.toFixed(0)}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

let failed = false;
for (const dir of a.dirs) {
  try {
    const { iters, bestNs } = measure(r, dir, a.timeMs, a.rounds);
    console.log(`${dir}\t${iters}\t${bestNs.toFixed(0)}`);
  } catch (e) {
    console.error(`oracle_time: ${dir}: ${message(e).split('\n')[0]}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
