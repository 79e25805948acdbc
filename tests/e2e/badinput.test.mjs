// Bad input: malformed, oversized, wrongly encoded, cross-site-forged,
// path-traversing and unauthorised requests each get a clear 4xx page in
// the person's language, and the stored data is unchanged. SQL
// meta-characters are stored verbatim; script payloads are shown inert.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, Client, snapshot, patientId, query, failSignInUntilWaiting } from './lib.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

// Runs `fn`, then checks the status, a message on the page, and that no
// data table changed.
async function expectRefused(fn, status, message) {
  const before = snapshot(server);
  const res = await fn();
  assert.equal(res.status, status, `status for: ${message}`);
  if (message) assert.match(res.text_, message);
  assert.equal(snapshot(server), before, 'stored data must not change');
  return res;
}

async function raw(request) {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), hostname, () => sock.end(request));
    let data = '';
    sock.on('data', (d) => { data += d; });
    const finish = () => resolve({ status: Number(data.split(' ')[1]), text_: data });
    sock.on('close', finish);
    // The server may answer early (413) and close while we still send.
    sock.on('error', (e) => (data ? finish() : reject(e)));
  });
}

test('a form without or with a forged CSRF token is refused', async () => {
  const c = new Client(server.url);
  await c.signIn('patient');
  await expectRefused(() => c.post('/account/language', { language: 'es' }), 403, /form has expired/);
  await expectRefused(() => c.post('/account/language', { language: 'es', csrf: 'a'.repeat(64) }), 403, /form has expired/);
  // A cross-site sign-in without the form cookie.
  const d = new Client(server.url);
  await expectRefused(() => d.post('/signin', { csrf: 'b'.repeat(64), username: 'patient', password: 'x' }), 403, /form has expired/);
});

test('malformed form encoding and invalid UTF-8 get 400', async () => {
  const c = new Client(server.url);
  await c.signIn('patient');
  const csrf = await c.csrf('/account');
  await expectRefused(() => c.request('/account/language', {
    method: 'POST', body: `csrf=${csrf}&language=%zz`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  }), 400, /not valid/);
  await expectRefused(() => c.request('/account/language', {
    method: 'POST', body: `csrf=${csrf}&language=%C3%28`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  }), 400, /UTF-8/);
  await expectRefused(() => c.request('/patients?q=%FF', {}), 400, /UTF-8/);
});

test('an unknown language value is refused with a message', async () => {
  const c = new Client(server.url);
  await c.signIn('patient');
  const csrf = await c.csrf('/account');
  await expectRefused(() => c.post('/account/language', { csrf, language: 'xx' }), 400, /Choose a language from the list/);
});

// Sends a request head only and reads the server's early answer, as a
// client does that waits for it before sending a big body.
async function rawHead(head) {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), hostname, () => sock.write(head));
    let data = Buffer.alloc(0);
    const answer = () => {
      const text = data.toString('utf8');
      return { status: Number(text.split(' ')[1]), text_: text };
    };
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('no answer')); }, 5000);
    sock.on('data', (d) => {
      data = Buffer.concat([data, d]);
      const head = data.toString('latin1');
      const m = head.match(/\r\nContent-Length: (\d+)\r\n/i);
      const end = head.indexOf('\r\n\r\n');
      // Content-Length counts bytes: compare with the byte length.
      if (m && end >= 0 && data.length >= end + 4 + Number(m[1])) {
        clearTimeout(timer);
        sock.destroy();
        resolve(answer());
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => { clearTimeout(timer); resolve(answer()); });
  });
}

test('oversized bodies get 413 and oversized headers are refused', async () => {
  const c = new Client(server.url);
  await c.signIn('patient');
  const csrf = await c.csrf('/account');
  await expectRefused(() => rawHead(`POST /account/language HTTP/1.1\r\nHost: x\r\nCookie: ${c.cookieHeader()}\r\n` +
    `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${(2 << 20) + 100}\r\n\r\ncsrf=${csrf}&language=`), 413, /too large/);
  // A body that grows past the cap without announcing its length.
  await expectRefused(() => rawHead(`POST /account/language HTTP/1.1\r\nHost: x\r\nCookie: ${c.cookieHeader()}\r\n` +
    `Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n` +
    `180000\r\n${'x'.repeat(0x180000)}\r\n0\r\n\r\n`), 413, /too large/);
  const res = await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\nConnection: close\r\n\r\n`);
  assert.ok(res.status === 431 || res.status === 413, `big header: ${res.status}`);
});

test('path traversal and odd paths get 400 or 404, never a file', async () => {
  for (const p of ['/static/../../etc/passwd', '/static/%2e%2e/%2e%2e/etc/passwd', '/static/..%2fcocare.db', '/%2e%2e/', '/static/app.css%00.txt']) {
    const res = await raw(`GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.ok(res.status === 400 || res.status === 404, `${p}: ${res.status}`);
    assert.doesNotMatch(res.text_, /root:|SQLite format/);
  }
  const c = new Client(server.url);
  const res = await c.request('/no/such/page');
  assert.equal(res.status, 404);
  assert.match(res.text_, /page not found/i);
});

