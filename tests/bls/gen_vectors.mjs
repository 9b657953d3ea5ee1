// Generates tests/data/bls/noble_vectors.json with @noble/curves (an independent BLS12-381
// implementation) as the oracle for tests/bls/bls_test.cpp. Version used: @noble/curves 2.4.0.
//
//   cd tests/js && npm install            # or any directory whose node_modules has @noble/curves
//   node ../bls/gen_vectors.mjs           # @noble/curves is resolved from the current directory
//
// Everything is deterministic (fixed secrets and messages), so re-running gives the same file.
import { createRequire } from 'node:module';
import { createHash, hkdfSync } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(join(process.cwd(), 'resolve-from-here.js'));
const modPath = require.resolve('@noble/curves/bls12-381.js');
const { bls12_381: bls } = await import(pathToFileURL(modPath).href);
const pkgJson = JSON.parse(readFileSync(join(dirname(modPath), 'package.json'), 'utf8'));

const DST = 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_';
const Fp = bls.fields.Fp, Fp2 = bls.fields.Fp2, Fr = bls.fields.Fr;
const P = Fp.ORDER, R = Fr.ORDER;
const G1 = bls.G1.Point, G2 = bls.G2.Point;
const sigs = bls.shortSignatures;

const hex = (b) => Buffer.from(b).toString('hex');
const enc = (s) => new TextEncoder().encode(s);
const be = (n, len) => n.toString(16).padStart(len * 2, '0');
const sha = (s) => createHash('sha256').update(s).digest();
const mod = (a, m) => ((a % m) + m) % m;

// Messages: empty, short text, the IC certificate message shape (0x0d "ic-state-root" ‖ 32 bytes), a long one.
const messages = [
  '',
  hex(enc('abc')),
  hex(Buffer.concat([Buffer.from([0x0d]), enc('ic-state-root'), sha('hubctl root hash')])),
  hex(Buffer.alloc(1000, 0x61)),
];

// Secret keys: small, near r, and pseudo-random ones derived from fixed labels.
const secrets = [1n, 2n, 0xdeadbeefn, R - 1n];
for (let i = 0; i < 4; i++) secrets.push(mod(BigInt('0x' + hex(sha(`hubctl bls vector ${i}`))), R));

const keys = secrets.map((sk) => {
  const skBytes = Buffer.from(be(sk, 32), 'hex');
  const pk = sigs.getPublicKey(skBytes);
  return {
    sk: be(sk, 32),
    pk: pk.toHex(),
    signatures: messages.map((m) => sigs.sign(sigs.hash(Buffer.from(m, 'hex'), DST), skBytes).toHex()),
  };
});

// KeyGen (draft-irtf-cfrg-bls-signature-05 §2.3) with Node's HKDF (OpenSSL), public key from noble.
function keygen(ikm, info) {
  let salt = enc('BLS-SIG-KEYGEN-SALT-');
  let sk = 0n;
  while (sk === 0n) {
    salt = sha(salt);
    const okm = hkdfSync('sha256', Buffer.concat([ikm, Buffer.from([0])]), salt,
                         Buffer.concat([info, Buffer.from([0, 48])]), 48);
    sk = mod(BigInt('0x' + hex(okm)), R);
  }
  return sk;
}
const keygenVectors = [
  [Buffer.alloc(32, 0), Buffer.alloc(0)],
  [sha('ikm one'), Buffer.alloc(0)],
  [Buffer.concat([sha('ikm two'), sha('more')]), enc('key info')],
].map(([ikm, info]) => {
  const sk = keygen(ikm, info);
  return { ikm: hex(ikm), key_info: hex(info), sk: be(sk, 32),
           pk: sigs.getPublicKey(Buffer.from(be(sk, 32), 'hex')).toHex() };
});

// Verification outcomes according to noble, including wrong message / key / signature.
const verify = [];
for (let k = 0; k < 3; k++) {
  for (let m = 0; m < messages.length; m++) {
    const sig = keys[k].signatures[m], msg = messages[m];
    const wrongMsg = messages[(m + 1) % messages.length];
    const cases = [
      [sig, msg, keys[k].pk],
      [sig, wrongMsg, keys[k].pk],
      [sig, msg, keys[k + 1].pk],
      [keys[k + 1].signatures[m], msg, keys[k].pk],
    ];
    for (const [s, mm, pk] of cases) {
      verify.push({ sig: s, msg: mm, pk, valid: sigs.verify(Buffer.from(s, 'hex'), sigs.hash(Buffer.from(mm, 'hex'), DST), Buffer.from(pk, 'hex')) });
    }
  }
}

const hashToCurve = messages.map((m) => ({ msg: m, point: bls.G1.hashToCurve(Buffer.from(m, 'hex'), { DST }).toHex() }));

// Pairings, each GT element as 12 big-endian Fp coefficients c0.c0.c0, c0.c0.c1, c0.c1.c0, …, c1.c2.c1.
const gt = (e) => [e.c0, e.c1].flatMap((f6) => [f6.c0, f6.c1, f6.c2]).flatMap((f2) => [f2.c0, f2.c1]).map((c) => be(c, 48)).join('');
const pairings = [[1n, 1n], [5n, 7n], [secrets[4], secrets[5]]].map(([a, b]) => {
  const p = G1.BASE.multiply(a), q = G2.BASE.multiply(b);
  return { g1: p.toHex(), g2: q.toHex(), gt: gt(bls.pairing(p, q)) };
});

