// Interop with the official JavaScript agent: @icp-sdk/core (from tests/js/node_modules) drives a running local
// network started by `hubctl local start --port 0 --background`, with the root key fetched and certificate and
// query-signature verification on. It creates a canister (provisional_create_canister_with_cycles), installs
// kit_test.wasm, makes update and query calls, and reads module hash and controllers through read_state.
//   node js_interop.mjs PATH/TO/hubctl PATH/TO/kit_test.wasm
// Ends with "N passed, M failed"; exit status 0 only when nothing failed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// The npm packages live in tests/js (pinned by its package-lock.json); load them from there.
const require = createRequire(join(here, '../js/package.json'));
const { HttpAgent, Actor, CanisterStatus } = require('@icp-sdk/core/agent');
const { IDL } = require('@icp-sdk/core/candid');
const { Ed25519KeyIdentity } = require('@icp-sdk/core/identity');
const { Principal } = require('@icp-sdk/core/principal');

const hubctl = resolve(process.argv[2] ?? join(here, '../../build/hubctl'));
const wasmPath = resolve(process.argv[3] ?? join(dirname(hubctl), 'wasm/kit_test.wasm'));
if (!existsSync(hubctl)) {
  console.error(`hubctl not found at ${hubctl}`);
  process.exit(2);
}
if (!existsSync(wasmPath)) {
  console.log(`SKIP: ${wasmPath} not built (HUBCTL_BUILD_WASM=OFF)`);
  process.exit(0);
}

let passed = 0;
let failed = 0;
function check(name, cond, detail = '') {
  if (cond) passed++;
  else {
    failed++;
    console.log(`FAIL ${name}${detail ? ': ' + detail : ''}`);
  }
}

const work = mkdtempSync(join(tmpdir(), 'hubctl-js-interop-'));
const stateDir = join(work, 'node');
const env = { ...process.env, HOME: work, XDG_DATA_HOME: join(work, 'data'), XDG_CONFIG_HOME: join(work, 'config') };
function run(args) {
  const r = spawnSync(hubctl, args, { env, encoding: 'utf8', timeout: 120000 });
  return { code: r.status, out: r.stdout ?? '', err: r.stderr ?? '' };
}

const start = run(['local', 'start', '--port', '0', '--state-dir', stateDir, '--background', '--json']);
if (start.code !== 0) {
  console.log(`FAIL hubctl local start: exit ${start.code}\n${start.out}\n${start.err}`);
  process.exit(1);
}
const { url } = JSON.parse(start.out);

const managementIdl = ({ IDL }) => {
  const settings = IDL.Record({ controllers: IDL.Opt(IDL.Vec(IDL.Principal)) });
  return IDL.Service({
    provisional_create_canister_with_cycles: IDL.Func(
      [IDL.Record({ amount: IDL.Opt(IDL.Nat), settings: IDL.Opt(settings), specified_id: IDL.Opt(IDL.Principal) })],
      [IDL.Record({ canister_id: IDL.Principal })],
      [],
    ),
    install_code: IDL.Func(
      [IDL.Record({
        mode: IDL.Variant({ install: IDL.Null, reinstall: IDL.Null, upgrade: IDL.Null }),
        canister_id: IDL.Principal,
        wasm_module: IDL.Vec(IDL.Nat8),
        arg: IDL.Vec(IDL.Nat8),
      })],
      [],
      [],
    ),
  });
};
const kitIdl = ({ IDL }) =>
  IDL.Service({
    greet: IDL.Func([IDL.Text], [IDL.Text], ['query']),
    whoami: IDL.Func([], [IDL.Principal], ['query']),
    increment: IDL.Func([IDL.Nat64], [IDL.Nat64], []),
    counter: IDL.Func([], [IDL.Nat64], ['query']),
    forbidden: IDL.Func([], [], []),
  });
const InitArgs = IDL.Record({ owner: IDL.Principal, greeting: IDL.Text, ledger: IDL.Principal });

