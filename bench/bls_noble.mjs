// The @noble/curves side of the BLS verification comparison in BENCHMARKS.md: median time of
// bls12_381.shortSignatures.verify (hash to G1 + pairing check) on a valid signature from
// tests/data/bls/noble_vectors.json. Run from tests/js: node ../../bench/bls_noble.mjs [runs]
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(join(process.cwd(), 'resolve-from-here.js'));
const { bls12_381: bls } = await import(pathToFileURL(require.resolve('@noble/curves/bls12-381.js')).href);
const here = dirname(fileURLToPath(import.meta.url));
const vectors = JSON.parse(readFileSync(join(here, '..', 'tests', 'data', 'bls', 'noble_vectors.json'), 'utf8'));
const c = vectors.verify.find((v) => v.valid && v.msg.length >= 64) ?? vectors.verify.find((v) => v.valid);
const DST = 'BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_';
const sig = Buffer.from(c.sig, 'hex'), msg = Buffer.from(c.msg, 'hex'), pk = Buffer.from(c.pk, 'hex');
const s = bls.shortSignatures;
const runs = Number(process.argv[2] ?? 50);
for (let i = 0; i < 3; i++) s.verify(sig, s.hash(msg, DST), pk);  // warm-up (JIT)
const times = [];
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  if (!s.verify(sig, s.hash(msg, DST), pk)) throw new Error('signature did not verify');
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
times.sort((a, b) => a - b);
console.log(`noble verify (${msg.length}-byte message): median ${times[runs >> 1].toFixed(2)} ms, min ${times[0].toFixed(2)} ms over ${runs} runs`);
