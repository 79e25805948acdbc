// Benchmark (d) of issue 10: the notification outbox delivering to a
// real SMTP server on loopback (aiosmtpd) and an HTTP SMS gateway in
// node. `node bench/outbox.mjs` after `make` (bench/run calls it):
//   1. notifications/s: N emails and N text messages, due at once,
//      delivered by one `cocare deliver` process (SQLite, the demo);
//   2. the same again while the gateway fails 20% of requests and loses
//      5% of answers, with kill -9 of the worker ten times: how many were
//      lost, how many text messages went out twice, how many extra emails.
// Prints a few lines for bench/RESULTS.md.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binary } from '../tests/e2e/lib.mjs';
import { startSmtp, mails, startGateway, sql, addNotifications, fastOutbox, waitFor } from '../tests/e2e/outbox_lib.mjs';

const N = Number(process.env.OUTBOX_N || 1000);
const count = (dir, where) => sql(dir, `SELECT COUNT(*) AS n FROM outbox WHERE ${where}`)[0].n;

function demoDir() {
  const dir = mkdtempSync(join(tmpdir(), 'cocare-bench-outbox-'));
  execFileSync(binary, ['demo', '--data', dir], { stdio: 'pipe' });
  sql(dir, "UPDATE account SET email = 'patient@example.org' WHERE username = 'patient'");
  sql(dir, 'DELETE FROM outbox');
  mkdirSync(join(dir, 'mail'));
  addNotifications(dir, { n: N, channel: 'email', firstId: 100000, address: 'patient@example.org' });
  addNotifications(dir, { n: N, channel: 'sms', firstId: 200000, address: '+34600123456' });
  return dir;
}

function deliverer(dir, env) {
  const proc = spawn(binary, ['deliver', '--data', dir], { env: { ...process.env, ...env }, stdio: 'ignore' });
  const exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  return { proc, exited };
}

async function run(kills) {
  const dir = demoDir();
  const smtp = await startSmtp(join(dir, 'mail'));
  const gateway = await startGateway(kills ? { mode: 'flaky', failRate: 0.2, hangRate: 0.05 } : { mode: 'ok' });
  const env = fastOutbox({ smtpPort: smtp.port, gateway, lease: kills ? 2 : 120, timeout: 1 });
  const t0 = process.hrtime.bigint();
  try {
    for (let k = 0; k < kills; k++) {
      const w = deliverer(dir, env);
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 300));
      w.proc.kill('SIGKILL');
      await w.exited;
    }
    const sentBefore = count(dir, "status = 'sent'");
    const w = deliverer(dir, env);
    await waitFor(() => count(dir, "status = 'sent'") === 2 * N, 600000, 'all sent');
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    w.proc.kill('SIGTERM');
    await w.exited;
    const got = mails(join(dir, 'mail'));
    const ids = new Set(got.map((m) => m.messageId));
    let smsTwice = 0;
    for (const s of gateway.sent.values()) if (s.times > 1) smsTwice++;
    let asked = 0;
    for (const n of gateway.requests.values()) if (n > 1) asked++;
    return {
      secs, rate: (2 * N) / secs, sentBefore,
      lostEmail: N - ids.size, lostSms: N - gateway.sent.size,
      extraEmail: got.length - ids.size, smsTwice, asked,
      notSent: count(dir, "status <> 'sent'"),
    };
  } finally {
    await smtp.stop();
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const plain = await run(0);
console.log(`(d) outbox: ${2 * N} notifications (${N} emails to aiosmtpd, ${N} texts to a node gateway) by one cocare deliver: ` +
  `${plain.secs.toFixed(2)} s, ${Math.round(plain.rate)} notifications/s; lost ${plain.lostEmail + plain.lostSms}, extra emails ${plain.extraEmail}, texts twice ${plain.smsTwice}.`);
const crash = await run(10);
console.log(`(d) outbox, 10 × kill -9 of the worker, gateway failing 20% and losing 5% of answers: ${crash.sentBefore} of ${2 * N} sent before the last start, ` +
  `all sent after ${crash.secs.toFixed(1)} s; lost ${crash.lostEmail + crash.lostSms} (rows not sent ${crash.notSent}), texts sent twice ${crash.smsTwice} ` +
  `(${crash.asked} texts asked for again, answered once by the Idempotency-Key), extra emails ${crash.extraEmail} (at most one per kill, and one per lost answer, is the documented bound).`);
