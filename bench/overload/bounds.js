// Overload bounds as a client sees them (README "Overload"): slow senders and large PHI-dense bodies against a gateway
// on loopback. Every loop is bounded in count and time and stops by itself.
//   node bounds.js slow  PORT PID [seconds=14] [senders=60]
//   node bounds.js large PORT PID [seconds=15] [connections=64] [bytes=1000000]
//   node bounds.js locked PORT PID [seconds=12] [connections=32]   (while another process holds the audit file locked)
'use strict';
const http = require('http');
const fs = require('fs');

const [mode, portText, pidText, secondsText, countText, bytesText] = process.argv.slice(2);
const port = Number(portText);
const pid = Number(pidText);
const seconds = Number(secondsText || (mode === 'slow' ? 14 : 15));
const key = process.env.XEFAI_KEY || 'xefai-dev-key';
const deadline = Date.now() + seconds * 1000;
const agent = new http.Agent({ keepAlive: false, maxSockets: 10000 });

const sentence = 'Maria Gonzalez (MRN 00482913, born 04/17/1961) was seen on 11/02/2026 by Dr. Alan Whitfield at 12 Oak Street, '
  + 'Springfield; call 555-201-3344 or maria.gonzalez@example.org. ';
function chatBody(bytes) {
  const head = '{"model":"patient-message-draft","messages":[{"role":"user","content":"Draft a short message. ';
  const tail = '"}],"max_tokens":256}';
  let content = '';
  while (head.length + content.length + sentence.length + tail.length <= bytes) content += sentence;
  return Buffer.from(head + content + tail);
}

function rssMb() {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch { return 0; }
}

function post(body, onStatus) {
  const req = http.request({
    host: '127.0.0.1', port, method: 'POST', path: '/v1/chat/completions', agent,
    headers: { 'Content-Type': 'application/json', 'Content-Length': body.length, Authorization: `Bearer ${key}` },
  }, res => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', c => { if (text.length < 2000) text += c; });
    res.on('end', () => onStatus(res.statusCode, text, res.headers['retry-after']));
  });
  req.on('error', () => onStatus('error', '', undefined));
  req.end(body);
}

function count(map, k) { map[k] = (map[k] || 0) + 1; }

function codeOf(status, text) {
  const m = /"code"\s*:\s*"([a-z_]+)"/.exec(text);
  return m ? `${status} ${m[1]}` : String(status);
}

async function slow() {
  const senders = Number(countText || 60);
  const body = chatBody(400);
  const slowResults = {};
  let opened = 0;
  function openSlow() {
    if (Date.now() > deadline) return;
    opened++;
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: '/v1/chat/completions', agent,
      headers: { 'Content-Type': 'application/json', 'Content-Length': body.length, Authorization: `Bearer ${key}` },
    }, res => { res.resume(); res.on('end', () => { count(slowResults, res.statusCode); openSlow(); }); });
    let sent = 0;
    const timer = setInterval(() => {
      if (Date.now() > deadline || sent >= body.length - 1) { clearInterval(timer); if (Date.now() > deadline) req.destroy(); return; }
      req.write(body.subarray(sent, sent + 1)); sent++;
    }, 1000);
    req.on('error', () => { clearInterval(timer); count(slowResults, 'error'); openSlow(); });
  }
  for (let i = 0; i < senders; i++) openSlow();
  await new Promise(r => setTimeout(r, 1500));
  const normal = {};
  let calls = 0;
  let peak = rssMb();
  const normalBody = chatBody(600);
  while (Date.now() < deadline) {
    calls++;
    await new Promise(resolve => post(normalBody, (s, t) => { count(normal, codeOf(s, t)); resolve(); }));
    peak = Math.max(peak, rssMb());
    await new Promise(r => setTimeout(r, 150));
  }
  await new Promise(r => setTimeout(r, 500));
  console.log(JSON.stringify({ mode, senders, slowOpened: opened, slowResults, normalCalls: calls, normal, peakRssMb: peak }));
  process.exit(0);
}

async function large() {
  const connections = Number(countText || 64);
  const body = chatBody(Number(bytesText || 1_000_000));
  const results = {};
  const before = rssMb();
  let peak = before;
  const sampler = setInterval(() => { peak = Math.max(peak, rssMb()); }, 100);
  let done = 0;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (Date.now() < deadline) {
      await new Promise(resolve => post(body, (s, t, retryAfter) => {
        count(results, codeOf(s, t) + (retryAfter ? ` retry-after ${retryAfter}` : ''));
        done++;
        resolve();
      }));
    }
  }));
  clearInterval(sampler);
  await new Promise(r => setTimeout(r, 2000));
  console.log(JSON.stringify({ mode, connections, bodyBytes: body.length, calls: done, results, rssBeforeMb: before, peakRssMb: peak, rssAfterMb: rssMb() }));
  process.exit(0);
}

async function locked() {
  const connections = Number(countText || 32);
  const body = chatBody(600);
  const results = {};
  const waited = { under100ms: 0, under1s: 0, atLeast1s: 0 };
  let calls = 0;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (Date.now() < deadline) {
      const started = Date.now();
      await new Promise(resolve => post(body, (s, t) => {
        count(results, codeOf(s, t));
        const ms = Date.now() - started;
        waited[ms < 100 ? 'under100ms' : ms < 1000 ? 'under1s' : 'atLeast1s']++;
        calls++;
        resolve();
      }));
    }
  }));
  console.log(JSON.stringify({ mode, connections, calls, results, waited }));
  process.exit(0);
}

({ slow, large, locked }[mode])();
