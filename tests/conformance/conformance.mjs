// The Waitwell contract's behaviours, checked against any backend that
// claims to speak it (server/openapi.json): a clinic that puts the contract
// in front of its own system runs these to prove the kiosks will work with
// it (`make conformance BASE=URL`). make test runs them against the
// reference server, with an imported schedule and with a FHIR one.
//
// What the runner needs from the backend under test (`runConformance`):
// - `base`: the server's address (the contract is under `/api/v1`);
// - `staff`: a staff account `{ name, passphrase }` (to approve the tablets
//   the runner pairs, and to read the staff queue and the survey export);
// - `patient`: `{ family, birth }` of a patient with an appointment today
//   inside its arrival window (only identified, never checked in).
// It pairs its own check-in kiosk and board, and leaves walk-ins, a called
// and served ticket and two survey responses behind.

const KEY_REUSED = 'idempotency_key_reused';

class Api {
  constructor(base) {
    this.base = base.replace(/\/$/, '');
  }

  async call(method, path, { body, cookie = '', headers = {}, raw = false } = {}) {
    const response = await fetch(`${this.base}/api/v1${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(cookie ? { cookie } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: response.status, headers: response.headers, json, text };
  }
}

class Failure extends Error {}

function check(condition, message) {
  if (!condition) throw new Failure(message);
}

/** An error answer: its status, and a body `{ code, message }`. */
function refused(reply, status, code, what) {
  check(reply.status === status, `${what}: expected ${status} ${code}, got ${reply.status} ${reply.text.slice(0, 200)}`);
  check(reply.json && typeof reply.json.code === 'string' && typeof reply.json.message === 'string',
    `${what}: the error body is not { code, message }: ${reply.text.slice(0, 200)}`);
  if (code) check(reply.json.code === code, `${what}: code ${reply.json.code}, expected ${code}`);
}

const randomName = () => {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return `Conf${Array.from({ length: 6 }, () => letters[Math.floor(Math.random() * 26)].toLowerCase()).join('')}`;
};

/** The `name=value` of a response's Set-Cookie. */
const cookieOf = (reply) => (reply.headers.get('set-cookie') ?? '').split(';')[0];

async function signIn(api, staff) {
  const reply = await api.call('POST', '/staff/session', { body: staff });
  check(reply.status === 200, `staff sign-in: ${reply.status} ${reply.text.slice(0, 200)}`);
  return cookieOf(reply);
}

/** Pairs a tablet for `role` and has staff approve it; its cookie. */
async function enroll(api, staffCookie, role) {
  const paired = await api.call('POST', '/devices/pair', { body: { role } });
  check(paired.status === 200, `pairing a ${role} tablet: ${paired.status} ${paired.text.slice(0, 200)}`);
  const cookie = cookieOf(paired);
  check(cookie, `pairing a ${role} tablet: no credential cookie`);
  if (paired.json?.status === 'pending') {
    const approved = await api.call('POST', '/devices/approve', {
      cookie: staffCookie,
      body: { pairing_code: paired.json.pairing_code, name: `Conformance ${role}`, role },
    });
    check(approved.status === 204, `approving a ${role} tablet: ${approved.status} ${approved.text.slice(0, 200)}`);
  }
  return cookie;
}

function walkInBody(firstName) {
  return { kind: 'walk_in', first_name: firstName, last_initial: 'Q', reason: 'other' };
}

async function checkIn(api, kiosk, body, key) {
  return api.call('POST', '/check-ins', { cookie: kiosk, body, headers: { 'idempotency-key': key } });
}

/** Follows `/queue/events` until `until(event)` holds or `ms` pass. */
async function follow(api, cookie, until, ms = 10_000) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  const seen = [];
  try {
    const response = await fetch(`${api.base}/api/v1/queue/events`, {
      headers: { cookie, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    check(response.status === 200, `the event stream: ${response.status}`);
    check((response.headers.get('content-type') ?? '').startsWith('text/event-stream'), 'the event stream is not text/event-stream');
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = { event: 'message', data: '' };
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event.event = line.slice(6).trim();
          if (line.startsWith('data:')) event.data += line.slice(5).trim();
        }
        if (block.startsWith(':')) continue;
        seen.push(event);
        if (await until(event, seen)) return seen;
      }
    }
  } catch (e) {
    if (e instanceof Failure) throw e;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return seen;
}

/**
 * Runs every check; `[{ name, ok, detail }]`, in order. A check that
 * fails does not stop the others.
 */
export async function runConformance({ base, staff, patient }) {
  const api = new Api(base);
  const results = [];
  const context = {};
  const run = async (name, body) => {
    try {
      await body();
      results.push({ name, ok: true, detail: '' });
    } catch (e) {
      results.push({ name, ok: false, detail: e instanceof Failure ? e.message : `${e?.stack ?? e}` });
    }
  };
  const ready = async () => {
    context.staff ??= await signIn(api, staff);
    context.kiosk ??= await enroll(api, context.staff, 'check-in');
    context.board ??= await enroll(api, context.staff, 'board');
    return context;
  };

  await run('errors are JSON bodies with a code and a message', async () => {
    refused(await api.call('POST', '/identify', { body: '{not json', raw: true, cookie: (await ready()).kiosk }),
      400, 'invalid_json', 'a body that is not JSON');
    refused(await api.call('GET', '/queue/staff'), 401, 'unauthorized', 'the staff queue without a session');
    refused(await api.call('POST', '/staff/session', { body: { name: staff.name, passphrase: 'not-the-passphrase-0' } }),
      401, null, 'a wrong passphrase');
  });

  await run('a tablet that is not enrolled cannot check in, nor read the queue', async () => {
    const key = crypto.randomUUID();
    refused(await checkIn(api, '', walkInBody('Nobody'), key), 401, 'device_not_enrolled', 'a check-in without a credential');
    refused(await checkIn(api, 'waitwell_device=forged-credential', walkInBody('Nobody'), key), 401,
      'device_not_enrolled', 'a check-in with a made-up credential');
    const queue = await api.call('GET', '/queue');
    check(queue.status === 200 || queue.status === 401, `the public queue without a credential: ${queue.status}`);
    if (queue.status === 401) refused(queue, 401, 'device_not_enrolled', 'the queue without a credential');
  });

  await run('a tablet is refused what its role does not allow', async () => {
    const { board, kiosk } = await ready();
    refused(await checkIn(api, board, walkInBody('Board'), crypto.randomUUID()), 403, 'wrong_device_role',
      'a check-in from a board');
    refused(await api.call('GET', '/queue/staff', { cookie: kiosk }), 401, 'unauthorized', 'the staff queue from a kiosk');
  });

  await run('identify finds today\'s appointment, masked, and only with the right details', async () => {
    const { kiosk } = await ready();
    const found = await api.call('POST', '/identify', {
      cookie: kiosk,
      body: { method: 'name', family_name: patient.family, birth_date: patient.birth },
    });
    check(found.status === 200, `identify: ${found.status} ${found.text.slice(0, 200)}`);
    const [hint] = found.json.matches ?? [];
    check(hint && typeof hint.initials === 'string' && typeof hint.time === 'string', `identify: no hint in ${found.text.slice(0, 200)}`);
    check(!found.text.includes(patient.family) && !found.text.includes(patient.birth),
      'identify: the answer names the patient or their birth date');
    const wrong = await api.call('POST', '/identify', {
      cookie: kiosk,
      body: { method: 'name', family_name: patient.family, birth_date: '1901-01-01' },
    });
    refused(wrong, 404, 'no_match', 'identify with the wrong birth date');
  });

  await run('a check-in replayed with its key answers the same ticket; the key with another body is refused', async () => {
    const { kiosk } = await ready();
    const key = crypto.randomUUID();
    const name = randomName();
    const first = await checkIn(api, kiosk, walkInBody(name), key);
    check(first.status === 201, `a walk-in check-in: ${first.status} ${first.text.slice(0, 200)}`);
    check(typeof first.json.ticket === 'string', 'a check-in answer without a ticket');
    const again = await checkIn(api, kiosk, walkInBody(name), key);
    check(again.status === first.status, `the replay: ${again.status}, first ${first.status}`);
    check(again.json?.ticket === first.json.ticket, `the replay gave ${again.json?.ticket}, first ${first.json.ticket}`);
    refused(await checkIn(api, kiosk, walkInBody(`${name}x`), key), 422, KEY_REUSED, 'the key with another body');
    refused(await checkIn(api, kiosk, walkInBody(name), 'not-a-uuid'), 400, 'idempotency_key_invalid', 'a key that is not a UUID');
    context.walkIn = first.json.ticket;
  });

  await run('concurrent check-ins with one key make one ticket', async () => {
    const { kiosk, staff: staffCookie } = await ready();
    const key = crypto.randomUUID();
    const name = randomName();
    const replies = await Promise.all(Array.from({ length: 6 }, () => checkIn(api, kiosk, walkInBody(name), key)));
    const tickets = new Set();
    for (const reply of replies) {
      if (reply.status === 201 || reply.status === 200) tickets.add(reply.json.ticket);
      else refused(reply, 409, 'idempotency_key_in_flight', 'a concurrent request with the same key');
    }
    const settled = await checkIn(api, kiosk, walkInBody(name), key);
    check(settled.status === 201, `the replay after them: ${settled.status}`);
    tickets.add(settled.json.ticket);
    check(tickets.size === 1, `several tickets for one key: ${[...tickets].join(', ')}`);
    const queue = await api.call('GET', '/queue/staff', { cookie: staffCookie });
    const mine = queue.json.tickets.filter((t) => t.name.startsWith(name));
    check(mine.length === 1, `the staff queue holds ${mine.length} tickets for one key`);
  });

  await run('the queue snapshot and its event stream agree on versions', async () => {
    const { board, kiosk } = await ready();
    const before = await api.call('GET', '/queue', { cookie: board });
    check(before.status === 200 && Number.isInteger(before.json.version), `the queue: ${before.status} ${before.text.slice(0, 200)}`);
    let sent = false;
    const seen = await follow(api, board, async (event) => {
      if (event.event !== 'queue') return false;
      const version = JSON.parse(event.data).version;
      if (!sent) {
        // The first event is where the stream starts: at least the snapshot.
        check(version >= before.json.version, `the stream starts at ${version}, before the snapshot ${before.json.version}`);
        sent = true;
        const made = await checkIn(api, kiosk, walkInBody(randomName()), crypto.randomUUID());
        check(made.status === 201, `a check-in while following: ${made.status}`);
        context.madeVersion = made.json.queue_version;
        return false;
      }
      return version >= context.madeVersion;
    });
    const versions = seen.filter((e) => e.event === 'queue').map((e) => JSON.parse(e.data).version);
    check(versions.length >= 2, `the stream told of no change after a check-in (saw ${JSON.stringify(seen).slice(0, 200)})`);
    check(versions.every((v, i) => i === 0 || v > versions[i - 1]), `versions not increasing: ${versions}`);
    const after = await api.call('GET', '/queue', { cookie: board });
    check(after.json.version >= versions.at(-1), `the snapshot ${after.json.version} is behind the stream ${versions.at(-1)}`);
  });

  await run('reception calls and serves a ticket; a refused action says why', async () => {
    const { staff: staffCookie } = await ready();
    const queue = await api.call('GET', '/queue/staff', { cookie: staffCookie });
    const ticket = queue.json.tickets.find((t) => t.ticket === context.walkIn);
    check(ticket, `the walk-in ${context.walkIn} is not in the staff queue`);
    const act = (body) => api.call('POST', '/queue/actions', { cookie: staffCookie, body });
    const config = (await api.call('GET', '/config')).json;
    const room = (config?.rooms ?? config?.site?.rooms)?.[0];
    check(room, 'the config names no room');
    const called = await act({ action: 'call', ticket: ticket.id, room });
    check(called.status === 200, `call: ${called.status} ${called.text.slice(0, 200)}`);
    const served = await act({ action: 'serve', ticket: ticket.id });
    check(served.status === 200, `serve: ${served.status} ${served.text.slice(0, 200)}`);
    refused(await act({ action: 'serve', ticket: ticket.id }), 409, 'invalid_transition', 'serving it twice');
  });

  await run('a survey follow-up replaces the response whole', async () => {
    const { kiosk, staff: staffCookie } = await ready();
    const rows = async () => {
      const csv = await api.call('GET', '/insights/responses.csv', { cookie: staffCookie });
      check(csv.status === 200, `the survey export: ${csv.status}`);
      return csv.text.trim().split('\n').slice(1);
    };
    const before = await rows();
    const id = crypto.randomUUID();
    const first = await api.call('PUT', `/surveys/${id}`, { cookie: kiosk, body: { rating: 2, comment: 'conformance first words' } });
    check(first.status === 204, `a survey response: ${first.status} ${first.text.slice(0, 200)}`);
    const second = await api.call('PUT', `/surveys/${id}`, { cookie: kiosk, body: { rating: 3, recommend: 9 } });
    check(second.status === 204, `its follow-up: ${second.status} ${second.text.slice(0, 200)}`);
    const after = await rows();
    check(after.length === before.length + 1, `${after.length - before.length} rows for one response`);
    check(!after.some((r) => r.includes('conformance first words')), 'the follow-up kept words it did not send');
    refused(await api.call('PUT', '/surveys/not-a-uuid', { cookie: kiosk, body: { rating: 3 } }), 400, 'invalid_id', 'a survey id that is not a UUID');
    refused(await api.call('PUT', `/surveys/${crypto.randomUUID()}`, { cookie: kiosk, body: { rating: 9 } }), 400, 'invalid_rating', 'a rating of 9');
  });

  return results;
}
