// Candid interop: hubctl's codec against the reference JavaScript implementation (@icp-sdk/core).
//   node candid_interop.mjs [PATH/TO/hubctl]      (default: ../../build/hubctl, or $HUBCTL)
// For every case (a) JS encodes the value, `hubctl candid decode` must print exactly the didc text, and
// (b) `hubctl candid encode` of that text must decode in JS to the same value. Ends with "N passed, M failed".
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IDL } from '@icp-sdk/core/candid';
import { Principal } from '@icp-sdk/core/principal';

const here = dirname(fileURLToPath(import.meta.url));
const hubctl = resolve(process.argv[2] ?? process.env.HUBCTL ?? join(here, '../../build/hubctl'));

const P = (t) => Principal.fromText(t);
const canister = 'ryjl3-tyaaa-aaaaa-aaaba-cai';
const bytes = (...b) => new Uint8Array(b);
const ascii = (s) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));

// A recursive type needs a .did file (type definitions); the others use --types.
const listDid = `type List = opt record { v : nat; n : List };
service : { walk : (List) -> (nat, List) query }
`;
const List = IDL.Rec();
List.fill(IDL.Opt(IDL.Record({ v: IDL.Nat, n: List })));
const greetFunc = IDL.Func([IDL.Text], [IDL.Text], ['query']);