// Invalid encodings; each one is confirmed to be refused by noble too.
function g1Encoding(x, y, inf = false) {
  const b = Buffer.from(be(x, 48), 'hex');
  b[0] |= 0x80 | (inf ? 0x40 : 0) | (y !== undefined && y > (P - 1n) / 2n ? 0x20 : 0);
  return hex(b);
}
function g2Encoding(x, y) {  // x, y: Fp2 objects {c0, c1}
  const b = Buffer.from(be(x.c1, 48) + be(x.c0, 48), 'hex');
  const big = y.c1 !== 0n ? y.c1 > (P - 1n) / 2n : y.c0 > (P - 1n) / 2n;
  b[0] |= 0x80 | (big ? 0x20 : 0);
  return hex(b);
}
const isSquare = (a) => Fp.pow(a, (P - 1n) / 2n) !== P - 1n;
function g1Candidates(onCurve) {  // x values where x³ + 4 is (or is not) a square
  const out = [];
  for (let x = 1000n; out.length < 3; x++) {
    const rhs = Fp.add(Fp.mul(Fp.mul(x, x), x), 4n);
    if (isSquare(rhs) === onCurve) out.push([x, onCurve ? Fp.sqrt(rhs) : undefined]);
  }
  return out;
}
function g2Candidates(onCurve) {
  const out = [];
  const b = Fp2.fromBigTuple([4n, 4n]);
  for (let i = 1000n; out.length < 3; i++) {
    const x = Fp2.fromBigTuple([i, i + 7n]);
    const rhs = Fp2.add(Fp2.mul(Fp2.sqr(x), x), b);
    let y;
    try { y = Fp2.sqrt(rhs); } catch { y = undefined; }
    if ((y !== undefined) === onCurve) out.push([x, y]);
  }
  return out;
}
const g1Gen = G1.BASE.toHex(), g2Gen = G2.BASE.toHex();
const flip = (h, i, mask) => { const b = Buffer.from(h, 'hex'); b[i] ^= mask; return hex(b); };
const invalid = [];
const addInvalid = (group, reason, encoding) => {
  let nobleRejects = false;
  try { (group === 'g1' ? G1 : G2).fromHex(encoding).assertValidity(); } catch { nobleRejects = true; }
  if (!nobleRejects) throw new Error(`noble accepts the supposedly invalid ${group} ${reason}: ${encoding}`);
  invalid.push({ group, reason, encoding });
};
for (const [x, y] of g1Candidates(true)) addInvalid('g1', 'on curve, not in G1', g1Encoding(x, y));
addInvalid('g1', 'order-3 point (0, 2)', g1Encoding(0n, 2n));
for (const [x] of g1Candidates(false)) addInvalid('g1', 'not on curve', g1Encoding(x));
addInvalid('g1', 'x = p (non-canonical)', g1Encoding(P));
addInvalid('g1', 'x = p + x0 for an on-curve x0 (non-canonical)', g1Encoding(P + g1Candidates(true)[0][0]));
addInvalid('g1', 'compression bit clear', flip(g1Gen, 0, 0x80));
addInvalid('g1', 'infinity with sort bit', 'e0' + '00'.repeat(47));
addInvalid('g1', 'infinity with x bits', 'c0' + '00'.repeat(46) + '01');
addInvalid('g1', 'short', g1Gen.slice(0, 94));
addInvalid('g1', 'long', g1Gen + '00');
for (const [x, y] of g2Candidates(true)) addInvalid('g2', 'on curve, not in G2', g2Encoding(x, y));
for (const [x] of g2Candidates(false)) addInvalid('g2', 'not on curve', g2Encoding(x, Fp2.ZERO));
addInvalid('g2', 'x.c1 = p (non-canonical)', '9a' + be(P, 48).slice(2) + '00'.repeat(48));
addInvalid('g2', 'x.c0 = p (non-canonical)', '80' + '00'.repeat(47) + be(P, 48));
addInvalid('g2', 'compression bit clear', flip(g2Gen, 0, 0x80));
addInvalid('g2', 'infinity with sort bit', 'e0' + '00'.repeat(95));
addInvalid('g2', 'infinity with x bits', 'c0' + '00'.repeat(94) + '01');
addInvalid('g2', 'short', g2Gen.slice(0, 190));

const out = {
  source: `@noble/curves ${pkgJson.version} (bls12_381.shortSignatures, G1.hashToCurve, pairing), generated by tests/bls/gen_vectors.mjs`,
  dst: DST,
  generators: { g1: g1Gen, g2: g2Gen },
  identity: { g1: G1.ZERO.toHex(), g2: G2.ZERO.toHex() },
  messages,
  keys,
  keygen: keygenVectors,
  verify,
  hash_to_curve: hashToCurve,
  pairings,
  invalid,
};
const dest = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'bls', 'noble_vectors.json');
mkdirSync(dirname(dest), { recursive: true });
writeFileSync(dest, JSON.stringify(out, null, 1) + '\n');
console.log(`wrote ${dest}: ${keys.length} keys, ${verify.length} verify cases, ${invalid.length} invalid points`);
