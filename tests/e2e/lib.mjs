// Shared helpers for the end-to-end tests: a real cocare server with
// demo data in a temp directory, Debian's chromium through
// playwright-core, axe-core checks, an HTTP client with cookies, and a
// snapshot of the stored data to prove bad input changed nothing.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const binary = process.env.COCARE_BIN || join(root, 'cocare');
export const DEMO_PASSWORD = 'demo-password-2026';

// The PostgreSQL server of `make e2e` (scripts/with-postgres), if any.
export const pgConninfo = process.env.COCARE_TEST_PG || '';
let pgDatabases = 0;

// A new empty PostgreSQL database on that server; its connection string.
function newPgDatabase() {
  const name = `cocare_e2e_${process.pid}_${++pgDatabases}`;
  execFileSync('psql', [pgConninfo, '-q', '-c', `CREATE DATABASE ${name}`], { stdio: 'pipe' });
  return pgConninfo.replace(/dbname=\S+/, `dbname=${name}`);
}

// Starts `cocare serve` on an existing data directory on a free port;
// resolves once it listens. `exited` resolves with { code, signal }.
export async function serveOn(dir, { args = [], env = {} } = {}) {
  const proc = spawn(binary, ['serve', '--data', dir, ...args, '--listen', '127.0.0.1:0'], {
    env: { ...process.env, COCARE_READ_AUDIT_DELAY_MS: '5', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error('server did not start: ' + stderr));
    }, 15000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving on (http:\/\/[^/\s]+)\//);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening: ${stderr}`));
    });
  });
  return {
    url, proc, exited,
    get stderr() { return stderr; },
    // Stops it (SIGTERM) unless it has exited already.
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
    },
  };
}