test('wrong method and content type', async () => {
  const c = new Client(server.url);
  await c.signIn('patient');
  const csrf = await c.csrf('/account');
  await expectRefused(() => c.request('/account', { method: 'DELETE' }), 405, null);
  await expectRefused(() => c.request('/account/language', {
    method: 'POST', body: JSON.stringify({ csrf, language: 'es' }),
    headers: { 'content-type': 'application/json' },
  }), 415, /not accepted/);
});

test('unauthorised: signed out, another patient, another role', async () => {
  const anon = new Client(server.url);
  const pid = patientId(server);
  const other = patientId(server, 'p002');
  let res = await anon.request(`/patients/${pid}`);
  assert.equal(res.status, 303);
  assert.match(res.headers.get('location'), /^\/signin\?next=/);
  const csrfAnon = await anon.csrf('/signin');
  await expectRefused(() => anon.post(`/patients/${pid}/grants`, { csrf: csrfAnon, username: 'x', relationship: 'y' }), 401, /sign in/);

  const c = new Client(server.url);
  await c.signIn('patient');
  const csrf = await c.csrf('/account');
  await expectRefused(() => c.request(`/patients/${other}`), 403, /do not have access/);
  await expectRefused(() => c.post(`/patients/${other}/edit`, { csrf, version: '1', given_name: 'X', family_name: 'Y', birth_date: '1990-01-01', gender: 'male', preferred_language: 'en' }), 403, /do not have access/);
  await expectRefused(() => c.post(`/patients/${other}/grants`, { csrf, username: 'caregiver', relationship: 'x', scope_profile_read: '1' }), 403, /do not have access/);
  await expectRefused(() => c.post(`/patients/${pid}/team`, { csrf, username: 'nurse', team_role: 'x' }), 403, /do not have access/);
  await expectRefused(() => c.request('/admin/users'), 403, /do not have access/);
  await expectRefused(() => c.request('/privacy'), 403, /do not have access/);
  await expectRefused(() => c.request('/patients/0'), 404, /not found/);
  await expectRefused(() => c.request('/patients/abc'), 404, /not found/);
  await expectRefused(() => c.request('/patients/99999999999999999999999'), 404, /not found/);
});

test('bad patient fields are refused with messages and nothing changes', async () => {
  const c = new Client(server.url);
  await c.signIn('patient');
  const pid = patientId(server);
  const csrf = await c.csrf(`/patients/${pid}/edit`);
  const version = query(server, `SELECT version FROM patient WHERE id = ${pid}`)[0].version;
  const good = { csrf, version: String(version), given_name: 'María', family_name: 'López', birth_date: '1980-04-23', gender: 'female', preferred_language: 'es' };
  await expectRefused(() => c.post(`/patients/${pid}/edit`, { ...good, birth_date: '2023-02-29' }), 400, /date of birth/);
  await expectRefused(() => c.post(`/patients/${pid}/edit`, { ...good, birth_date: '2100-01-01' }), 400, /future/);
  await expectRefused(() => c.post(`/patients/${pid}/edit`, { ...good, given_name: '' }), 400, /first name/);
  await expectRefused(() => c.post(`/patients/${pid}/edit`, { ...good, given_name: 'x'.repeat(101) }), 400, /first name/);
  await expectRefused(() => c.post(`/patients/${pid}/edit`, { ...good, gender: 'robot' }), 400, /Choose one of the options/);
  await expectRefused(() => c.post(`/patients/${pid}/edit`, { ...good, communication_needs: 'y'.repeat(1001) }), 400, /1000 characters/);
  await expectRefused(() => c.post(`/patients/${pid}/edit`, { ...good, version: 'abc' }), 400, /not valid/);
  // A stale version: 409 with both versions shown, nothing stored.
  const res = await expectRefused(() => c.post(`/patients/${pid}/edit`, { ...good, version: String(version - 1 || 99), communication_needs: 'typed text kept' }), 409, /Someone else changed/);
  assert.match(res.text_, /typed text kept/);
  await expectRefused(() => c.post(`/patients/${pid}/grants`, { csrf, username: 'nobody-here', relationship: 'friend', scope_profile_read: '1' }), 400, /no caregiver account/);
  await expectRefused(() => c.post(`/patients/${pid}/grants`, { csrf, username: 'caregiver', relationship: '', }), 400, /at least one thing/);
  await expectRefused(() => c.post(`/patients/${pid}/grants`, { csrf, username: 'caregiver', relationship: 'son', scope_profile_read: '1', expires: '2001-01-01' }), 400, /future/);
  await expectRefused(() => c.post(`/patients/${pid}/identifiers`, { csrf, system: 'mrn', value: 'bad value!' }), 400, /letters, digits/);
});

