// Disk faults under a running server (SQLite), injected by the test
// library build/tests/libfault.so (tests/fault/fault.c) through
// LD_PRELOAD and a control file:
// - a slow flush: an answer that says "saved" waits for the flush, also
//   for a repeat of a write that is still on its way to the disk;
// - a failed flush: nothing is answered as saved, the page says the
//   change could not be confirmed, /healthz says 503, the process exits
//   75 for a supervisor to restart it, and the data verifies afterwards;
// - a full disk: 507 in the person's language with what they typed
//   kept, one log line for the condition, /healthz 503, and recovery
//   without a restart once there is room again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binary, startServer, serveOn, query, patientId, Client, launchBrowser, newPage, signIn, checkA11y } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const faultLib = process.env.COCARE_FAULT_LIB || join(root, 'build', 'tests', 'libfault.so');

// A demo server with the fault library in front; `faults` is its
// control file (the library rereads it at most every 10 ms).
async function start() {
  assert.ok(existsSync(faultLib), `${faultLib} is missing: make build/tests/libfault.so`);
  const ctl = mkdtempSync(join(tmpdir(), 'cocare-faults-'));
  const faults = join(ctl, 'faults');
  const server = await startServer({ extraEnv: { LD_PRELOAD: faultLib, COCARE_FAULT_FILE: faults } });
  return {
    url: server.url, dir: server.dir, proc: server.proc, exited: server.exited,
    get stderr() { return server.stderr; },
    async setFaults(words) {
      writeFileSync(faults, words);
      await new Promise((r) => setTimeout(r, 30));
    },
    async stop() {
      await server.stop();
      rmSync(ctl, { recursive: true, force: true });
    },
  };
}

// A weight reading of its own second, so that a repeat is the same one.
function reading(second) {
  return { kind: 'weight', value: '71.4', unit: 'kg', date: '2026-11-30', time: `08:00:${String(second).padStart(2, '0')}` };
}

// The demo patient signed in, her readings form and its CSRF token.
async function readingsForm(server) {
  const c = new Client(server.url);
  await c.signIn('patient');
  const path = `/patients/${patientId(server)}/readings`;
  return { c, path, csrf: await c.csrf(path) };
}

async function timedPost(client, path, fields) {
  const t0 = Date.now();
  const res = await client.post(path, fields);
  return { res, t0, t1: Date.now() };
}

test('a repeated write is answered only once the write it repeats is on disk', { timeout: 60000 }, async () => {
  const server = await start();
  try {
    const { c, path, csrf } = await readingsForm(server);
    const fields = { csrf, ...reading(1) };

    await server.setFaults('sync-delay=1500');
    const first = timedPost(c, path, fields);
    await new Promise((r) => setTimeout(r, 200));
    const again = await timedPost(c, path, fields);	// a double click
    const one = await first;
    await server.setFaults('');

    assert.equal(one.res.status, 303);
    assert.equal(again.res.status, 303);
    assert.equal(again.res.headers.get('location'), one.res.headers.get('location'),
      'the repeat names the reading the first stored');
    assert.ok(one.t1 - one.t0 >= 1400, `the first answer waited for its flush (${one.t1 - one.t0} ms)`);
    assert.ok(again.t1 - again.t0 >= 1000,
      `the repeat was answered after ${again.t1 - again.t0} ms, before the flush of what it repeats`);
    assert.ok(again.t1 >= one.t1 - 50, 'the repeat was not answered before the first');
    const rows = query(server, `SELECT COUNT(*) AS n FROM reading WHERE source = 'web' AND value_milli = 71400`);
    assert.equal(rows[0].n, 1, 'a double submit is one reading');
  } finally {
    await server.stop();
  }
});

