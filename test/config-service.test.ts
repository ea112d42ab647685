/** The service settings of issue 14: time-outs, the connection cap and the public URL, validated once at start. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/load-config.js';

describe('service settings', () => {
  it('has time-out and cap defaults, and reads them from flags and the environment', () => {
    const defaults = loadConfig({}, {});
    assert.deepEqual(
      [defaults.headersTimeout, defaults.requestTimeout, defaults.keepAliveTimeout, defaults.maxConnections],
      [20_000, 120_000, 72_000, 800],
    );
    const env = { RAMPART_HEADERS_TIMEOUT: '5000', RAMPART_REQUEST_TIMEOUT: '9000', RAMPART_KEEP_ALIVE_TIMEOUT: '3000', RAMPART_MAX_CONNECTIONS: '64' };
    const fromEnv = loadConfig({}, env);
    assert.deepEqual([fromEnv.headersTimeout, fromEnv.requestTimeout, fromEnv.keepAliveTimeout, fromEnv.maxConnections], [5000, 9000, 3000, 64]);
    assert.equal(loadConfig({ maxConnections: '10' }, env).maxConnections, 10);
  });

  it('refuses a headers time-out longer than the request time-out, naming both flags', () => {
    assert.throws(() => loadConfig({ headersTimeout: '30000', requestTimeout: '10000' }, {}), new ConfigError('--headers-timeout (30000) must not exceed --request-timeout (10000)'));
    assert.throws(() => loadConfig({ maxConnections: '0' }, {}), /--max-connections: expected a whole number from 1/);
  });

  it('takes an http(s) public URL, trailing slash dropped, and refuses anything else with one line', () => {
    assert.equal(loadConfig({ publicUrl: 'https://rampart.example.com/mde/' }, {}).publicUrl, 'https://rampart.example.com/mde');
    assert.equal(loadConfig({}, {}).publicUrl, '');
    for (const bad of ['rampart.example.com', 'ftp://rampart.example.com', 'https://rampart.example.com/?a=1', 'https://user:pw@rampart.example.com']) {
      assert.throws(() => loadConfig({}, { RAMPART_PUBLIC_URL: bad }), (error: unknown) => error instanceof ConfigError && error.message.startsWith('RAMPART_PUBLIC_URL: expected an http:// or https:// URL'), bad);
    }
  });
});