// Starts `cocare serve` on a free port over a fresh demo database, on
// SQLite or (backend 'pg') on PostgreSQL.
export async function startServer({ demo = true, extraEnv = {}, backend = 'sqlite' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cocare-e2e-'));
  const db = backend === 'pg' ? ['--database', newPgDatabase()] : [];
  if (demo)
    execFileSync(binary, ['demo', '--data', dir, ...db], { stdio: 'pipe' });
  else
    execFileSync(binary, ['init', '--data', dir, ...db], { stdio: 'pipe' });
  const s = await serveOn(dir, { args: db, env: extraEnv });
  return {
    url: s.url, dir, proc: s.proc, exited: s.exited, dbArgs: db,
    get stderr() { return s.stderr; },
    async stop() {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// What sqlite3 may print for query() and snapshot(): the demo's year of
// contact history is well over the 1 MB execFileSync allows by default.
const SQL_OUTPUT_MAX = 256 * 1024 * 1024;

// Runs SQL against the server's SQLite file (read-only) and returns rows.
export function query(server, sql) {
  const out = execFileSync('sqlite3', ['-readonly', '-json', join(server.dir, 'cocare.db'), sql], { encoding: 'utf8', maxBuffer: SQL_OUTPUT_MAX });
  return out.trim() ? JSON.parse(out) : [];
}

// Everything a request could wrongly change: every table except the ones
// that legitimately grow on any request (audit, sessions, throttling).
const DATA_TABLES = ['organisation', 'unit', 'patient', 'patient_identifier', 'patient_version', 'account',
  'care_team_member', 'caregiver_grant', 'break_glass', 'api_token', 'provenance',
  'touchpoint', 'setting', 'care_version', 'what_matters', 'care_plan', 'care_item',
  'care_comment', 'plan_review', 'crisis_plan', 'note', 'note_paragraph', 'note_view',
  'note_amendment', 'review_conversation', 'review_rating', 'review_focus', 'decision_aid',
  'shared_decision', 'jargon', 'org_instrument', 'measure_request', 'measure_response',
  'measure_score', 'reading', 'measure_target', 'measure_alert', 'visit_agenda',
  'research_consent', 'research_key', 'message_thread', 'message', 'appointment'];

// Plain text, not JSON: 62-bit ids would lose precision as JS numbers.
export function snapshot(server) {
  const sql = DATA_TABLES.map((t) => `SELECT '${t}'; SELECT * FROM ${t} ORDER BY 1;`).join(' ');
  return execFileSync('sqlite3', ['-readonly', join(server.dir, 'cocare.db'), sql], { encoding: 'utf8', maxBuffer: SQL_OUTPUT_MAX });
}

export async function launchBrowser() {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A new browser context; CSP is bypassed only so axe-core can be injected.
export async function newPage(browser, opts = {}) {
  const context = await browser.newContext({ bypassCSP: true, locale: 'en-GB', ...opts });
  return context.newPage();
}

export async function signIn(page, base, user, password = DEMO_PASSWORD) {
  // By field ids, so it works in every language.
  await page.goto(base + '/signin');
  await page.locator('#username').fill(user);
  await page.locator('#password').fill(password);
  await page.locator('form[action="/signin"] button[type="submit"]').click();
  await page.waitForLoadState('domcontentloaded');
}

export async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForLoadState('domcontentloaded');
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// Fails the test with every axe-core violation on the current page.
export async function checkA11y(page, label) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ['violations'] }));
  const problems = result.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n  ')}`);
  assert.deepEqual(problems, [], `axe-core violations on ${label || page.url()}`);
}

// A tiny HTTP client that keeps cookies, for tests below the browser.
export class Client {
  constructor(base) { this.base = base; this.cookies = new Map(); }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(path, { method = 'GET', body, headers = {}, redirect = 'manual' } = {}) {
    const h = { ...headers };
    if (this.cookies.size) h.cookie = this.cookieHeader();
    const res = await fetch(this.base + path, { method, body, headers: h, redirect });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (/Max-Age=0/i.test(c)) this.cookies.delete(name); else this.cookies.set(name, value);
    }
    res.text_ = await res.text();
    return res;
  }

  // The CSRF token of the form on `path`.
  async csrf(path = '/signin') {
    const res = await this.request(path);
    const m = res.text_.match(/name="csrf" value="([0-9a-f]{64})"/);
    assert.ok(m, `no csrf token on ${path} (status ${res.status})`);
    return m[1];
  }

  async post(path, fields, opts = {}) {
    const body = new URLSearchParams(fields).toString();
    return this.request(path, {
      method: 'POST', body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(opts.headers || {}) },
    });
  }

  async signIn(user, password = DEMO_PASSWORD) {
    const csrf = await this.csrf('/signin');
    const res = await this.post('/signin', { csrf, username: user, password });
    assert.equal(res.status, 303, `sign-in of ${user} failed: ${res.status}`);
    return res;
  }
}

// Fails sign-in for `username` until a wait has just begun again: a 401
// after a 429 is a failure recorded at that moment, after the free
// attempts, so the wait it starts (2 s or more) covers the next request.
// A fixed count of failures cannot promise that: attempts refused while
// waiting are not counted, and the wait is kept in whole seconds.
export async function failSignInUntilWaiting(client, csrf, username) {
  let waited = false;
  for (let i = 0; i < 400; i++) {
    const r = await client.post('/signin', { csrf, username, password: 'wrong again' });
    if (r.status === 429)
      waited = true;
    else if (waited && r.status === 401)
      return;
    if (waited)
      await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`sign-in of ${username} was never made to wait again`);
}

// The id of the demo patient "patient" (María), from the database.
export function patientId(server, username = 'patient') {
  const rows = query(server, `SELECT CAST(patient_id AS TEXT) AS id FROM account WHERE username = '${username}'`);
  return rows[0].id;
}

// RFC 6238 code (SHA-1, 30 s, 6 digits) for a base32 secret, as an
// authenticator app would show it.
export function totp(secret, now = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/=+$/, '')) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)));
  const h = createHmac('sha1', key).update(counter).digest();
  const o = h[h.length - 1] & 15;
  const n = (h.readUInt32BE(o) & 0x7fffffff) % 1000000;
  return String(n).padStart(6, '0');
}
