// Agent interop: envelopes signed by hubctl, checked by the reference JavaScript agent (@icp-sdk/core).
//   node agent_interop.mjs [PATH/TO/hubctl]      (default: ../../build/hubctl, or $HUBCTL)
// For each key type hubctl creates (secp256k1, Ed25519, P-256), an encrypted PKCS#8 key made by openssl, and the
// anonymous identity, `hubctl call|query … --dry-run --dump-envelope FILE` writes the envelope it would send.
// @icp-sdk/core decodes it, recomputes the request id (requestIdOf) and the sender (Principal.selfAuthenticating),
// and the signature over "\x0Aic-request" · request id is verified: Ed25519 by @icp-sdk/core's Ed25519KeyIdentity,
// secp256k1 by @noble/curves (on the key @icp-sdk/core unwraps), P-256 by WebCrypto. Ends with "N passed, M failed".
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { webcrypto } from 'node:crypto';
import { Cbor, requestIdOf, IC_REQUEST_DOMAIN_SEPARATOR } from '@icp-sdk/core/agent';
import { IDL } from '@icp-sdk/core/candid';
import { Ed25519KeyIdentity, Ed25519PublicKey } from '@icp-sdk/core/identity';
import { Secp256k1KeyIdentity, Secp256k1PublicKey } from '@icp-sdk/core/identity/secp256k1';
import { Principal } from '@icp-sdk/core/principal';
import { secp256k1 } from '@noble/curves/secp256k1.js';

const here = dirname(fileURLToPath(import.meta.url));
const hubctl = resolve(process.argv[2] ?? process.env.HUBCTL ?? join(here, '../../build/hubctl'));
if (!existsSync(hubctl)) {
  console.error(`hubctl not found at ${hubctl}`);
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'hubctl-agent-interop-'));
const env = { ...process.env, DFX_CONFIG_ROOT: work, HOME: work };
delete env.HUBCTL_IDENTITY;
delete env.HUBCTL_NETWORK;

let passed = 0;
let failed = 0;
function check(name, cond, detail = '') {
  if (cond) passed++;
  else {
    failed++;
    console.log(`FAIL ${name}${detail ? ': ' + detail : ''}`);
  }
}
function run(args) {
  const r = spawnSync(hubctl, args, { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`hubctl ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}
const hex = (b) => Buffer.from(b).toString('hex');
const concat = (a, b) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
};

// Verifies `sig` over `msg` under the DER key `der` with an implementation other than hubctl's.
async function verifyWith(kind, der, sig, msg) {
  if (kind === 'ed25519') {
    const raw = Ed25519PublicKey.fromDer(der).rawKey;
    return Ed25519KeyIdentity.verify(sig, msg, raw);
  }
  if (kind === 'secp256k1') {
    const raw = Secp256k1PublicKey.fromDer(der).rawKey;
    return secp256k1.verify(sig, msg, raw); // SHA-256 prehash, low-s required
  }
  if (kind === 'p256') {
    const key = await webcrypto.subtle.importKey('spki', der, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    return webcrypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, sig, msg); // r‖s (IEEE P1363)
  }
  throw new Error(kind);
}

const canister = 'ryjl3-tyaaa-aaaaa-aaaba-cai';
const expectedArg = IDL.encode([IDL.Text, IDL.Nat], ['Ada', 42n]);

async function checkEnvelope(label, identityArgs, kind, requestType) {
  const file = join(work, `${label}-${requestType}.cbor`);
  const cmd = requestType === 'call' ? 'call' : 'query';
  const out = JSON.parse(
    run(['--json', ...identityArgs, cmd, canister, 'greet', '("Ada", 42 : nat)', '--dry-run', '--dump-envelope', file]),
  );
  const envelope = Cbor.decode(readFileSync(file));
  const content = envelope.content;
  const rid = requestIdOf(content);
  const name = `${label} ${requestType}`;
  check(`${name}: request id`, hex(rid) === out.request_id, `${hex(rid)} vs ${out.request_id}`);
  check(`${name}: request_type`, content.request_type === requestType);
  check(`${name}: canister_id`, Principal.fromUint8Array(content.canister_id).toText() === canister);
  check(`${name}: method`, content.method_name === 'greet');
  check(`${name}: arg is the Candid JS encodes`, hex(content.arg) === hex(expectedArg), hex(content.arg));
  check(`${name}: expiry`, BigInt(content.ingress_expiry) === BigInt(out.ingress_expiry));
  const sender = Principal.fromUint8Array(content.sender);
  check(`${name}: sender`, sender.toText() === out.sender, `${sender.toText()} vs ${out.sender}`);
  if (kind === 'anonymous') {
    check(`${name}: anonymous sender`, sender.toText() === '2vxsx-fae');
    check(`${name}: no key, no signature`, envelope.sender_pubkey === undefined && envelope.sender_sig === undefined);
    return;
  }
  const der = new Uint8Array(envelope.sender_pubkey);
  const sig = new Uint8Array(envelope.sender_sig);
  check(`${name}: sender is the key's principal`, Principal.selfAuthenticating(der).toText() === sender.toText());
  const msg = concat(IC_REQUEST_DOMAIN_SEPARATOR, rid);
  check(`${name}: signature verifies`, await verifyWith(kind, der, sig, msg));
  // And fails on another message: the check is real.
  const other = msg.slice();
  other[other.length - 1] ^= 1;
  check(`${name}: signature refuses another request id`, !(await verifyWith(kind, der, sig, other)));
}

try {
  for (const kind of ['secp256k1', 'ed25519', 'p256']) {
    const created = JSON.parse(run(['--json', 'identity', 'new', `id-${kind}`, '--key-type', kind]));
    check(`${kind}: identity new`, created.key_type === kind);
    for (const t of ['call', 'query']) await checkEnvelope(kind, ['--identity', `id-${kind}`], kind, t);
    if (kind === 'secp256k1') {
      // @icp-sdk/core reads the SEC1 PEM hubctl wrote (as dfx writes it) to the same principal.
      const pem = readFileSync(join(work, '.config/dfx/identity', `id-${kind}`, 'identity.pem'), 'utf8');
      const js = Secp256k1KeyIdentity.fromPem(pem);
      check('secp256k1: @icp-sdk/core reads the PEM', js.getPrincipal().toText() === created.principal);
    }
  }
  // An encrypted PKCS#8 Ed25519 key made by openssl, with --pem and --password-file.
  const plain = join(work, 'plain.pem');
  const enc = join(work, 'enc.pem');
  const pw = join(work, 'pw.txt');
  spawnSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', plain]);
  spawnSync('openssl', ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-passout', 'pass:correct horse', '-in', plain, '-out', enc]);
  writeFileSync(pw, 'correct horse\n');
  await checkEnvelope('encrypted-ed25519', ['--pem', enc, '--password-file', pw], 'ed25519', 'call');
  // Anonymous (the default for queries).
  await checkEnvelope('anonymous', [], 'anonymous', 'query');
} catch (e) {
  failed++;
  console.log(`FAIL ${e.message}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