test('SQL meta-characters are stored verbatim and scripts are shown inert', async () => {
  const c = new Client(server.url);
  await c.signIn('patient');
  const pid = patientId(server);
  const csrf = await c.csrf(`/patients/${pid}/edit`);
  const version = query(server, `SELECT version FROM patient WHERE id = ${pid}`)[0].version;
  const sql = `Robert'); DROP TABLE patient; -- "quoted" \\ back`;
  const script = '<script>alert(1)</script><img src=x onerror=alert(2)>';
  const res = await c.post(`/patients/${pid}/edit`, {
    csrf, version: String(version), given_name: 'María', family_name: 'López', birth_date: '1980-04-23',
    gender: 'female', preferred_language: 'es', communication_needs: sql, accessibility_needs: script,
  });
  assert.equal(res.status, 303);
  const row = query(server, `SELECT communication_needs, accessibility_needs FROM patient WHERE id = ${pid}`)[0];
  assert.equal(row.communication_needs, sql);
  assert.equal(row.accessibility_needs, script);
  assert.equal(query(server, 'SELECT count(*) AS n FROM patient')[0].n, 200);
  const page = await c.request(`/patients/${pid}`);
  assert.ok(!page.text_.includes('<script>alert(1)'), 'script must be escaped');
  assert.ok(page.text_.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(page.text_.includes('Robert&#39;); DROP TABLE patient; -- &quot;quoted&quot;'));
  const csp = page.headers.get('content-security-policy');
  assert.match(csp, /default-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
});

test('sign-in: wrong password, unknown user and throttling look the same', async () => {
  const c = new Client(server.url);
  const csrf = await c.csrf('/signin');
  const wrong = await expectRefused(() => c.post('/signin', { csrf, username: 'rafael.moreno', password: 'not the password' }), 401, /user name or password is not right/);
  const unknown = await expectRefused(() => c.post('/signin', { csrf, username: 'no-such-person', password: 'not the password' }), 401, /user name or password is not right/);
  assert.equal(wrong.text_.replace(/rafael\.moreno/g, 'X').replace(/[0-9a-f]{64}/g, ''), unknown.text_.replace(/no-such-person/g, 'X').replace(/[0-9a-f]{64}/g, ''));
  // After the free attempts, both wait, and even the right password waits.
  await failSignInUntilWaiting(c, csrf, 'rafael.moreno');
  await expectRefused(() => c.post('/signin', { csrf, username: 'rafael.moreno', password: 'demo-password-2026' }), 429, /Too many attempts/);
  await failSignInUntilWaiting(c, csrf, 'ghost-user');
  await expectRefused(() => c.post('/signin', { csrf, username: 'ghost-user', password: 'x' }), 429, /Too many attempts/);
  const before = query(server, `SELECT count(*) AS n FROM session`)[0].n;
  assert.equal(query(server, `SELECT count(*) AS n FROM session`)[0].n, before);
});

test('errors come in the person\'s language', async () => {
  const c = new Client(server.url);
  const res = await c.request('/no/such/page', { headers: { 'accept-language': 'es-ES,es;q=0.9' } });
  assert.equal(res.status, 404);
  assert.match(res.text_, /lang="es"/);
  assert.doesNotMatch(res.text_, /page not found/);
});

test('security headers on every response', async () => {
  const c = new Client(server.url);
  for (const path of ['/signin', '/no/such/page', '/healthz', '/static/app.css']) {
    const res = await c.request(path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
    assert.match(res.headers.get('content-security-policy') || '', /frame-ancestors 'none'/, path);
    assert.ok(res.headers.get('referrer-policy'), path);
    assert.ok(res.headers.get('permissions-policy'), path);
    assert.match(res.headers.get('content-type') || '', /charset=utf-8/i, path);
  }
  await c.signIn('patient');
  const home = await c.request('/');
  assert.match(home.headers.get('cache-control') || '', /no-store/);
  const cookie = c.cookies.get('session');
  assert.ok(cookie && cookie.length === 64);
});
