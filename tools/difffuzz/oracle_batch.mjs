// Batch form of the reference WIT oracle (shared tools/wit-oracle/oracle.mjs):
// the same resolver module, loaded once, judging many inputs.
//
// usage: node oracle_batch.mjs [--json] [PATH...]
//   With no PATH arguments, paths are read from stdin, one per line, and each
//   answer is printed as soon as it is known (usable as a coprocess).
//   Output, one line per input:  PATH<TAB>ok   or   PATH<TAB>error: FIRST LINE
//   --json prints {"path":..,"ok":..,"error":..} per line with the full message.
//
// The verdict logic must stay identical to oracle.mjs: features ['active'],
// retry with the first listed world when several worlds exist, and accept a
// package that has no world.  The module lives in WIT_ORACLE_HOME (default
// $XDG_CACHE_HOME/wit-oracle or ~/.cache/wit-oracle), installed by the shared
// `wit-oracle/run` on first use.

import { join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';

const root = process.env.WIT_ORACLE_HOME ||
  join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'wit-oracle');
const transpile = join(root, 'node_modules/@bytecodealliance/jco-transpile');
const shim = join(transpile, 'node_modules/@bytecodealliance/preview2-shim/dist/nodejs/filesystem.js');
const bindgen = pathToFileURL(join(transpile, 'vendor/js-component-bindgen-component.js')).href;

let m;
let generation = 0;

// A trap leaves a component instance unusable, so a fresh copy of the module
// (a distinct URL is a distinct module instance) is loaded after each one.
async function load() {
  m = await import(generation === 0 ? bindgen : `${bindgen}?instance=${generation}`);
  await m.$init;
  generation++;
}

function attempt(path, world) {
  try {
    m.generateTypes('x', { wit: { tag: 'path', val: path }, world, tlaCompat: false,
                           guest: false, features: { tag: 'list', val: ['active'] } });
    return null;
  } catch (e) {
    return { msg: String(e.payload ?? e), trap: e instanceof WebAssembly.RuntimeError };
  }
}

// The oracle's verdict for one input: null when it resolves, else the message.
async function judge(arg) {
  const path = resolve(arg);
  let err = attempt(path, undefined);
  const many = err && err.msg.match(/There are multiple worlds in [^;]*; one must be explicitly chosen:\s*\n\s*(\S+)/);
  if (many) err = attempt(path, many[1]);
  if (err && /contains no worlds/.test(err.msg)) err = null;
  if (err && err.trap) await load();
  return err ? err.msg.trim() : null;
}

function report(path, err, json) {
  if (json)
    console.log(JSON.stringify({ path, ok: err === null, error: err }));
  else
    console.log(`${path}\t${err === null ? 'ok' : 'error: ' + err.split('\n')[0]}`);
}

try {
  const { _setPreopens } = await import(shim);
  _setPreopens({ '/': '/' });
  await load();
} catch (e) {
  console.error(`oracle_batch: cannot load the reference resolver from ${root}: ${e.message}`);
  console.error('oracle_batch: run the shared wit-oracle/run once to install it');
  process.exit(2);
}

const json = process.argv.includes('--json');
const paths = process.argv.slice(2).filter((a) => a !== '--json');
if (paths.length) {
  for (const p of paths) report(p, await judge(p), json);
} else {
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    report(line, await judge(line), json);
  }
}
