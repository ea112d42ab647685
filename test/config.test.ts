import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/load-config.js';

describe('configuration', () => {
  it('uses defaults when nothing is set', () => {
    const config = loadConfig({}, {});
    assert.equal(config.port, 4321);
    assert.equal(config.dataDir, './data');
    assert.equal(config.durability, 'full');
    assert.equal(config.issuer, 'https://sts.rampart.local');
    assert.equal(config.demo, true);
    assert.ok(Object.isFrozen(config));
  });

  it('reads environment variables, and flags win over them', () => {
    const env = { PORT: '5000', RAMPART_DATA_DIR: '/var/lib/rampart', RAMPART_DEMO: 'false' };
    assert.equal(loadConfig({}, env).port, 5000);
    assert.equal(loadConfig({}, env).dataDir, '/var/lib/rampart');
    assert.equal(loadConfig({}, env).demo, false);
    assert.equal(loadConfig({ port: '6000', demo: true }, env).port, 6000);
    assert.equal(loadConfig({ port: '6000', demo: true }, env).demo, true);
  });

  it('stops on a bad value with one line naming the flag or variable', () => {
    assert.throws(() => loadConfig({ port: 'abc' }, {}), new ConfigError("--port: expected a whole number from 0 to 65535, got 'abc'"));
    assert.throws(() => loadConfig({}, { RAMPART_DURABILITY: 'sometimes' }), new ConfigError("RAMPART_DURABILITY: expected one of full, normal, got 'sometimes'"));
    assert.throws(() => loadConfig({}, { RAMPART_DEMO: 'maybe' }), new ConfigError("RAMPART_DEMO: expected true or false, got 'maybe'"));
    assert.throws(() => loadConfig({}, { PORT: '70000' }), /PORT: expected a whole number/);
  });
});
