// Loopback receivers for the notification outbox's tests and benchmark:
// a real SMTP server (aiosmtpd, Debian's python3-aiosmtpd, through
// smtp_sink.py) that writes each message to a directory, and an HTTP SMS
// gateway in node that fails on purpose when told to (500s and answers
// that never come) and honours Idempotency-Key: a key it has sent once is
// never sent again.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// Starts the SMTP server on `port` (0: any); resolves once it listens.
export async function startSmtp(dir, port = 0) {
  const proc = spawn('/usr/bin/python3', [join(here, 'smtp_sink.py'), dir, String(port)],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((r) => proc.on('exit', r));
  const got = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('smtp server did not start: ' + err)), 10000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening (\d+)/);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    exited.then(() => { clearTimeout(timer); reject(new Error('smtp server exited: ' + err)); });
  });
  return {
    port: got,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) { proc.kill('SIGTERM'); await exited; }
    },
  };
}

// The messages the SMTP server took: [{ messageId, to, subject, body }].
export function mails(dir) {
  return readdirSync(dir).filter((f) => f.endsWith('.eml')).sort().map((f) => {
    const text = readFileSync(join(dir, f), 'utf8');
    const [head, ...rest] = text.split(/\r?\n\r?\n/);
    const h = (name) => (head.match(new RegExp(`^${name}: (.*)$`, 'mi')) || [])[1] || '';
    return { messageId: h('Message-ID'), to: h('To'), subject: h('Subject'), body: rest.join('\n\n') };
  });
}

// The gateway. mode: 'ok', 'fail' (every request 500), or 'flaky' (a
// share `failRate` answers 500 without sending, a share `hangRate` sends
// and then never answers, as when the answer is lost).
export async function startGateway({ mode = 'ok', failRate = 0.2, hangRate = 0.05 } = {}) {
  const g = {
    mode, failRate, hangRate,
    requests: new Map(),	// key -> requests seen
    sent: new Map(),		// key -> { to, text, times } times a text went out
    hung: [],
    bodies: [],
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const key = req.headers['idempotency-key'] || '';
      g.requests.set(key, (g.requests.get(key) || 0) + 1);
      g.bodies.push({ key, body, auth: req.headers.authorization || '' });
      if (g.mode === 'fail' || (g.mode === 'flaky' && Math.random() < g.failRate)) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('gateway trouble');
        return;
      }
      const send = () => {
        const s = g.sent.get(key);
        if (s) return;	// honoured: this key went out already
        const { to, text } = JSON.parse(body);
        g.sent.set(key, { to, text, times: 1 });
      };
      send();
      if (g.mode === 'flaky' && Math.random() < g.hangRate) {
        g.hung.push(res);	// sent, but the answer never comes
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"queued"}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  g.url = `http://127.0.0.1:${server.address().port}/sms`;
  g.stop = async () => {
    for (const r of g.hung) r.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return g;
}

// Rows of `sql` on the SQLite database in `dir` (waits for a writer).
export function sql(dir, text) {
  const out = execFileSync('sqlite3', ['-json', '-cmd', '.timeout 10000', join(dir, 'cocare.db'), text], { encoding: 'utf8' });
  return out.trim() ? JSON.parse(out) : [];
}

// Writes `n` notifications for the demo patient ('patient') by `channel`,
// due now, ids from `firstId`, as outbox_notify() would.
export function addNotifications(dir, { n, channel, firstId, address }) {
  sql(dir, `WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < ${n})
    INSERT INTO outbox (id, org_id, account_id, channel, address, event, link, created_at, next_at)
    SELECT ${firstId} + i, a.org_id, a.id, '${channel}', '${address}', 'message',
      '/messages/' || (${firstId} + i), strftime('%s','now'), strftime('%s','now')
    FROM k, account a WHERE a.username = 'patient'`);
}

// Options for a fast outbox: retries after 1 s, short leases.
export function fastOutbox({ smtpPort, gateway, maxAttempts = 100, lease = 2, timeout = 1 }) {
  return {
    COCARE_SMTP_URL: smtpPort ? `smtp://127.0.0.1:${smtpPort}` : '',
    COCARE_SMTP_FROM: 'cocare <noreply@care.example.org>',
    COCARE_SMS_URL: gateway ? gateway.url : '',
    COCARE_SMS_USER: gateway ? 'cocare' : '',
    COCARE_SMS_TOKEN: gateway ? 'gateway-secret-token' : '',
    COCARE_PUBLIC_URL: 'https://care.example.org',
    COCARE_OUTBOX_RETRY_MIN: '1',
    COCARE_OUTBOX_RETRY_MAX: '1',
    COCARE_OUTBOX_POLL_MS: '50',
    COCARE_OUTBOX_LEASE: String(lease),
    COCARE_OUTBOX_TIMEOUT: String(timeout),
    COCARE_OUTBOX_MAX_ATTEMPTS: String(maxAttempts),
  };
}

export async function waitFor(fn, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 100));
  }
}
