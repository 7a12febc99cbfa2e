// make bench-soak: the release server under requests whose clients leave
// part-way (a kiosk's timeout, a reload, a dropped Wi-Fi), while other
// writers (pairings) run alongside. Every 0-40 ms a check-in or a lease is
// cut off wherever it is: waiting for the queue, inside its change, while
// its savepoint is released, or waiting for its batch's commit.
//
// Afterwards the server must still be whole: no 500 in its log, no pairing
// refused, every ticket number on disk once, the queue and the disk agreed
// (a new check-in gets a ticket), and nobody locked out. This is how a
// queue that disagreed with its disk (every check-in failing with a UNIQUE
// error until a restart) was found; a test in server/tests/queue_service.rs
// now pins that case. SOAK_SECONDS (default 30) and CLIENTS (default 8) set the
// load. Prints figures; exits 1 on a broken promise.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;
const SERVER = join(ROOT, 'target/release/waitwell-server');
const SECONDS = Number(process.env.SOAK_SECONDS ?? 30);
const CLIENTS = Number(process.env.CLIENTS ?? 8);
const WALK_IN = '{"kind":"walk_in","first_name":"Ana","last_initial":"G","reason":"other"}';

const dir = mkdtempSync(join(tmpdir(), 'waitwell-soak-'));
// The example site with the per-address limits lifted: one address here
// stands for a clinic's worth of tablets.
const site = JSON.parse(readFileSync(join(ROOT, 'server/site.example.json'), 'utf8'));
site.limits = { writes_per_minute: 1e8, walk_ins_per_hour: 1e8, max_devices: 1e6 };
writeFileSync(join(dir, 'site.json'), JSON.stringify(site));
const db = join(dir, 'soak.db');
await new Promise((ok, fail) => {
  const add = spawn(SERVER, ['--db', db, 'staff', 'add', 'soak', '--manager'], { stdio: 'ignore' });
  add.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`staff add exited with ${code}`))));
});
const server = spawn(SERVER, ['--listen', '127.0.0.1:0', '--db', db, '--dist', join(ROOT, 'dist'), '--site', join(dir, 'site.json'), '--approve-tablets'], { stdio: ['ignore', 'pipe', 'pipe'] });
let log = '';
server.stdout.on('data', (d) => (log += d));
server.stderr.on('data', (d) => (log += d));
const url = await new Promise((ok, fail) => {
  const timer = setTimeout(() => fail(new Error(`the server did not start: ${log}`)), 20_000);
  server.stdout.on('data', () => {
    const m = log.match(/Waitwell is running: (http:\/\/[\d.:]+)\//);
    if (m) {
      clearTimeout(timer);
      ok(m[1]);
    }
  });
});

async function pair() {
  const started = performance.now();
  const reply = await fetch(`${url}/api/v1/devices/pair`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"check-in"}' });
  const cookie = (reply.headers.get('set-cookie') ?? '').match(/waitwell_device=[0-9a-f]+/)?.[0];
  await reply.text();
  return { status: reply.status, ms: performance.now() - started, cookie };
}

function post(path, kiosk, body, signal) {
  return fetch(url + path, {
    method: 'POST',
    signal,
    headers: { 'content-type': 'application/json', cookie: kiosk, 'idempotency-key': crypto.randomUUID() },
    body,
  });
}

const kiosk = (await pair()).cookie;
if (!kiosk) throw new Error('pairing the soak kiosk failed');
const until = Date.now() + SECONDS * 1000;
const seen = { cut: 0, answered: {}, pairings: 0, pairingsRefused: 0, pairingMs: [] };

async function cutShort() {
  while (Date.now() < until) {
    const abort = new AbortController();
    const checkIn = Math.random() < 0.7;
    setTimeout(() => abort.abort(), Math.random() * 40);
    try {
      const reply = await post(checkIn ? '/api/v1/check-ins' : '/api/v1/devices/lease', kiosk, checkIn ? WALK_IN : '', abort.signal);
      await reply.text();
      seen.answered[reply.status] = (seen.answered[reply.status] ?? 0) + 1;
    } catch {
      seen.cut += 1;
    }
  }
}

async function pairings() {
  while (Date.now() < until) {
    const { status, ms } = await pair();
    seen.pairings += 1;
    seen.pairingMs.push(ms);
    if (status !== 200) seen.pairingsRefused += 1;
  }
}

const broken = [];
try {
  await Promise.all([...Array(CLIENTS)].map(cutShort).concat([pairings(), pairings()]));
  // Whole afterwards: a pairing at once, and a check-in gets a ticket.
  const after = await pair();
  const checkIn = await post('/api/v1/check-ins', kiosk, WALK_IN);
  const answer = await checkIn.text();
  const sorted = seen.pairingMs.sort((a, b) => a - b);
  const p95 = sorted[Math.floor(sorted.length * 0.95)] ?? 0;
  console.log(`${SECONDS} s, ${CLIENTS} clients cut off at 0-40 ms: ${seen.cut} cut, answered ${JSON.stringify(seen.answered)}`);
  console.log(`pairings alongside: ${seen.pairings}, refused ${seen.pairingsRefused}, p95 ${p95.toFixed(0)} ms, worst ${(sorted.at(-1) ?? 0).toFixed(0)} ms`);
  console.log(`afterwards: a pairing ${after.status} in ${after.ms.toFixed(0)} ms, a check-in ${checkIn.status}`);
  if (seen.pairingsRefused > 0) broken.push(`${seen.pairingsRefused} pairings refused`);
  if (after.status !== 200) broken.push(`a pairing afterwards: ${after.status}`);
  if (checkIn.status !== 201) broken.push(`a check-in afterwards: ${checkIn.status} ${answer}`);
  if (seen.answered[500]) broken.push(`${seen.answered[500]} answers were 500`);
  const errors = log.split('\n').filter((l) => /ERROR/.test(l) && !/on_failure/.test(l));
  if (errors.length) broken.push(`${errors.length} errors logged, the first: ${errors[0].replace(/\x1b\[[0-9;]*m/g, '')}`);
} finally {
  server.kill('SIGTERM');
  await new Promise((ok) => server.on('exit', ok));
}
// (python3's sqlite3: node 20 has none; make bench needs python3 too.)
const counted = spawnSync('python3', ['-c', `import sqlite3, sys
print(*sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*), COUNT(DISTINCT day || code_line || '-' || code_number) FROM tickets").fetchone())`, db], { encoding: 'utf8' });
if (counted.status !== 0) throw new Error(`counting the tickets on disk: ${counted.stderr}`);
const [tickets, numbers] = counted.stdout.trim().split(' ').map(Number);
console.log(`on disk: ${tickets} tickets, ${numbers} distinct numbers`);
if (tickets !== numbers) broken.push('a ticket number is on disk twice');
rmSync(dir, { recursive: true, force: true });
if (broken.length) {
  console.error(`BROKEN: ${broken.join('; ')}`);
  process.exit(1);
}
