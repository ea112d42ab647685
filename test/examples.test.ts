import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readTenantFile } from '../src/config/tenant-files.js';
import { DEMO_TENANT } from '../src/config/demo.js';
import { validateTenantDocument } from '../src/domain/identity/tenant-document-schema.js';

describe('shipped tenant documents', () => {
  it('examples/contoso.yaml is a valid tenant file', () => {
    const document = readTenantFile('examples/contoso.yaml');
    assert.equal(document.name, 'Contoso');
    assert.equal(document.deviceGroups?.length, 4);
  });

  it('the demo tenant passes the same schema as a tenant file', () => {
    assert.deepEqual(validateTenantDocument(JSON.parse(JSON.stringify(DEMO_TENANT))), { ok: true, document: JSON.parse(JSON.stringify(DEMO_TENANT)) });
  });
});
