// The @icp-sdk/core side of the whole-certificate comparison in BENCHMARKS.md: median time of
// Certificate.create (decode, delegation check, canister range, BLS verification of both signatures
// with @noble/curves) on the mainnet certificate tests/data/certificates/ivg37_time.bin, time check off
// (the certificate is old). Run from tests/js: node ../../bench/cert_agentjs.mjs [runs]
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(join(process.cwd(), 'resolve-from-here.js'));
const { Certificate, Cbor } = await import(pathToFileURL(require.resolve('@icp-sdk/core/agent')).href);
const { Principal } = await import(pathToFileURL(require.resolve('@icp-sdk/core/principal')).href);
const here = dirname(fileURLToPath(import.meta.url));
// The file is a read_state response body {certificate: bytes}, as saved from the wire.
const body = Cbor.decode(new Uint8Array(readFileSync(join(here, '..', 'tests', 'data', 'certificates', 'ivg37_time.bin'))));
const certificate = new Uint8Array(body.certificate);
// The mainnet root key (ic-protocol.md §3.4), DER.
const rootKey = Buffer.from(
  '308182301d060d2b0601040182dc7c0503010201060c2b0601040182dc7c05030201036100814c0e6ec71fab583b08bd81373c255c3c371b2e84863c98a4f1e08b74235d14fb5d9c0cd546d9685f913a0c0b2cc5341583bf4b4392e467db96d65b9bb4cb717112f8472e0d5a4d14505ffd7484b01291091c5f87b98883463f98091a0baaae',
  'hex');
const principal = { canisterId: Principal.fromText('ivg37-qiaaa-aaaab-aaaga-cai') };
const verify = () => Certificate.create({ certificate, rootKey: new Uint8Array(rootKey), principal, disableTimeVerification: true });
const runs = Number(process.argv[2] ?? 30);
for (let i = 0; i < 3; i++) await verify();  // warm-up (JIT)
const times = [];
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  await verify();
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
times.sort((a, b) => a - b);
console.log(`@icp-sdk/core Certificate.create (ivg37_time.bin, delegated, 2 BLS signatures): median ${times[runs >> 1].toFixed(2)} ms, min ${times[0].toFixed(2)} ms over ${runs} runs`);
