// Live cross-check of src/bls against @noble/curves in both directions on fresh random keys and
// messages: ours signs, noble verifies; noble signs, ours verifies; both agree that tampered
// signatures and wrong keys fail and that public keys derived from the same secret are identical.
// Usage (from a directory whose node_modules has @noble/curves, e.g. tests/js):
//   node ../bls/noble_interop.mjs PATH/TO/bls_peer [cases]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(join(process.cwd(), 'resolve-from-here.js'));
const { bls12_381: bls } = await import(pathToFileURL(require.resolve('@noble/curves/bls12-381.js')).href);
const DST = 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_';
const s = bls.shortSignatures;
const hex = (u8) => Buffer.from(u8).toString('hex') || '-';  // '-' = empty, for the line protocol

const peer = spawn(process.argv[2], [], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: peer.stdout })[Symbol.asyncIterator]();
async function ask(cmd) {
  peer.stdin.write(cmd + '\n');
  const { value } = await lines.next();
  if (value === undefined || value.startsWith('error')) throw new Error(`peer: ${cmd} -> ${value}`);
  return value;
}

let passed = 0, failed = 0;
function check(ok, what) {
  if (ok) passed++;
  else { failed++; console.log(`FAIL ${what}`); }
}

const cases = Number(process.argv[3] ?? 12);
for (let i = 0; i < cases; i++) {
  const msg = randomBytes(i * 7 % 80);
  // Ours: key from random IKM, sign; noble verifies.
  const [sk, pk] = (await ask(`keygen ${hex(randomBytes(32))}`)).split(' ');
  check(hex(s.getPublicKey(Buffer.from(sk, 'hex')).toBytes()) === pk, `case ${i}: same public key from the same secret`);
  const ourSig = await ask(`sign ${sk} ${hex(msg)}`);
  check(s.verify(Buffer.from(ourSig, 'hex'), s.hash(msg, DST), Buffer.from(pk, 'hex')), `case ${i}: noble verifies our signature`);
  const nobleSig = hex(s.sign(s.hash(msg, DST), Buffer.from(sk, 'hex')).toBytes());
  check(nobleSig === ourSig, `case ${i}: deterministic signatures agree byte for byte`);
  // Noble: its own random key; ours verifies.
  const nsk = bls.utils.randomSecretKey();
  const npk = hex(s.getPublicKey(nsk).toBytes());
  const nsig = hex(s.sign(s.hash(msg, DST), nsk).toBytes());
  check((await ask(`verify ${nsig} ${hex(msg)} ${npk}`)) === '1', `case ${i}: we verify noble's signature`);
  // Wrong key, other message, flipped bit: both refuse.
  check((await ask(`verify ${nsig} ${hex(msg)} ${pk}`)) === '0', `case ${i}: wrong key refused`);
  const other = Buffer.concat([msg, Buffer.from([1])]);
  check((await ask(`verify ${nsig} ${hex(other)} ${npk}`)) === '0', `case ${i}: other message refused`);
  const flipped = Buffer.from(nsig, 'hex'); flipped[47] ^= 1;
  const oursFlip = await ask(`verify ${hex(flipped)} ${hex(msg)} ${npk}`);
  let nobleFlip;
  try { nobleFlip = s.verify(flipped, s.hash(msg, DST), Buffer.from(npk, 'hex')); } catch { nobleFlip = false; }
  check(oursFlip === '0' && nobleFlip === false, `case ${i}: flipped signature bit refused by both`);
}
peer.stdin.end();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