// Expected texts follow didc's printer (candid crate, IDLArgs Display): numbers annotated with their type and
// digits grouped by "_", floats with a ".0" when integral, text escaped like Rust's str::escape_debug, blobs
// as blob "…" (escaped per byte), null as `null : null`, reserved as `null : reserved`. All are short enough
// (<= 80 columns) that didc prints them on one line.
const cases = [
  { name: 'null', types: '(null)', idl: [IDL.Null], value: [null], text: '(null : null)' },
  { name: 'bool', types: '(bool, bool)', idl: [IDL.Bool, IDL.Bool], value: [true, false], text: '(true, false)' },
  { name: 'nat small', types: '(nat, nat)', idl: [IDL.Nat, IDL.Nat], value: [0n, 1234567n],
    text: '(0 : nat, 1_234_567 : nat)' },
  { name: 'nat 2^64+1', types: '(nat)', idl: [IDL.Nat], value: [2n ** 64n + 1n],
    text: '(18_446_744_073_709_551_617 : nat)' },
  { name: 'nat 2^100', types: '(nat)', idl: [IDL.Nat], value: [2n ** 100n],
    text: '(1_267_650_600_228_229_401_496_703_205_376 : nat)' },
  { name: 'int small', types: '(int, int, int)', idl: [IDL.Int, IDL.Int, IDL.Int], value: [-1n, 42n, 0n],
    text: '(-1 : int, 42 : int, 0 : int)' },
  { name: 'int -2^70', types: '(int)', idl: [IDL.Int], value: [-(2n ** 70n)],
    text: '(-1_180_591_620_717_411_303_424 : int)' },
  { name: 'int 2^64', types: '(int)', idl: [IDL.Int], value: [2n ** 64n],
    text: '(18_446_744_073_709_551_616 : int)' },
  { name: 'nat8 nat16 nat32 max', types: '(nat8, nat16, nat32)', idl: [IDL.Nat8, IDL.Nat16, IDL.Nat32],
    value: [255, 65535, 4294967295], text: '(255 : nat8, 65_535 : nat16, 4_294_967_295 : nat32)' },
  { name: 'nat8 nat16 nat32 zero', types: '(nat8, nat16, nat32)', idl: [IDL.Nat8, IDL.Nat16, IDL.Nat32],
    value: [0, 1000, 7], text: '(0 : nat8, 1_000 : nat16, 7 : nat32)' },
  { name: 'nat64', types: '(nat64, nat64)', idl: [IDL.Nat64, IDL.Nat64], value: [18446744073709551615n, 0n],
    text: '(18_446_744_073_709_551_615 : nat64, 0 : nat64)' },
  { name: 'int8 int16 int32 min', types: '(int8, int16, int32)', idl: [IDL.Int8, IDL.Int16, IDL.Int32],
    value: [-128, -32768, -2147483648], text: '(-128 : int8, -32_768 : int16, -2_147_483_648 : int32)' },
  { name: 'int8 int16 int32 max', types: '(int8, int16, int32)', idl: [IDL.Int8, IDL.Int16, IDL.Int32],
    value: [127, 32767, 2147483647], text: '(127 : int8, 32_767 : int16, 2_147_483_647 : int32)' },
  { name: 'int64', types: '(int64, int64)', idl: [IDL.Int64, IDL.Int64],
    value: [-9223372036854775808n, 9223372036854775807n],
    text: '(-9_223_372_036_854_775_808 : int64, 9_223_372_036_854_775_807 : int64)' },
  { name: 'float32', types: '(float32, float32, float32)', idl: [IDL.Float32, IDL.Float32, IDL.Float32],
    value: [1.5, -3, Math.fround(0.1)], text: '(1.5 : float32, -3.0 : float32, 0.1 : float32)' },
  { name: 'float64', types: '(float64, float64, float64, float64)',
    idl: [IDL.Float64, IDL.Float64, IDL.Float64, IDL.Float64], value: [0.1, -2.5, 3, 0.000001],
    text: '(0.1 : float64, -2.5 : float64, 3.0 : float64, 0.000001 : float64)' },
  { name: 'text unicode', types: '(text, text)', idl: [IDL.Text, IDL.Text], value: ['héllo, 世界 🚀', ''],
    text: '("héllo, 世界 🚀", "")' },
  { name: 'text escapes', types: '(text)', idl: [IDL.Text], value: ['tab\there "quoted" back\\slash\nnew'],
    text: '("tab\\there \\"quoted\\" back\\\\slash\\nnew")' },
  { name: 'text single quote', types: '(text)', idl: [IDL.Text], value: ["it's"], text: "(\"it\\'s\")" },
  { name: 'text control char', types: '(text)', idl: [IDL.Text], value: ['bell\u0007'], text: '("bell\\u{7}")' },
  { name: 'reserved', types: '(reserved)', idl: [IDL.Reserved], value: [null], text: '(null : reserved)' },
  { name: 'empty in an unchosen variant case', types: '(variant { ok : nat; never : empty })',
    idl: [IDL.Variant({ ok: IDL.Nat, never: IDL.Empty })], value: [{ ok: 5n }], text: '(variant { ok = 5 : nat })' },
  { name: 'opt empty', types: '(opt empty)', idl: [IDL.Opt(IDL.Empty)], value: [[]], text: '(null)' },
  { name: 'opt some/none', types: '(opt nat, opt nat, opt text)', idl: [IDL.Opt(IDL.Nat), IDL.Opt(IDL.Nat), IDL.Opt(IDL.Text)],
    value: [[7n], [], ['x']], text: '(opt (7 : nat), null, opt "x")' },
  { name: 'opt nested', types: '(opt opt nat, opt opt nat, opt opt nat)',
    idl: [IDL.Opt(IDL.Opt(IDL.Nat)), IDL.Opt(IDL.Opt(IDL.Nat)), IDL.Opt(IDL.Opt(IDL.Nat))],
    value: [[[1n]], [[]], []], text: '(opt opt (1 : nat), opt null, null)' },
  { name: 'opt null', types: '(opt null)', idl: [IDL.Opt(IDL.Null)], value: [[null]], text: '(opt (null : null))' },
  { name: 'vec', types: '(vec nat, vec text)', idl: [IDL.Vec(IDL.Nat), IDL.Vec(IDL.Text)], value: [[1n, 2n, 3n], []],
    text: '(vec { 1 : nat; 2 : nat; 3 : nat }, vec {})' },
  { name: 'vec of records', types: '(vec record { x : int8; y : text })',
    idl: [IDL.Vec(IDL.Record({ x: IDL.Int8, y: IDL.Text }))], value: [[{ x: 1, y: 'a' }, { x: -2, y: 'b' }]],
    text: '(vec { record { x = 1 : int8; y = "a" }; record { x = -2 : int8; y = "b" } })' },
  { name: 'blob', types: '(blob, blob, blob)', idl: [IDL.Vec(IDL.Nat8), IDL.Vec(IDL.Nat8), IDL.Vec(IDL.Nat8)],
    value: [bytes(0, 1, 2, 255), ascii('hello'), bytes()], text: '(blob "\\00\\01\\02\\ff", blob "hello", blob "")' },
  { name: 'blob printable with quote', types: '(blob)', idl: [IDL.Vec(IDL.Nat8)], value: [ascii('say "hi"\n')],
    text: '(blob "say \\22hi\\22\\0a")' },
  { name: 'record named', types: '(record { name : text; age : nat8 })',
    idl: [IDL.Record({ name: IDL.Text, age: IDL.Nat8 })], value: [{ name: 'Ada', age: 36 }],
    text: '(record { age = 36 : nat8; name = "Ada" })' },
  { name: 'record tuple', types: '(record { nat; text; bool })', idl: [IDL.Tuple(IDL.Nat, IDL.Text, IDL.Bool)],
    value: [[1n, 'x', true]], text: '(record { 1 : nat; "x"; true })' },
  { name: 'record empty', types: '(record {})', idl: [IDL.Record({})], value: [{}], text: '(record {})' },
  { name: 'variant with payload', types: '(variant { ok : text; err : text })',
    idl: [IDL.Variant({ ok: IDL.Text, err: IDL.Text })], value: [{ err: 'bad' }], text: '(variant { err = "bad" })' },
  { name: 'variant null case', types: '(variant { none; some : nat })',
    idl: [IDL.Variant({ none: IDL.Null, some: IDL.Nat })], value: [{ none: null }], text: '(variant { none })' },
  { name: 'recursive list (--did, args)', did: listDid, method: 'walk', side: 'args', idl: [List],
    value: [[{ v: 1n, n: [{ v: 2n, n: [] }] }]],
    text: '(opt record { n = opt record { n = null; v = 2 : nat }; v = 1 : nat })' },
  { name: 'recursive list (--did, results)', did: listDid, method: 'walk', side: 'results', idl: [IDL.Nat, List],
    value: [3n, []], text: '(3 : nat, null)' },
  { name: 'principal', types: '(principal, principal)', idl: [IDL.Principal, IDL.Principal],
    value: [P('aaaaa-aa'), P(canister)], text: `(principal "aaaaa-aa", principal "${canister}")` },
  { name: 'func', types: '(func (text) -> (text) query)', idl: [greetFunc], value: [[P(canister), 'greet']],
    text: `(func "${canister}".greet)` },
  { name: 'service', types: '(service { greet : (text) -> (text) query })',
    idl: [IDL.Service({ greet: greetFunc })], value: [P(canister)], text: `(service "${canister}")` },
  { name: 'no arguments', types: '()', idl: [], value: [], text: '()' },
  { name: 'several arguments', types: '(nat, text, bool)', idl: [IDL.Nat, IDL.Text, IDL.Bool], value: [1n, 'two', true],
    text: '(1 : nat, "two", true)' },
];

