// Durability under kill -9 (SQLite): one demo database, then cycles of
// `cocare serve` on it, eight signed-in clients posting home readings
// through the real form at once, and SIGKILL at a random moment. Every
// reading answered with its 303 before the kill must be in the database
// afterwards, with what was typed; the database must pass
// PRAGMA integrity_check and `cocare verify` (integrity and the audit
// chain) after every kill. Writes cut by the kill or answered with an
// error are not acknowledged and may or may not be there.
//
// The kill delays come from a seeded generator and are logged:
// COCARE_KILL_SEED=N reruns the same delays (the timing of the writes
// themselves cannot be replayed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binary, serveOn, query, patientId, Client } from './lib.mjs';

const CYCLES = 10;
const CLIENTS = 8;
const KILL_MIN_MS = 100, KILL_MAX_MS = 700;
const SEED = Number(process.env.COCARE_KILL_SEED || 20260309);

// mulberry32: a small seeded generator, so a failing run can be replayed.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A weight reading unique to (cycle, client, k): its own day and second,
// so no two posts are the same reading (a double submit stores one).
function reading(cycle, client, k) {
  const day = new Date(Date.UTC(2025, 0, 1) + (cycle * CLIENTS + client) * 86400000)
    .toISOString().slice(0, 10);
  const hh = String(Math.floor(k / 3600)).padStart(2, '0');
  const mm = String(Math.floor(k / 60) % 60).padStart(2, '0');
  const ss = String(k % 60).padStart(2, '0');
  const decigrams = 500 + ((cycle * 7919 + client * 104729 + k * 31) % 4000); // 50.0 to 449.9 kg
  return {
    fields: { kind: 'weight', value: (decigrams / 10).toFixed(1), unit: 'kg', date: day, time: `${hh}:${mm}:${ss}` },
    at_ms: Date.parse(`${day}T${hh}:${mm}:${ss}Z`),
    value_milli: decigrams * 100,
  };
}

// Posts the form and counts it acknowledged as soon as the 303 naming the
// stored reading arrives (before its body, which the kill may cut).
async function postReading(client, path, csrf, r) {
  const res = await fetch(client.base + path, {
    method: 'POST',
    body: new URLSearchParams({ csrf, ...r.fields }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: client.cookieHeader() },
    redirect: 'manual',
  });
  const status = res.status, location = res.headers.get('location') || '';
  try { await res.arrayBuffer(); } catch { /* cut by the kill: the status is what counts */ }
  return { status, location };
}

test('every write acknowledged before kill -9 survives it, and the database verifies', { timeout: 180000 }, async (t) => {
  const started = Date.now();
  const random = rng(SEED);
  const dir = mkdtempSync(join(tmpdir(), 'cocare-kill9-'));
  const db = { dir };
  let server = null;
  try {
    execFileSync(binary, ['demo', '--data', dir], { stdio: 'pipe' });
    const pid = patientId(db);
    const path = `/patients/${pid}/readings`;
    const acked = new Map();	// id -> what was posted, over every cycle
    const clients = [];
    let totalCut = 0, totalErrors = 0;
    t.diagnostic(`seed ${SEED} (COCARE_KILL_SEED), data ${dir}`);

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      server = await serveOn(dir);
      // Sessions made in the first cycle are acknowledged writes too:
      // they must still work after every kill.
      if (cycle === 0) {
        for (let i = 0; i < CLIENTS; i++) {
          const c = new Client(server.url);
          await c.signIn('patient');
          clients.push(c);
        }
      }
      const csrfs = [];
      for (const c of clients) {
        c.base = server.url;
        csrfs.push(await c.csrf(path));
      }

      const delay = Math.round(KILL_MIN_MS + random() * (KILL_MAX_MS - KILL_MIN_MS));
      const ackedNow = [];
      const errors = {};
      let cut = 0, stop = false;
      const writer = async (i) => {
        for (let k = 0; !stop; k++) {
          const r = reading(cycle, i, k);
          let res;
          try {
            res = await postReading(clients[i], path, csrfs[i], r);
          } catch {
            cut++;	// no answer: the server is gone
            return;
          }
          if (res.status === 303) {
            const m = res.location.match(/[?&]added=(\d+)/);
            assert.ok(m, `303 without the stored reading's id: ${res.location}`);
            ackedNow.push({ id: m[1], ...r });
          } else {
            errors[res.status] = (errors[res.status] || 0) + 1;
          }
        }
      };
      const writers = Array.from({ length: CLIENTS }, (_, i) => writer(i));
      await new Promise((r) => setTimeout(r, delay));
      server.proc.kill('SIGKILL');
      const { signal } = await server.exited;
      stop = true;
      await Promise.all(writers);
      assert.equal(signal, 'SIGKILL', `the server died before the kill: ${server.stderr}`);
      server = null;

      for (const a of ackedNow) {
        assert.ok(!acked.has(a.id), `reading id ${a.id} acknowledged twice`);
        acked.set(a.id, a);
      }
      totalCut += cut;
      totalErrors += Object.values(errors).reduce((x, y) => x + y, 0);

      // The database as the dead server left it, WAL and -shm included:
      // sqlite3 -readonly, the first to open it since the kill, rebuilds
      // the WAL index from the WAL itself (the last commits are only
      // there, not yet checkpointed into cocare.db).
      let walBytes = 0;
      try { walBytes = statSync(join(dir, 'cocare.db-wal')).size; } catch { /* none */ }
      const rows = query(db, `SELECT CAST(id AS TEXT) AS id, kind, at_ms, value_milli FROM reading WHERE patient_id = ${pid} AND source = 'web'`);
      const stored = new Map(rows.map((r) => [r.id, r]));
      const missing = [...acked.values()].filter((a) => {
        const s = stored.get(a.id);
        return !s || s.kind !== 'weight' || s.at_ms !== a.at_ms || s.value_milli !== a.value_milli;
      });
      assert.deepEqual(missing.map((a) => ({ id: a.id, ...a.fields, stored: stored.get(a.id) || null })), [],
        `cycle ${cycle + 1} (kill after ${delay} ms): acknowledged readings missing or changed`);
      assert.deepEqual(query(db, 'PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
      const v = spawnSync(binary, ['verify', '--data', dir], { encoding: 'utf8' });
      assert.equal(v.status, 0, `cocare verify after cycle ${cycle + 1}: ${v.stdout}${v.stderr}`);
      const entries = (v.stdout.match(/\((\d+) entries\)/) || [])[1];
      t.diagnostic(`cycle ${cycle + 1}: kill after ${delay} ms; ${ackedNow.length} acknowledged, ` +
        `${cut} cut, errors ${JSON.stringify(errors)}; stored web readings ${rows.length}, ` +
        `all ${acked.size} acknowledged present (WAL ${walBytes} bytes at the kill); verify ok (${entries} audit entries)`);
    }

    assert.ok(acked.size >= CYCLES, `too few acknowledged writes to prove anything: ${acked.size}`);
    t.diagnostic(`kill -9 summary: ${CYCLES} cycles, ${acked.size} acknowledged writes, all present; ` +
      `${totalCut} cut by the kill, ${totalErrors} answered with an error; ${Date.now() - started} ms`);
  } finally {
    if (server && server.proc.exitCode === null && server.proc.signalCode === null) {
      server.proc.kill('SIGKILL');
      await server.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