test('a failed flush: nothing answered as saved, 503 health, exit 75, the data verifies after a restart', { timeout: 60000 }, async () => {
  const server = await start();
  let restarted = null;
  try {
    const { c, path, csrf } = await readingsForm(server);

    // Let the audit events of those page views reach the disk first: a
    // failed flush of theirs would refuse every post below at once.
    await new Promise((r) => setTimeout(r, 300));
    await server.setFaults('sync-eio');
    // The first and its repeat at once, and others beside them.
    const posts = [reading(2), reading(2), reading(3), reading(4), reading(5)].map((r) =>
      c.post(path, { csrf, ...r }).then((res) => res, () => null));
    const answers = await Promise.all(posts);
    const health = await fetch(server.url + '/healthz').then(async (r) => [r.status, await r.text()], () => null);
    const { code } = await server.exited;

    for (const res of answers) {
      if (!res)
        continue;	// the connection closed as the process stopped
      assert.notEqual(res.status, 303, 'a write was answered as saved after its flush failed');
      assert.ok([500, 503].includes(res.status), `unexpected status ${res.status}`);
    }
    const unconfirmed = answers.filter((r) => r && r.status === 500);
    assert.ok(unconfirmed.length >= 1, 'the write waiting for the failed flush is answered');
    for (const res of unconfirmed) {
      assert.match(res.text_, /could not be confirmed as saved/);
      assert.match(res.text_, /may or may not have been saved/);
      assert.match(res.text_, /What you typed/);
      assert.match(res.text_, /71\.4/);
    }
    if (health) {
      assert.equal(health[0], 503, `/healthz after a failed flush: ${health[1]}`);
      assert.match(health[1], /^unavailable: /);
    }
    assert.equal(code, 75, `exit status after a failed flush (stderr: ${server.stderr})`);
    assert.match(server.stderr, /cannot flush the write-ahead log to disk: Input\/output error/);
    assert.match(server.stderr, /stopping after a disk error/);

    // Restarted without the fault, SQLite recovers from its WAL.
    const v = spawnSync(binary, ['verify', '--data', server.dir], { encoding: 'utf8' });
    assert.equal(v.status, 0, v.stdout + v.stderr);
    assert.deepEqual(query(server, 'PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
    restarted = await serveOn(server.dir);
    const url = restarted.url;
    assert.equal((await fetch(url + '/healthz')).status, 200, 'healthy again after the restart');
  } finally {
    if (restarted)
      await restarted.stop();
    await server.stop();
  }
});

test('a full disk: 507 with what was typed, one log line, 503 health, then recovery without a restart', { timeout: 60000 }, async () => {
  const server = await start();
  try {
    const { c, path, csrf } = await readingsForm(server);
    const before = query(server, `SELECT COUNT(*) AS n FROM reading`)[0].n;
    const fields = { csrf, ...reading(6), value: '68.2' };

    await server.setFaults('enospc');
    const full = await c.post(path, fields);
    assert.equal(full.status, 507, full.text_.slice(0, 300));
    assert.match(full.text_, /disk is full: nothing was saved/);
    assert.match(full.text_, /Try again in a few minutes/);
    assert.match(full.text_, /What you typed/);
    assert.match(full.text_, /<dd>68\.2<\/dd>/);
    assert.match(full.text_, /<input type="hidden" name="value" value="68\.2">/);
    assert.doesNotMatch(full.text_, /name="password"/);

    // In Spanish for a person who reads Spanish.
    const es = await c.post(path, fields, { headers: { 'accept-language': 'es' } });
    assert.equal(es.status, 507);
    assert.match(es.text_, /lang="es"/);
    assert.match(es.text_, /no se ha guardado nada/i);

    // Many refusals, one line for the condition (and no line per request).
    for (let i = 0; i < 40; i++)
      assert.equal((await c.post(path, { ...fields, time: `09:00:${String(i).padStart(2, '0')}` })).status, 507);
    const health = await fetch(server.url + '/healthz');
    assert.equal(health.status, 503);
    assert.equal(await health.text(), 'unavailable: the disk is full\n');
    const fullLines = server.stderr.split('\n').filter((l) => /full/.test(l));
    assert.equal(fullLines.length, 1, `log lines about the full disk:\n${fullLines.join('\n')}`);
    assert.doesNotMatch(server.stderr, /sqlite error/);
    assert.equal(query(server, `SELECT COUNT(*) AS n FROM reading`)[0].n, before, 'nothing was stored');

    // Room again: the same form sent again is stored, health is back.
    await server.setFaults('');
    const sent = await c.post(path, fields);
    assert.equal(sent.status, 303, sent.text_.slice(0, 300));
    assert.equal((await fetch(server.url + '/healthz')).status, 200);
    assert.equal(query(server, `SELECT COUNT(*) AS n FROM reading WHERE value_milli = 68200`)[0].n, 1);
    assert.match(server.stderr, /changes are stored again; \d+ were refused for want of disk space/);
  } finally {
    await server.stop();
  }
});

test('in a browser: the full-disk page keeps what was typed, passes axe at 360 px and on a desktop, and sends it again', { timeout: 90000 }, async () => {
  const server = await start();
  const browser = await launchBrowser();
  try {
    const pid = patientId(server);
    for (const viewport of [{ width: 360, height: 740 }, { width: 1280, height: 800 }]) {
      const page = await newPage(browser, { viewport });
      await signIn(page, server.url, 'patient');
      await page.goto(`${server.url}/patients/${pid}/readings?kind=weight`);
      await page.locator('#value').fill(viewport.width === 360 ? '70.9' : '70.8');
      await server.setFaults('enospc');
      await page.getByRole('button', { name: 'Save the reading' }).click();
      await page.getByRole('heading', { name: /disk is full: nothing was saved/, level: 1 }).waitFor();
      await page.getByRole('heading', { name: 'What you typed', level: 2 }).waitFor();
      await checkA11y(page, `the full-disk page at ${viewport.width} px`);
      if (viewport.width === 360) {
        const sideways = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
        assert.equal(sideways, false, 'the page does not scroll sideways on a phone');
      }
      await server.setFaults('');
      await page.getByRole('button', { name: 'Send it again' }).click();
      await page.waitForURL(/added=\d+/);
      await page.context().close();
    }
    assert.equal(query(server, `SELECT COUNT(*) AS n FROM reading WHERE value_milli IN (70800, 70900)`)[0].n, 2);
  } finally {
    await browser.close();
    await server.stop();
  }
});
