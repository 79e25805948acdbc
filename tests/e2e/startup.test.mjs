// Start-up refusals and honest health: `cocare serve` refuses, with the
// path, the system's reason and what to do, a database it could only
// read (mode 0444 for its user, an immutable file, a read-only file
// system), an audit key it cannot read, and a data directory another
// serve already uses; /healthz says 503 when the database file stops
// being writable under a running server, and 200 again after.
//
// Some cases need what only root can set up here (another user, the
// immutable flag, a mount): they are skipped, saying why, elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync, cpSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binary, startServer } from './lib.mjs';

const isRoot = process.getuid() === 0;
const NOBODY = 65534;

// Runs `cocare serve` on `dir` until it listens (then stops it) or
// exits; `as` runs it as another user (root only).
async function serveOnce(dir, { as } = {}) {
  const cmd = as === undefined ? binary : 'setpriv';
  const args = ['serve', '--data', dir, '--listen', '127.0.0.1:0'];
  const argv = as === undefined ? args
    : [`--reuid=${as}`, `--regid=${as}`, '--clear-groups', binary, ...args];
  const proc = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '', stdout = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  proc.stdout.on('data', (d) => { stdout += d; });
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (/serving on/.test(stdout)) {
        clearInterval(timer);
        proc.kill('SIGTERM');
        proc.on('exit', () => resolve({ started: true, stderr }));
      }
    }, 20);
    proc.on('exit', (code) => {
      clearInterval(timer);
      resolve({ started: /serving on/.test(stdout), code, stderr });
    });
  });
}

function demoDir() {
  const dir = mkdtempSync(join(tmpdir(), 'cocare-start-'));
  execFileSync(binary, ['demo', '--data', dir], { stdio: 'pipe' });
  return dir;
}

function tryRun(cmd, args) {
  return spawnSync(cmd, args, { stdio: 'pipe' }).status === 0;
}

test('a second serve on the same SQLite data directory is refused, naming the first', { timeout: 30000 }, async () => {
  const server = await startServer();
  try {
    const r = await serveOnce(server.dir);
    assert.equal(r.started, false);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`the data directory '${server.dir}' is in use by another cocare serve \\(process ${server.proc.pid}\\)`));
    assert.match(r.stderr, /one process serves one data directory/);
    assert.equal((await fetch(server.url + '/healthz')).status, 200, 'the first one goes on');
  } finally {
    await server.stop();
  }
  // Once the first has stopped, the directory is free again.
  const dir = demoDir();
  try {
    assert.equal((await serveOnce(dir)).started, true);
    assert.equal((await serveOnce(dir)).started, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a database file its user may only read is refused at start-up', { timeout: 30000 }, async () => {
  const dir = demoDir();
  try {
    const db = join(dir, 'cocare.db');
    chmodSync(db, 0o444);
    let r;
    if (isRoot) {
      // Root may write any file: run as another user who owns the rest.
      execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, dir]);
      chmodSync(db, 0o444);
      r = await serveOnce(dir, { as: NOBODY });
    } else {
      r = await serveOnce(dir);
    }
    assert.equal(r.started, false, r.stderr);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`cannot write to the database file '${db}': Permission denied; make it writable`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an immutable database file is refused at start-up, and is 503 under a running server', { timeout: 30000 }, async (t) => {
  const dir = demoDir();
  const db = join(dir, 'cocare.db');
  let server = null;
  try {
    if (!isRoot || !tryRun('chattr', ['+i', db])) {
      t.skip('needs root and a file system with the immutable flag');
      return;
    }
    const r = await serveOnce(dir);
    tryRun('chattr', ['-i', db]);
    assert.equal(r.started, false, r.stderr);
    assert.match(r.stderr, new RegExp(`cannot write to the database file '${db}': Operation not permitted; .*chattr -i`));

    server = await startServer();
    assert.equal((await fetch(server.url + '/healthz')).status, 200);
    const live = join(server.dir, 'cocare.db');
    // The server looks at the disk again at most every 100 ms.
    const settle = () => new Promise((r) => setTimeout(r, 150));
    assert.ok(tryRun('chattr', ['+i', live]));
    await settle();
    const h = await fetch(server.url + '/healthz');
    tryRun('chattr', ['-i', live]);
    assert.equal(h.status, 503);
    assert.equal(await h.text(), 'unavailable: the database file cannot be written\n');
    await settle();
    assert.equal((await fetch(server.url + '/healthz')).status, 200, 'healthy again once writable');
  } finally {
    tryRun('chattr', ['-i', db]);
    if (server) {
      tryRun('chattr', ['-i', join(server.dir, 'cocare.db')]);
      await server.stop();
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a data directory on a read-only file system is refused at start-up', { timeout: 30000 }, async (t) => {
  const src = demoDir();
  const mnt = mkdtempSync(join(tmpdir(), 'cocare-ro-'));
  let mounted = false;
  try {
    if (!isRoot || !tryRun('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mnt])) {
      t.skip('needs root and permission to mount a tmpfs');
      return;
    }
    mounted = true;
    for (const f of readdirSync(src))
      cpSync(join(src, f), join(mnt, f));
    assert.ok(tryRun('mount', ['-o', 'remount,ro', mnt]));
    const r = await serveOnce(mnt);
    assert.equal(r.started, false, r.stderr);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`'${mnt}/[a-z.]+': Read-only file system; remount the file system read-write`));
  } finally {
    if (mounted)
      tryRun('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
    rmSync(src, { recursive: true, force: true });
  }
});

test('an audit key that cannot be read is named, with the reason and the fix', { timeout: 30000 }, async () => {
  const dir = demoDir();
  try {
    const key = join(dir, 'audit.key');
    let r;
    if (isRoot) {
      execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, dir]);
      execFileSync('chown', ['0:0', key]);
      chmodSync(key, 0o600);
      r = await serveOnce(dir, { as: NOBODY });
    } else {
      chmodSync(key, 0o000);
      r = await serveOnce(dir);
    }
    assert.equal(r.started, false, r.stderr);
    assert.match(r.stderr, new RegExp(`cannot read the audit key '${key}': Permission denied; make it writable \\(and readable\\) by the user that runs cocare`));
    assert.doesNotMatch(r.stderr, /run 'cocare init' first/);

    rmSync(key);
    r = await serveOnce(dir, isRoot ? { as: NOBODY } : {});
    assert.match(r.stderr, new RegExp(`there is no audit key '${key}': run 'cocare init' first`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
