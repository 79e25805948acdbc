// Helpers the FHIR API tests share: API tokens made on the account page
// as a person would, a fhir-kit-client for one of them, the status and
// OperationOutcome of a refused request, and plain requests to /fhir.
import assert from 'node:assert/strict';
import { Client as FhirClient } from 'fhir-kit-client';
import { Client } from './lib.mjs';

// A personal API token of demo `user` with `scopes`.
export async function makeToken(server, user, scopes) {
  const c = new Client(server.url);
  await c.signIn(user);
  const csrf = await c.csrf('/account');
  const res = await c.post('/account/tokens', { csrf, label: `test ${scopes}`.slice(0, 100), scopes, days: '30' });
  assert.equal(res.status, 200, (res.text_.match(/field-error">[^<]*/g) || []).join(' '));
  const m = res.text_.match(/cct_[0-9a-f]{64}/);
  assert.ok(m, 'the new token is shown');
  return m[0];
}

export function fhirClient(server, token) {
  return new FhirClient({ baseUrl: server.url + '/fhir', bearerToken: token });
}

// The status and OperationOutcome of a request the client must refuse.
export async function refused(promise) {
  try {
    await promise;
  } catch (e) {
    const data = typeof e.response?.data === 'string' ? JSON.parse(e.response.data) : e.response?.data;
    return { status: e.response?.status, outcome: data };
  }
  assert.fail('the request was not refused');
}

// A request to `path` with `token` (none when null), its JSON answer parsed.
export async function fhirRaw(server, path, { method = 'GET', token, body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.authorization = 'Bearer ' + token;
  const res = await fetch(server.url + path, { method, body, headers: h });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}
