// The adapter conformance suite (tests/conformance) against the reference
// server, with each kind of schedule: imported into SQLite (the demo), and
// read from a FHIR R4 server (tests/fhir, holding the demo clinic).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEhr, startServer } from './support/harness.mjs';
import { runConformance } from '../conformance/conformance.mjs';

// The demo patient of server/src/demo.rs, due in 10 minutes.
const PATIENT = { family: 'García López', birth: '1980-04-12' };

async function conforms(server) {
  const results = await runConformance({ base: server.url, staff: server.staff, patient: PATIENT });
  const failed = results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail}`);
  assert.deepEqual(failed, []);
  assert.ok(results.length >= 9, `${results.length} checks ran`);
}

test('the reference server conforms, with an imported schedule', async () => {
  // Tablets wait for staff to approve them, as at a clinic.
  const server = await startServer({ demo: true, approveTablets: false });
  try {
    await conforms(server);
  } finally {
    await server.stop();
  }
});

test('the reference server conforms, with its schedule from a FHIR server', async () => {
  const ehr = await startEhr();
  const server = await startServer({ demo: true, fhir: ehr.base, approveTablets: false });
  try {
    await conforms(server);
  } finally {
    await server.stop();
    await ehr.stop();
  }
});
