// Two stateless `cocare serve` processes on one PostgreSQL database, as
// behind a load balancer: a session made by one works on the other,
// throttling is shared, and concurrent writes through both keep one
// intact audit chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { binary, startServer, serveOn, Client, pgConninfo, failSignInUntilWaiting } from './lib.mjs';

async function secondServer(first) {
  const s = await serveOn(first.dir, { args: first.dbArgs });
  return { url: s.url, proc: s.proc, dbArg: first.dbArgs };
}

test('two processes share sessions, throttling and one audit chain', { skip: !pgConninfo && 'no PostgreSQL server (run through make e2e)' }, async () => {
  const a = await startServer({ backend: 'pg' });
  const b = await secondServer(a);
  try {
    const ca = new Client(a.url);
    await ca.signIn('patient');
    const cb = new Client(b.url);
    cb.cookies = new Map(ca.cookies);
    const home = await cb.request('/');
    assert.equal(home.status, 200, 'the session made by process A works on B');
    assert.match(home.text_, /Hello, María/);

    // Failed sign-ins counted by A make B wait too.
    const x = new Client(a.url), y = new Client(b.url);
    const csrfX = await x.csrf('/signin'), csrfY = await y.csrf('/signin');
    await failSignInUntilWaiting(x, csrfX, 'doctor');
    const waited = await y.post('/signin', { csrf: csrfY, username: 'doctor', password: 'demo-password-2026' });
    assert.equal(waited.status, 429);

    // Concurrent writes through both processes.
    const csrf = await ca.csrf('/account');
    const writes = [];
    for (let i = 0; i < 60; i++) {
      const c = i % 2 ? ca : cb;
      writes.push(c.post('/account/language', { csrf, language: i % 3 ? 'en' : 'es' }));
    }
    const results = await Promise.all(writes);
    assert.ok(results.every((r) => r.status === 303), 'every write answered after its commit');
    // Both stop gracefully, then the chain is checked as one.
    for (const p of [a.proc, b.proc]) {
      const exited = new Promise((r) => p.on('exit', r));
      p.kill('SIGTERM');
      await exited;
    }
    const v = spawnSync(binary, ['verify', '--data', a.dir, ...b.dbArg], { encoding: 'utf8' });
    assert.equal(v.status, 0, v.stderr);
    const n = Number(v.stdout.match(/\((\d+) entries\)/)[1]);
    assert.ok(n > 1500, `audit entries: ${n}`);
  } finally {
    if (b.proc.exitCode === null) b.proc.kill('SIGTERM');
    await a.stop();
  }
});