// Structural equality that keeps JS types apart: 1n !== 1, Principals by text, Uint8Arrays by content.
function deepEqual(a, b) {
  if (typeof a !== typeof b) return false;
  if (a === null || b === null || typeof a !== 'object') return Object.is(a, b);
  if (a instanceof Principal || b instanceof Principal) {
    return a instanceof Principal && b instanceof Principal && a.toText() === b.toText();
  }
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    return ArrayBuffer.isView(a) && ArrayBuffer.isView(b) && a.constructor === b.constructor &&
      a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
}

const show = (v) => {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Principal) return `Principal(${v.toText()})`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}[${[...v].join(',')}]`;
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}: ${show(x)}`).join(', ')}}`;
  return JSON.stringify(v);
};
const toHex = (u8) => Buffer.from(u8).toString('hex');
const fromHex = (h) => new Uint8Array(Buffer.from(h, 'hex'));

const tmp = mkdtempSync(join(tmpdir(), 'hubctl-js-'));
function typeArgs(c, verb) {
  if (!c.did) return ['--types', c.types];
  const file = join(tmp, `${c.method}.did`);
  writeFileSync(file, c.did);
  const side = verb === 'decode' ? (c.side === 'args' ? ['--args'] : []) : (c.side === 'results' ? ['--results'] : []);
  return ['--did', file, '--method', c.method, ...side];
}
function run(args) {
  const r = spawnSync(hubctl, ['candid', ...args], { encoding: 'utf8', timeout: 30000 });
  if (r.error) return { err: `could not run ${hubctl}: ${r.error.message}` };
  if (r.status !== 0) return { err: `exit ${r.status}: ${r.stderr.trim()}` };
  return { out: r.stdout.replace(/\n$/, '') };
}

let passed = 0, failed = 0;
function report(ok, label, detail) {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}${ok ? '' : `\n     ${detail}`}`);
}

