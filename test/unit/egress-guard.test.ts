import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPort, egressPolicy, guardedLookup, resolveChecked, type Resolver } from '../../lib/egress/guard.js';
import { withEnvDefaults } from '../../lib/env-defaults.js';
import { MuxError } from '../../lib/errors.js';

const fakeDns = (table: Record<string, string[]>): Resolver => async (name) => {
  const answers = table[name];
  if (!answers) throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};
const isCode = (code: string) => (e: unknown) => e instanceof MuxError && e.code === code;

describe('egress guard', () => {
  const resolver = fakeDns({
    'cdn.example.com': ['93.184.216.34'],
    'evil.example.com': ['10.0.0.5'],
    'inward.example.com': ['10.0.0.9'],
    'rebind.example.com': ['93.184.216.34', '127.0.0.1'],
    'v6.example.com': ['::ffff:169.254.169.254'],
  });
  const policy = egressPolicy({ policy: { resolver } });

  it('allows public answers and returns the address that was checked', async () => {
    assert.deepEqual(await resolveChecked('cdn.example.com', policy), { address: '93.184.216.34', family: 4 });
  });

  it('refuses a public-looking name that resolves into the private network, in any answer', async () => {
    for (const name of ['evil.example.com', 'rebind.example.com', 'v6.example.com']) {
      await assert.rejects(resolveChecked(name, policy), isCode('INVALID_URL'), name);
    }
  });

  it('refuses literal private addresses, allows them when told to, and honours exemptions', async () => {
    await assert.rejects(resolveChecked('[::1]', policy), isCode('INVALID_URL'));
    await assert.rejects(resolveChecked('169.254.169.254', policy), isCode('INVALID_URL'));
    assert.equal((await resolveChecked('127.0.0.1', egressPolicy({ allowPrivateNetworks: true }))).address, '127.0.0.1');
    assert.equal((await resolveChecked('127.0.0.1', egressPolicy({ policy: { exempt: ['127.0.0.1'] } }))).address, '127.0.0.1');
    await assert.rejects(resolveChecked('127.0.0.2', egressPolicy({ policy: { exempt: ['127.0.0.1'] } })), isCode('INVALID_URL'));
  });

  it('says the same of a name that does not resolve as of one that resolves inward; the detail keeps which', async () => {
    const refusal = async (name: string) => {
      try {
        await resolveChecked(name, policy);
      } catch (error) {
        return error as MuxError;
      }
      throw new Error(`${name} was accepted`);
    };
    const [nowhere, inward] = [await refusal('nowhere.example.com'), await refusal('inward.example.com')];
    assert.equal(nowhere.code, 'INVALID_URL');
    assert.equal(nowhere.message.replace('nowhere', 'X'), inward.message.replace('inward', 'X'));
    assert.match(nowhere.detail!, /cannot resolve/);
    assert.match(inward.detail!, /resolves to 10\.0\.0\.9/);
  });

  it('allows ports 80 and 443 by default, what PASSMUX_ALLOWED_PORTS says otherwise (read at the entry points)', () => {
    assert.doesNotThrow(() => checkPort(443, policy));
    assert.throws(() => checkPort(8080, policy), isCode('INVALID_URL'));
    const fromEnv = (env: NodeJS.ProcessEnv) => egressPolicy(withEnvDefaults({}, env));
    assert.doesNotThrow(() => checkPort(8080, fromEnv({ PASSMUX_ALLOWED_PORTS: '80,8080' })));
    assert.doesNotThrow(() => checkPort(1234, fromEnv({ PASSMUX_ALLOWED_PORTS: '*' })));
    assert.doesNotThrow(() => checkPort(1234, fromEnv({ PASSMUX_ALLOW_PRIVATE_NETWORKS: '1' })), 'private allowed: any port');
    assert.throws(() => checkPort(1234, fromEnv({ PASSMUX_ALLOW_PRIVATE_NETWORKS: '1', PASSMUX_ALLOWED_PORTS: '80' })), isCode('INVALID_URL'));
    assert.throws(() => fromEnv({ PASSMUX_ALLOWED_PORTS: 'http' }), RangeError);
    // Explicit values win over the environment; below the entry points nothing reads it.
    assert.equal(egressPolicy(withEnvDefaults({ policy: { allowedPorts: [9] } }, { PASSMUX_ALLOWED_PORTS: '80' })).allowedPorts![0], 9);
    assert.equal(egressPolicy({}).allowPrivateNetworks, false);
  });

  it('gives node:net exactly the checked address through its lookup hook', async () => {
    const lookup = guardedLookup(policy);
    const one = await new Promise((resolve) => lookup('cdn.example.com', {}, (error, address, family) => resolve({ error, address, family })));
    assert.deepEqual(one, { error: null, address: '93.184.216.34', family: 4 });
    const all = await new Promise((resolve) => lookup('cdn.example.com', { all: true }, (_e, address) => resolve(address)));
    assert.deepEqual(all, [{ address: '93.184.216.34', family: 4 }]);
    const refused = await new Promise<NodeJS.ErrnoException | null>((resolve) => lookup('evil.example.com', {}, (error) => resolve(error)));
    assert.ok(refused instanceof MuxError);
  });
});
