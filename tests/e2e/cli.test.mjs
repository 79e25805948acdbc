// The command line: `cocare verify` passes on the demo and names the
// entry after an audit row is edited or deleted by hand; `cocare backup`
// copies the database while the server writes; `cocare user` manages
// accounts; every verb has --help.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binary, startServer, Client } from './lib.mjs';

function cocare(args, input) {
  return spawnSync(binary, args, { encoding: 'utf8', input });
}

function sql(dir, statement) {
  return execFileSync('sqlite3', [join(dir, 'cocare.db'), statement], { encoding: 'utf8' }).trim();
}

test('verify passes on the demo, then names the edited or deleted entry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cocare-cli-'));
  try {
    assert.equal(cocare(['demo', '--data', dir]).status, 0);
    let r = cocare(['verify', '--data', dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /audit chain ok \(\d+ entries\)/);

    sql(dir, "UPDATE audit_event SET actor_role = 'administrator' WHERE seq = 42");
    r = cocare(['verify', '--data', dir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /audit entry 42: contents were changed/);

    sql(dir, "UPDATE audit_event SET actor_role = 'system' WHERE seq = 42");
    assert.equal(cocare(['verify', '--data', dir]).status, 0, 'restoring the value restores the chain');

    sql(dir, 'DELETE FROM audit_event WHERE seq = 100');
    r = cocare(['verify', '--data', dir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /audit entry 100: entry missing or out of order/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('verify finds removed newest entries', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cocare-cli-'));
  try {
    assert.equal(cocare(['demo', '--data', dir]).status, 0);
    const last = Number(sql(dir, 'SELECT max(seq) FROM audit_event'));
    sql(dir, `DELETE FROM audit_event WHERE seq = ${last}`);
    const r = cocare(['verify', '--data', dir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`audit entry ${last}: newest entries were removed`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('backup copies the database while the server writes', async () => {
  const server = await startServer();
  const out = join(server.dir, 'backup.db');
  try {
    const c = new Client(server.url);
    await c.signIn('patient');
    const csrf = await c.csrf('/account');
    const writes = [];
    for (let i = 0; i < 40; i++) writes.push(c.post('/account/language', { csrf, language: i % 2 ? 'es' : 'en' }));
    const r = cocare(['backup', '--data', server.dir, out]);
    await Promise.all(writes);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(out));
    assert.equal(execFileSync('sqlite3', [out, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim(), 'ok');
    assert.equal(execFileSync('sqlite3', [out, 'SELECT count(*) FROM patient'], { encoding: 'utf8' }).trim(), '200');
    assert.equal(cocare(['backup', '--data', server.dir, out]).status, 1, 'never overwrites a file');
  } finally {
    await server.stop();
  }
});

test('init, user add, passwd, disable and list', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cocare-cli-'));
  try {
    let r = cocare(['init', '--data', dir, '--org', 'Northside Clinic']);
    assert.equal(r.status, 0, r.stderr);
    r = cocare(['user', 'add', '--data', dir, '--username', 'ada', '--name', 'Ada Lovelace', '--role', 'administrator'], 'short\n');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /at least 12 characters/);
    r = cocare(['user', 'add', '--data', dir, '--username', 'ada', '--name', 'Ada Lovelace', '--role', 'administrator'], 'analytical engine notes\n');
    assert.equal(r.status, 0, r.stderr);
    r = cocare(['user', 'add', '--data', dir, '--username', 'ada', '--name', 'Ada Again', '--role', 'professional'], 'analytical engine notes\n');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /taken/);
    r = cocare(['user', 'add', '--data', dir, '--username', 'bob', '--name', 'Bob', '--role', 'wizard'], 'analytical engine notes\n');
    assert.equal(r.status, 2);
    assert.equal(cocare(['user', 'passwd', '--data', dir, 'ada'], 'a brand new passphrase\n').status, 0);
    assert.equal(cocare(['user', 'disable', '--data', dir, 'ada']).status, 0);
    r = cocare(['user', 'list', '--data', dir]);
    assert.match(r.stdout, /ada\s+administrator\s+disabled\s+Ada Lovelace/);
    assert.equal(cocare(['verify', '--data', dir]).status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every verb has --help, and there is --version', () => {
  for (const verb of ['serve', 'init', 'demo', 'user', 'backup', 'verify']) {
    const r = cocare([verb, '--help']);
    assert.equal(r.status, 0, verb);
    assert.match(r.stdout, new RegExp(`usage: cocare ${verb}`));
  }
  assert.match(cocare(['--version']).stdout, /^cocare \d+\.\d+\.\d+/);
  assert.equal(cocare(['nonsense']).status, 2);
  const r = cocare(['verify', '--data', '/nonexistent/dir']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cocare init/);
});