const haveHubctl = existsSync(hubctl);
if (!haveHubctl) console.log(`FAIL ${hubctl} does not exist (build it: cmake --build build --target hubctl)`);

for (const c of cases) {
  // The case itself: JS must round-trip its own value, and didc would print the text on one line.
  let jsHex;
  try {
    jsHex = toHex(IDL.encode(c.idl, c.value));
    const back = IDL.decode(c.idl, fromHex(jsHex));
    if (!deepEqual(back, c.value)) throw new Error(`JS round trip gives ${show(back)}`);
    if (c.text.length > 80) throw new Error('expected text is longer than 80 columns (didc would wrap it)');
  } catch (e) {
    report(false, `${c.name}: case definition`, e.message);
    continue;
  }
  if (!haveHubctl) { failed += 2; continue; }

  // (a) JS encodes, hubctl decodes to the didc text.
  const dec = run(['decode', ...typeArgs(c, 'decode'), jsHex]);
  report(dec.out === c.text, `${c.name}: JS encode -> hubctl decode`,
    dec.err ?? `hex ${jsHex}\n     got      ${dec.out}\n     expected ${c.text}`);

  // (b) hubctl encodes the text, JS decodes to the value.
  const enc = run(['encode', ...typeArgs(c, 'encode'), c.text]);
  let detail = enc.err, ok = false;
  if (!enc.err) {
    try {
      const got = IDL.decode(c.idl, fromHex(enc.out));
      ok = deepEqual(got, c.value);
      detail = `hex ${enc.out}\n     got      ${show(got)}\n     expected ${show(c.value)}`;
    } catch (e) {
      detail = `JS cannot decode hubctl's ${enc.out}: ${e.message}`;
    }
  }
  report(ok, `${c.name}: hubctl encode -> JS decode`, detail);
}

// Negative: garbage must fail with a message, not print a value.
if (haveHubctl) {
  const bad = run(['decode', '--types', '(nat)', '4449444c00017c01']);  // an int where a nat is expected
  report(bad.err !== undefined && !/^exit 0/.test(bad.err), 'decode rejects int for nat',
    `expected a non-zero exit, got ${bad.out}`);
  const trunc = run(['decode', '--types', '(text)', '4449444c00017105616263']);  // text claims 5 bytes, has 3
  report(trunc.err !== undefined, 'decode rejects a truncated message', `expected a non-zero exit, got ${trunc.out}`);
}

rmSync(tmp, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