try {
  const identity = Ed25519KeyIdentity.generate();
  const me = identity.getPrincipal();
  // The root key comes from /api/v2/status (local network); every certificate is then verified against it,
  // and query replies against the node keys certified under /subnet (verifyQuerySignatures).
  const agent = await HttpAgent.create({ host: url, identity, shouldFetchRootKey: true, verifyQuerySignatures: true });
  check('root key fetched', agent.rootKey && agent.rootKey.length === 133, `length ${agent.rootKey?.length}`);
  const status = JSON.parse(run(['local', 'status', '--state-dir', stateDir, '--json']).out);
  check('root key is the one hubctl local status reports',
        Buffer.from(agent.rootKey).toString('hex') === status.root_key);

  // Any id inside the node's canister range routes a creation (ic-protocol.md §5.1).
  const anywhere = Principal.fromText('rwlgt-iiaaa-aaaaa-aaaaa-cai');
  const mgmt = Actor.createActor(managementIdl, {
    agent,
    canisterId: Principal.managementCanister(),
    callTransform: (method, args) =>
      ({ effectiveCanisterId: args[0]?.canister_id ?? anywhere }),
  });
  const created = await mgmt.provisional_create_canister_with_cycles({
    amount: [10_000_000_000_000n],
    settings: [{ controllers: [[me]] }],
    specified_id: [],
  });
  const canisterId = created.canister_id;
  check('canister created', canisterId instanceof Principal || typeof canisterId?.toText === 'function');

  const wasm = readFileSync(wasmPath);
  const initArg = IDL.encode([InitArgs], [{ owner: me, greeting: 'Hello, ', ledger: Principal.managementCanister() }]);
  await mgmt.install_code({ mode: { install: null }, canister_id: canisterId, wasm_module: [...wasm], arg: [...initArg] });
  check('kit_test installed', true);

  const kit = Actor.createActor(kitIdl, { agent, canisterId });
  const one = await kit.increment(1n);
  const three = await kit.increment(2n);
  check('update replies (certified)', one === 1n && three === 3n, `${one}, ${three}`);
  const counter = await kit.counter();
  check('query reply (node-signed, verified)', counter === 3n, `${counter}`);
  const greeting = await kit.greet('JS');
  check('query with an argument', greeting === 'Hello, JS!', greeting);
  const who = await kit.whoami();
  check('the caller is the identity', who.toText() === me.toText(), who.toText());

  // A message the canister refuses in canister_inspect_message: a non-replicated rejection.
  let refused = '';
  try {
    await kit.forbidden();
  } catch (e) {
    refused = String(e?.message ?? e);
  }
  check('inspect_message refusal reaches the JS agent as an error', refused.length > 0);

  // read_state: module hash and controllers, certified.
  const paths = await CanisterStatus.request({ canisterId, agent, paths: ['module_hash', 'controllers', 'time'] });
  const moduleHash = paths.get('module_hash');
  const expected = createHash('sha256').update(wasm).digest('hex');
  check('certified module hash = sha256(kit_test.wasm)', moduleHash === expected, `${moduleHash} vs ${expected}`);
  const controllers = paths.get('controllers');
  check('certified controllers', Array.isArray(controllers) && controllers.length === 1 &&
        controllers[0].toText() === me.toText(), JSON.stringify(controllers?.map((c) => c.toText())));
  const time = paths.get('time');
  check('certified time is recent', time instanceof Date && Math.abs(Date.now() - time.getTime()) < 5 * 60 * 1000, `${time}`);

  // A second, anonymous agent sees the same state.
  const anon = await HttpAgent.create({ host: url, shouldFetchRootKey: true, verifyQuerySignatures: true });
  const anonKit = Actor.createActor(kitIdl, { agent: anon, canisterId });
  check('anonymous query', (await anonKit.counter()) === 3n);
} catch (e) {
  failed++;
  console.log(`FAIL unexpected error: ${e?.stack ?? e}`);
} finally {
  const stop = run(['local', 'stop', '--state-dir', stateDir]);
  check('hubctl local stop', stop.code === 0, stop.err);
  if (failed) console.log(`node log: ${join(stateDir, 'node.log')}`);
  else rmSync(work, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
