// The notification outbox end to end, with a real SMTP server on
// loopback (aiosmtpd) and an HTTP SMS gateway that fails on purpose:
// messages wait and are tried again while the SMTP server is down and
// none is lost; the dead-letter list in a browser after the gateway
// fails, tried again once it recovers; a person's preferences (axe at
// 360 px and desktop, English and Spanish; bad input changes nothing);
// kill -9 of the worker ten times while it delivers a few hundred
// notifications: every one is delivered, no text message twice, and at
// most one extra email for each kill, as docs/operations.md says; and
// three workers on one PostgreSQL never take the same notification.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binary, serveOn, launchBrowser, newPage, signIn, checkA11y, Client, snapshot, pgConninfo } from './lib.mjs';
import { startSmtp, mails, startGateway, sql, addNotifications, fastOutbox, waitFor } from './outbox_lib.mjs';

let browser;
const dirs = [];
before(async () => { browser = await launchBrowser(); });
after(async () => {
  await browser?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// A demo data directory where the patient has an email address and
// reads cocare in English, and the demo's own notifications are gone.
function demoDir() {
  const dir = mkdtempSync(join(tmpdir(), 'cocare-outbox-'));
  dirs.push(dir);
  execFileSync(binary, ['demo', '--data', dir], { stdio: 'pipe' });
  sql(dir, "UPDATE account SET email = 'patient@example.org', language = 'en' WHERE username = 'patient'");
  sql(dir, 'DELETE FROM outbox');
  mkdirSync(join(dir, 'mail'));
  return dir;
}

const count = (dir, where) => sql(dir, `SELECT COUNT(*) AS n FROM outbox WHERE ${where}`)[0].n;

test('messages wait while the SMTP server is down and none is lost', async () => {
  const dir = demoDir();
  const probe = await startSmtp(join(dir, 'mail'));
  const port = probe.port;
  await probe.stop();
  // In the person's language: this one reads cocare in Spanish.
  sql(dir, "UPDATE account SET language = 'es' WHERE username = 'patient'");
  const server = await serveOn(dir, { env: fastOutbox({ smtpPort: port }) });
  try {
    addNotifications(dir, { n: 20, channel: 'email', firstId: 1000, address: 'patient@example.org' });
    await waitFor(() => count(dir, "status = 'pending' AND attempts >= 2") === 20, 15000, 'failed tries');
    assert.equal(count(dir, "status = 'sent'"), 0, 'nothing is sent while the server is down');
    const row = sql(dir, 'SELECT last_error FROM outbox LIMIT 1')[0];
    assert.equal(row.last_error, 'could not reach the SMTP server');
    // The administrator's page says none is sent.
    const admin = new Client(server.url);
    await admin.signIn('admin');
    const page = await admin.request('/admin/outbox');
    assert.match(page.text_, /Waiting to be sent<\/th><td[^>]*>20</);
    assert.match(page.text_, /Sent<\/th><td[^>]*>0</);

    const smtp = await startSmtp(join(dir, 'mail'), port);
    try {
      await waitFor(() => count(dir, "status = 'sent'") === 20, 20000, 'every email sent');
      const got = mails(join(dir, 'mail'));
      const ids = new Set(got.map((m) => m.messageId));
      for (let i = 1000; i < 1020; i++)
        assert.ok(ids.has(`<outbox-${i}@care.example.org>`), `email ${i} arrived`);
      assert.equal(got.length, 20, 'each once');
      // No health details: the fixed sentence and the link.
      const m = got.find((x) => x.messageId === '<outbox-1003@care.example.org>');
      assert.equal(m.subject, 'Mensaje nuevo en cocare');
      assert.equal(m.body.replace(/\r/g, ''), 'Tienes un mensaje nuevo en cocare.\n\nAbre cocare para leerlo:\n' +
        'https://care.example.org/messages/1003\n\nRecibes esto por tus ajustes de avisos en cocare. ' +
        'Para cambiarlos:\nhttps://care.example.org/account/notifications\n');
      assert.equal(m.to, '<patient@example.org>');
    } finally {
      await smtp.stop();
    }
    // /metrics counts them.
    const metrics = await (await fetch(server.url + '/metrics')).text();
    assert.match(metrics, /cocare_outbox_notifications\{status="sent"\} 20/);
  } finally {
    await server.stop();
  }
  // The worker stopped with the server, cleanly.
  assert.deepEqual(await server.exited, { code: 0, signal: null });
});

test('the dead-letter list after the gateway fails, tried again once it recovers', async () => {
  const dir = demoDir();
  const gateway = await startGateway({ mode: 'fail' });
  const server = await serveOn(dir, { env: fastOutbox({ gateway, maxAttempts: 2 }) });
  try {
    addNotifications(dir, { n: 3, channel: 'sms', firstId: 2000, address: '+34600123456' });
    await waitFor(() => count(dir, "status = 'dead'") === 3, 15000, 'dead rows');
    assert.equal(gateway.sent.size, 0);
    // Credentials reach the gateway, never the database or the log.
    assert.equal(gateway.bodies[0].auth, 'Basic ' + Buffer.from('cocare:gateway-secret-token').toString('base64'));
    assert.equal(count(dir, "last_error LIKE '%secret%'"), 0);
    assert.doesNotMatch(server.stderr, /gateway-secret-token/);

    const page = await newPage(browser);
    await signIn(page, server.url, 'admin');
    await page.getByRole('link', { name: 'Notifications' }).click();
    await page.getByRole('heading', { name: 'Not delivered' }).waitFor();
    const rows = page.getByRole('table', { name: 'Not delivered' }).locator('tbody tr');
    assert.equal(await rows.count(), 3);
    const first = await rows.first().textContent();
    assert.match(first, /Text message/);
    assert.match(first, /••••3456/);
    assert.doesNotMatch(first, /600123456/, 'the number is masked');
    assert.match(first, /the SMS gateway answered 500/);
    for (const viewport of [{ width: 360, height: 740 }, { width: 1280, height: 800 }]) {
      await page.setViewportSize(viewport);
      await checkA11y(page, `admin outbox ${viewport.width}`);
    }
    gateway.mode = 'ok';
    await rows.first().getByRole('button', { name: /Try again/ }).click();
    await page.getByText('The notification will be tried again now.').waitFor();
    await waitFor(() => gateway.sent.size === 1, 10000, 'one text sent');
    await waitFor(() => count(dir, "status = 'sent'") === 1, 10000, 'recorded sent');
    await page.getByRole('button', { name: 'Try all again' }).click();
    await page.getByText('Every notification not delivered will be tried again now.').waitFor();
    await waitFor(() => count(dir, "status = 'sent'") === 3, 10000, 'all sent');
    assert.deepEqual([...gateway.sent.keys()].sort(), ['2000', '2001', '2002']);
    const text = gateway.sent.get('2001');
    assert.deepEqual(text, { to: '+34600123456', text: 'You have a new message in cocare. https://care.example.org/messages/2001', times: 1 });
    await page.reload();
    await page.getByText('Every notification was delivered or is still being tried.').waitFor();
    // The retries are audited.
    assert.equal(sql(dir, "SELECT COUNT(*) AS n FROM audit_event WHERE action = 'retry' AND resource_type = 'Notification' AND outcome = 'success'")[0].n, 2);
    // In Spanish too.
    const es = await newPage(browser, { locale: 'es-ES' });
    await signIn(es, server.url, 'admin');
    await es.goto(server.url + '/admin/outbox');
    await es.getByRole('heading', { name: 'Avisos', level: 1 }).waitFor();
    for (const viewport of [{ width: 360, height: 740 }, { width: 1280, height: 800 }]) {
      await es.setViewportSize(viewport);
      await checkA11y(es, `admin outbox es ${viewport.width}`);
    }
    // Only administrators.
    const nurse = new Client(server.url);
    await nurse.signIn('nurse');
    assert.equal((await nurse.request('/admin/outbox')).status, 403);
    const csrf = await nurse.csrf('/account');
    assert.equal((await nurse.post('/admin/outbox/retry', { csrf })).status, 403);
    await page.context().close();
    await es.context().close();
  } finally {
    await server.stop();
    await gateway.stop();
  }
});

test('notification preferences: saved, errors kept, bad input changes nothing', async () => {
  const dir = demoDir();
  const server = await serveOn(dir);
  try {
    const page = await newPage(browser);
    await signIn(page, server.url, 'patient');
    await page.goto(server.url + '/account');
    await page.getByRole('link', { name: 'Change notifications' }).click();
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    assert.ok(await page.getByRole('checkbox', { name: 'Email' }).isChecked(), 'email is on by default');
    await page.getByRole('checkbox', { name: 'Text message' }).check();
    await page.getByLabel('Mobile number for text messages').fill('600 12 34');
    await page.getByLabel('From (for example 22:00)').fill('22:00');
    await page.getByRole('button', { name: 'Save notifications' }).click();
    await page.getByText('Write the mobile number with its country code').first().waitFor();
    assert.equal(await page.getByLabel('Mobile number for text messages').inputValue(), '600 12 34', 'what was typed is kept');
    await page.getByText('Give both times').first().waitFor();
    for (const viewport of [{ width: 360, height: 740 }, { width: 1280, height: 800 }]) {
      await page.setViewportSize(viewport);
      await checkA11y(page, `preferences with errors ${viewport.width}`);
    }
    const mine = "account_id = (SELECT id FROM account WHERE username = 'patient')";
    assert.equal(sql(dir, `SELECT COUNT(*) AS n FROM notification_pref WHERE ${mine}`)[0].n, 0);
    await page.getByLabel('Mobile number for text messages').fill('+34 600 12 34 56');
    await page.getByLabel('Until (for example 07:00)').fill('07:00');
    await page.getByRole('button', { name: 'Save notifications' }).click();
    await page.getByText('Your changes are saved.').waitFor();
    const pref = sql(dir, `SELECT by_email, by_sms, phone, quiet_start_min, quiet_end_min FROM notification_pref WHERE ${mine}`)[0];
    assert.deepEqual(pref, { by_email: 1, by_sms: 1, phone: '+34600123456', quiet_start_min: 1320, quiet_end_min: 420 });
    assert.equal(await page.getByLabel('Mobile number for text messages').inputValue(), '+34600123456');
    assert.equal(sql(dir, "SELECT COUNT(*) AS n FROM audit_event WHERE resource_type = 'NotificationPreference' AND " +
      "resource_id = (SELECT CAST(id AS TEXT) FROM account WHERE username = 'patient')")[0].n, 1);
    await checkA11y(page, 'preferences saved');

    const es = await newPage(browser, { locale: 'es-ES' });
    await signIn(es, server.url, 'caregiver');
    await es.goto(server.url + '/account/notifications');
    await es.getByRole('heading', { name: 'Avisos', level: 1 }).waitFor();
    await es.getByRole('button', { name: 'Guardar los avisos' }).waitFor();
    for (const viewport of [{ width: 360, height: 740 }, { width: 1280, height: 800 }]) {
      await es.setViewportSize(viewport);
      await checkA11y(es, `preferences es ${viewport.width}`);
    }

    // Bad input: a clear 4xx and nothing changes.
    const c = new Client(server.url);
    await c.signIn('patient');
    const csrf = await c.csrf('/account/notifications');
    const before = snapshot({ dir }) + JSON.stringify(sql(dir, 'SELECT * FROM notification_pref'));
    const bad = [
      [{ csrf, by_sms: '1', phone: '' }, 400, /Write the mobile number to send text messages to/],
      [{ csrf, by_sms: '1', phone: '+34 600 abc 456' }, 400, /country code/],
      [{ csrf, phone: '+1234567890123456789' }, 400, /country code/],
      [{ csrf, quiet_start: '25:00', quiet_end: '07:00' }, 400, /Write a time such as 22:00/],
      [{ csrf, quiet_start: '22:00', quiet_end: '7' }, 400, /Write a time such as 07:00/],
      [{ csrf, quiet_start: '22:00' }, 400, /Give both times/],
      [{ csrf, by_email: 'yes please' }, 400, /not valid/],
      [{ csrf, phone: 'x'.repeat(5000) }, 400, /not valid/],
      [{ by_email: '1' }, 403, /form has expired/],
      [{ csrf: 'a'.repeat(64), by_email: '1' }, 403, /form has expired/],
    ];
    for (const [fields, status, text] of bad) {
      const res = await c.post('/account/notifications', fields);
      assert.equal(res.status, status, JSON.stringify(fields).slice(0, 80));
      assert.match(res.text_, text);
    }
    assert.equal((await c.post('/admin/outbox/retry', { csrf })).status, 403);
    assert.equal((await c.post('/admin/outbox/1/retry', { csrf })).status, 403);
    const admin = new Client(server.url);
    await admin.signIn('admin');
    const acsrf = await admin.csrf('/admin/outbox');
    assert.equal((await admin.post('/admin/outbox/12345/retry', { csrf: acsrf })).status, 404);
    assert.equal((await admin.post('/admin/outbox/abc/retry', { csrf: acsrf })).status, 404);
    const after = snapshot({ dir }) + JSON.stringify(sql(dir, 'SELECT * FROM notification_pref'));
    assert.equal(after, before);
    await page.context().close();
    await es.context().close();
  } finally {
    await server.stop();
  }
});

// One `cocare deliver` process; resolves when it exits.
function deliverer(dir, env) {
  const proc = spawn(binary, ['deliver', '--data', dir], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  return { proc, exited, get stderr() { return stderr; } };
}

test('kill -9 of the worker ten times: every notification delivered, no text twice, at most one extra email per kill', async () => {
  const dir = demoDir();
  const smtp = await startSmtp(join(dir, 'mail'));
  const gateway = await startGateway({ mode: 'flaky', failRate: 0.2, hangRate: 0.05 });
  const env = fastOutbox({ smtpPort: smtp.port, gateway, lease: 2, timeout: 1 });
  const N = 150;
  try {
    addNotifications(dir, { n: N, channel: 'email', firstId: 10000, address: 'patient@example.org' });
    addNotifications(dir, { n: N, channel: 'sms', firstId: 20000, address: '+34600123456' });
    let kills = 0;
    while (kills < 10) {
      const w = deliverer(dir, env);
      await new Promise((r) => setTimeout(r, 250 + Math.random() * 250));
      if (w.proc.exitCode !== null) assert.fail('deliver exited: ' + w.stderr);
      w.proc.kill('SIGKILL');
      const { signal } = await w.exited;
      assert.equal(signal, 'SIGKILL');
      kills++;
    }
    assert.ok(count(dir, "status = 'sent'") < 2 * N, 'the kills came while it delivered');
    // Then one runs to the end and stops cleanly.
    const w = deliverer(dir, env);
    await waitFor(() => count(dir, "status = 'sent'") === 2 * N, 40000, 'every notification sent');
    w.proc.kill('SIGTERM');
    assert.deepEqual(await w.exited, { code: 0, signal: null });
    assert.equal(count(dir, "status <> 'sent'"), 0);

    // Text messages: every one sent exactly once (the gateway honours
    // the key); some were asked for twice, which is why the key is there.
    assert.equal(gateway.sent.size, N);
    for (let i = 20000; i < 20000 + N; i++)
      assert.equal(gateway.sent.get(String(i))?.times, 1, `text ${i} sent once`);
    assert.ok([...gateway.requests.keys()].every((k) => /^\d+$/.test(k)), 'every request has its key');
    // Email: every one arrived; duplicates only from a kill between
    // handing over and recording: at most one per kill, with the same
    // Message-ID.
    const got = mails(join(dir, 'mail'));
    const byId = new Map();
    for (const m of got) byId.set(m.messageId, (byId.get(m.messageId) || 0) + 1);
    for (let i = 10000; i < 10000 + N; i++)
      assert.ok(byId.get(`<outbox-${i}@care.example.org>`) >= 1, `email ${i} arrived`);
    assert.equal(byId.size, N);
    const extra = got.length - N;
    assert.ok(extra <= kills, `${extra} duplicate emails for ${kills} kills`);
    for (const [id, n] of byId) assert.ok(n <= 2, `${id} arrived ${n} times`);
  } finally {
    await smtp.stop();
    await gateway.stop();
  }
});

test('three workers on one PostgreSQL: each notification handed over once', { skip: !pgConninfo && 'no PostgreSQL server (run through scripts/with-postgres)' }, async () => {
  const name = `cocare_outbox_${process.pid}`;
  execFileSync('psql', [pgConninfo, '-q', '-c', `CREATE DATABASE ${name}`], { stdio: 'pipe' });
  const conn = pgConninfo.replace(/dbname=\S+/, `dbname=${name}`);
  const psql = (text) => execFileSync('psql', [conn, '-Atq', '-c', text], { encoding: 'utf8' }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'cocare-outbox-pg-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'mail'));
  execFileSync(binary, ['demo', '--data', dir, '--database', conn], { stdio: 'pipe' });
  const N = 200;
  psql('DELETE FROM outbox');
  for (const [channel, first, address] of [['email', 30000, 'patient@example.org'], ['sms', 40000, '+34600123456']])
    psql(`INSERT INTO outbox (id, org_id, account_id, channel, address, event, link, created_at, next_at)
      SELECT ${first} + i, a.org_id, a.id, '${channel}', '${address}', 'message', '/messages/' || (${first} + i),
        extract(epoch FROM now())::bigint, extract(epoch FROM now())::bigint
      FROM generate_series(0, ${N - 1}) i, account a WHERE a.username = 'patient'`);
  const smtp = await startSmtp(join(dir, 'mail'));
  const gateway = await startGateway({ mode: 'ok' });
  const env = { ...fastOutbox({ smtpPort: smtp.port, gateway, lease: 30, timeout: 5 }), COCARE_DATABASE: conn };
  const workers = [0, 1, 2].map(() => deliverer(dir, env));
  try {
    await waitFor(() => Number(psql("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")) === 2 * N, 60000, 'all sent');
  } finally {
    for (const w of workers) w.proc.kill('SIGTERM');
    for (const w of workers) assert.deepEqual(await w.exited, { code: 0, signal: null });
    await smtp.stop();
    await gateway.stop();
  }
  // Nothing crashed, so nothing was handed over twice.
  const got = mails(join(dir, 'mail'));
  assert.equal(got.length, N);
  assert.equal(new Set(got.map((m) => m.messageId)).size, N);
  assert.equal(gateway.requests.size, N);
  assert.ok([...gateway.requests.values()].every((n) => n === 1), 'each text asked for once');
  // Every claim went through the audited write path.
  const actors = psql("SELECT COUNT(*) FROM audit_event WHERE action = 'claim' AND outcome = 'success'");
  assert.ok(Number(actors) >= 3, `${actors} claims`);
});
