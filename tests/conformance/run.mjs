// `make conformance BASE=URL`: checks the backend at BASE against the
// Waitwell contract's behaviours (conformance.mjs) and prints each result;
// exits 1 if any failed.
//
//   BASE=https://waitwell.example STAFF_NAME=… STAFF_PASSPHRASE=… \
//   PATIENT_FAMILY='García López' PATIENT_BIRTH=1980-04-12 node run.mjs
import { runConformance } from './conformance.mjs';

const need = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`conformance: set ${name} (see tests/conformance/conformance.mjs)`);
    process.exit(2);
  }
  return value;
};

const results = await runConformance({
  base: need('BASE'),
  staff: { name: need('STAFF_NAME'), passphrase: need('STAFF_PASSPHRASE') },
  patient: { family: need('PATIENT_FAMILY'), birth: need('PATIENT_BIRTH') },
});
for (const { name, ok, detail } of results) {
  console.log(`${ok ? 'pass' : 'FAIL'}  ${name}${ok ? '' : `\n      ${detail}`}`);
}
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} of ${results.length} passed`);
process.exit(failed ? 1 : 0);
