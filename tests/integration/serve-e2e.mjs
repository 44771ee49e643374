// End-to-end test of `breachscope serve` with real peers on loopback: the
// npm OpenID provider `oidc-provider` (test client, personnummer claim, RS256
// then a rotated ES256 key), Debian's aiosmtpd as the SMTP sink receiving
// the codes, and headless Chromium driven by playwright-core. Screenshots go
// to $BS_BUILD_ROOT/tests-out/serve/. Exits non-zero on the first failed
// check, naming it.
import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import Provider from 'oidc-provider';
import { chromium } from 'playwright-core';

const BUILD = process.env.BS_BUILD_ROOT || 'build';
const SRC = process.env.BS_SOURCE_ROOT || '.';
const BS = path.join(BUILD, 'breachscope');
const OUT = path.join(BUILD, 'tests-out', 'serve');
const CHROMIUM = process.env.BS_CHROMIUM || '/usr/bin/chromium';
const PNR_CLAIM = 'https://id.oidc.se/claim/personalIdentityNumber';
const PNR_SCOPE = 'https://id.oidc.se/scope/naturalPersonNumber';
const SECRET = 'client-secret-for-loopback-tests';
const ADMIN_PASSWORD = 'correct horse battery staple';

let checks = 0;
function check(name, cond) {
  if (!cond) throw new Error(`check failed: ${name}`);
  checks++;
  console.log(`ok ${checks} - ${name}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(fn, what, ms = 10000) {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function portOpen(port) {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.on('connect', () => { c.destroy(); resolve(true); });
    c.on('error', () => resolve(false));
  });
}

function signingKey(kind, kid) {
  const { privateKey } = kind === 'ec'
    ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig',
           alg: kind === 'ec' ? 'ES256' : 'RS256' };
}

// Staff at the provider: the desk lets in dpo-oidc by subject and
// dpo-group by its group claim; clerk is neither.
const STAFF_GROUPS = { 'dpo-oidc': ['personal'], 'dpo-group': ['personal', 'dataskydd'],
                       clerk: ['personal'] };

// One provider run; accounts maps a login name to a personnummer.
async function startProvider(port, servePort, key, accounts, claimInIdToken = true) {
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: 'breachscope',
      client_secret: SECRET,
      redirect_uris: [`http://127.0.0.1:${servePort}/callback`,
                      `http://127.0.0.1:${servePort}/admin/callback`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: key.alg,
    }],
    jwks: { keys: [key] },
    scopes: ['openid', PNR_SCOPE, 'groups'],
    claims: { openid: ['sub'], [PNR_SCOPE]: [PNR_CLAIM], groups: ['groups'] },
    // false: the personnummer rides in the ID token (Swedish profile); true:
    // only UserInfo has it (Signicat's default), the server's fallback.
    conformIdTokenClaims: !claimInIdToken,
    features: { devInteractions: { enabled: true } },
    findAccount: (ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, [PNR_CLAIM]: accounts[id], groups: STAFF_GROUPS[id] }),
    }),
  });
  const server = provider.listen(port, '127.0.0.1');
  await waitFor(() => portOpen(port), 'the OpenID provider');
  return { issuer, close: () => new Promise((r) => server.close(r)) };
}

function run(args, input) {
  return execFileSync(BS, args, { input, encoding: 'utf8' });
}

function setupWorkspace(dir, ports) {
  const ws = path.join(dir, 'ws');
  run(['init', ws]);
  const people = JSON.parse(execFileSync('python3', [path.join(SRC, 'tests/lib/seed-index.py'), ws],
                                         { encoding: 'utf8' }));
  fs.writeFileSync(path.join(ws, 'notice.sv.txt'),
    'Obehöriga kom åt fem e-postlådor i mars 2024 (syntetisk testhändelse).\n\n' +
    'Vi har stängt ute angriparen, bytt lösenord och anmält händelsen till IMY.\n');
  fs.writeFileSync(path.join(ws, 'notice.en.txt'),
    'Intruders reached five mailboxes in March 2024 (synthetic test incident).\n\n' +
    'We locked the attacker out, changed passwords and reported it to IMY.\n');
  fs.appendFileSync(path.join(ws, 'breachscope.conf'), [
    '[serve]', `listen = 127.0.0.1:${ports.serve}`, `public_url = http://127.0.0.1:${ports.serve}`,
    'rate_ip_per_min = 600',
    '[oidc]', `issuer = http://127.0.0.1:${ports.op}`, 'client_id = breachscope',
    `client_secret = ${SECRET}`, 'jwks_refetch_s = 1',
    'admin_subjects = dpo-oidc', 'admin_groups = dataskydd', 'admin_scope = groups',
    '[smtp]', `url = smtp://127.0.0.1:${ports.smtp}`, 'from = noreply@kommun.example',
    '[incident]', 'org = Exempelby kommun (test)', 'contact = dataskyddsombud@kommun.example', '',
  ].join('\n'));
  run(['admin', '-w', ws, 'add', 'dpo'], `${ADMIN_PASSWORD}\n`);
  return { ws, people };
}

function startServe(ws, listen) {
  const log = [];
  const args = ['serve', '-w', ws].concat(listen ? ['--listen', listen] : []);
  const p = spawn(BS, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  p.stderr.on('data', (d) => log.push(d.toString()));
  return { p, log };
}

function startSmtp(port, maildir) {
  return spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`,
                                    '-c', 'aiosmtpd.handlers.Mailbox', maildir],
               { stdio: 'inherit' });
}

// The newest code mailed to address, from the sink's Maildir.
function codeFor(maildir, address, after) {
  const dir = path.join(maildir, 'new');
  if (!fs.existsSync(dir)) return null;
  for (const f of fs.readdirSync(dir)) {
    const file = path.join(dir, f);
    if (after.has(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    if (!text.includes(`To: <${address}>`)) continue;
    const body = text.split(/\r?\n\r?\n/).slice(1).join('').replace(/\s+/g, '');
    const m = Buffer.from(body, 'base64').toString('utf8').match(/\b(\d{6})\b/);
    if (m) { after.add(file); return m[1]; }
  }
  return null;
}

// WCAG basics every page must meet: a language, one h1, no skipped heading
// level, every visible control labelled, the skip link first in tab order.
async function a11y(page, name) {
  const r = await page.evaluate(() => {
    const levels = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map((h) => +h.tagName[1]);
    const skipped = levels.some((l, i) => i > 0 && l > levels[i - 1] + 1);
    const unlabelled = [...document.querySelectorAll('input:not([type=hidden]),select,textarea')]
      .filter((el) => !(el.id && document.querySelector(`label[for="${el.id}"]`)) && !el.closest('label'))
      .map((el) => el.name);
    return { lang: document.documentElement.lang, h1: levels.filter((l) => l === 1).length,
             first: levels[0], skipped, unlabelled };
  });
  check(`${name}: lang, one h1 first, no skipped heading level`,
        ['sv', 'en'].includes(r.lang) && r.h1 === 1 && r.first === 1 && !r.skipped);
  check(`${name}: every control has a label`, r.unlabelled.length === 0);
  await page.keyboard.press('Tab');
  check(`${name}: skip link is the first tab stop`,
        await page.evaluate(() => document.activeElement.classList.contains('skip')));
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
  await a11y(page, name);
}

// The provider's own log-in and consent pages (devInteractions).
async function opSignIn(page, login) {
  await page.fill('input[name=login]', login);
  const pw = await page.$('input[name=password]');
  if (pw) await pw.fill('any');
  await page.click('button[type=submit]');
  await page.waitForLoadState();
  if (page.url().includes('/interaction/')) await page.click('button[type=submit]');
}

async function eidLogin(page, base, login) {
  let callback = null;
  page.on('request', (r) => { if (r.url().includes('/callback?')) callback = r.url(); });
  await page.goto(base + '/');
  await page.getByRole('link', { name: /e-legitimation|e-ID/ }).click();
  await opSignIn(page, login);
  await page.waitForURL(/\/answer/);
  return callback;
}

// The desk's e-ID log-in; returns the status of its /admin/callback.
async function deskEidLogin(page, base, login) {
  let status = null;
  page.on('response', (r) => { if (r.url().includes('/admin/callback?')) status = r.status(); });
  await page.goto(base + '/admin');
  await page.getByRole('link', { name: 'Logga in med e-legitimation' }).click();
  await opSignIn(page, login);
  await waitFor(() => status !== null, 'the desk callback');
  await page.waitForLoadState();
  return status;
}

async function residentByEid(browser, base, people) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(base + '/');
  await shot(page, 'home-sv');
  check('home is Swedish', (await page.getAttribute('html', 'lang')) === 'sv');
  check('home shows the incident notice', (await page.textContent('main')).includes('syntetisk testhändelse'));
  const callback = await eidLogin(page, base, 'found');
  const main = await page.textContent('main');
  check('e-ID answer says found', main.includes('Ja, ditt personnummer förekommer'));
  check('answer counts three messages', /Antal meddelanden\s*3/.test(main));
  check('answer grade in plain words', main.includes('öppnat av angriparen'));
  check('answer never shows content or locators', !main.includes('seed0@') && !main.includes(people.found));
  await shot(page, 'answer-sv');
  await page.getByRole('link', { name: 'In English' }).click();
  check('language switch to English', (await page.textContent('h1')).includes('Your answer'));
  check('English grade text', (await page.textContent('main')).includes('opened by the attacker'));
  await shot(page, 'answer-en');
  await page.getByRole('button', { name: /Article 15/ }).click();
  check('Art. 15 request registered', (await page.textContent('main')).includes('request for a copy is registered'));
  await page.getByRole('link', { name: 'På svenska' }).click();
  await page.getByRole('button', { name: 'Logga ut' }).click();
  check('logout returns to the start page', (await page.textContent('h1')).includes('Har dina uppgifter'));
  const replay = await page.goto(callback);
  check('replayed state is refused', replay.status() === 403);
  await shot(page, 'replayed-state');
  await ctx.close();
}

async function residentByEmail(browser, base, maildir) {
  const seen = new Set();
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const ask = async (address) => {
    await page.goto(base + '/');
    await page.fill('#email', address);
    await page.getByRole('button', { name: 'Skicka kod' }).click();
    return page.textContent('main');
  };
  const absentPage = await ask('ingen.alls@example.org');
  await waitFor(() => codeFor(maildir, 'ingen.alls@example.org', seen), 'a code for the absent address');
  const presentPage = await ask('anna.prov@example.org');
  check('code page identical for absent and present address', absentPage === presentPage);
  await shot(page, 'code-sv');
  const code = await waitFor(() => codeFor(maildir, 'anna.prov@example.org', seen), 'the code mail');
  check('six-digit code received by the SMTP sink', /^\d{6}$/.test(code));
  const wrong = code === '000000' ? '111111' : '000000';
  await page.fill('#code', wrong);
  await page.getByRole('button', { name: 'Visa svaret' }).click();
  check('wrong code is refused', (await page.textContent('main')).includes('Koden stämmer inte'));
  await page.fill('#code', code);
  await page.getByRole('button', { name: 'Visa svaret' }).click();
  await page.waitForURL(/\/answer/);
  check('e-mail answer says found', (await page.textContent('main')).includes('Ja, din e-postadress förekommer'));
  await shot(page, 'answer-email');
  await ctx.close();
}

async function dpoDesk(browser, base) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(base + '/admin');
  await page.fill('#user', 'dpo');
  await page.fill('#password', 'wrong password here');
  await page.getByRole('button', { name: 'Logga in' }).click();
  check('wrong admin password refused', (await page.textContent('main')).includes('Fel användarnamn'));
  await page.fill('#user', 'dpo');
  await page.fill('#password', ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForSelector('table');
  const rows = await page.$$('tbody tr');
  check('case list shows the cases', rows.length >= 2);
  await shot(page, 'admin-list');
  await page.check('input[name=art15]');
  await page.getByRole('button', { name: 'Filtrera' }).click();
  check('filter for copy requests', (await page.$$('tbody tr')).length === 1);
  await page.click('tbody tr a');
  check('case detail lists the message locators', (await page.textContent('main')).includes('<seed0@kommun.example>'));
  await page.fill('#note', 'Kopia skickad med rekommenderat brev.');
  await page.getByRole('button', { name: 'Stäng ärendet' }).click();
  check('case closed with note', (await page.textContent('main')).includes('stängt'));
  await shot(page, 'admin-case');
  // The page's own script could not fetch it (CSP: default-src 'none'); the
  // browser context's request API carries the same cookie.
  const csv = await (await ctx.request.get(base + '/admin/export.csv')).text();
  check('CSV export has the closed case', csv.includes('Kopia skickad') && csv.includes('"closed"'));
  await ctx.close();
}

// A second server on the same workspace: a log-in begun on one finishes on
// the other (the provider returns to public_url, the first server), and an
// e-mail code asked for on one is entered on the other.
async function replicas(browser, base, base2, maildir) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(base2 + '/');
  await page.getByRole('link', { name: /e-legitimation|e-ID/ }).click();
  await opSignIn(page, 'found');
  await page.waitForURL(/\/answer/);
  check('e-ID log-in begun on one server finishes on the other',
        page.url().startsWith(base + '/') && (await page.textContent('main')).includes('Ja, ditt personnummer'));
  await ctx.close();

  const ctx2 = await browser.newContext();
  const page2 = await ctx2.newPage();
  const dir = path.join(maildir, 'new');
  const before = new Set(fs.readdirSync(dir).map((f) => path.join(dir, f)));
  await page2.goto(base2 + '/');
  await page2.fill('#email', 'anna.prov@example.org');
  await page2.getByRole('button', { name: 'Skicka kod' }).click();
  const code = await waitFor(() => codeFor(maildir, 'anna.prov@example.org', before), 'the code mail');
  const csrf = await page2.getAttribute('input[name=csrf]', 'value');
  const res = await ctx2.request.post(base + '/email/verify', { form: { code, csrf } });
  check('e-mail code asked for on one server is taken by the other',
        res.url().startsWith(base + '/answer') && (await res.text()).includes('Ja, din e-postadress'));
  await ctx2.close();
}

function sql(ws, query) {
  return execFileSync('sqlite3', [path.join(ws, 'index.sqlite'), query], { encoding: 'utf8' }).trim();
}

async function deskByEid(browser, base, ws, people) {
  // A resident's e-ID session never opens the desk.
  let ctx = await browser.newContext();
  let page = await ctx.newPage();
  await eidLogin(page, base, 'found');
  await page.goto(base + '/admin');
  check('resident session meets the desk login, not the cases',
        (await page.$('#password')) !== null && (await page.$('table')) === null);
  await page.goto(base + '/admin/high-risk');
  check('resident session cannot open the high-risk list', (await page.$('#password')) !== null);
  await ctx.close();

  // Not on the allow-list, not in the group: 403, and still no desk.
  ctx = await browser.newContext();
  page = await ctx.newPage();
  check('desk e-ID log-in of a subject not allowed is 403',
        (await deskEidLogin(page, base, 'clerk')) === 403);
  await shot(page, 'admin-eid-denied');
  await page.goto(base + '/admin');
  check('denied subject has no desk session', (await page.$('#password')) !== null);
  await ctx.close();

  // Allowed by subject: the cases, the high-risk list; not the resident pages.
  ctx = await browser.newContext();
  page = await ctx.newPage();
  check('desk e-ID log-in of an allowed subject', (await deskEidLogin(page, base, 'dpo-oidc')) === 303);
  check('allowed subject sees the case list', (await page.$$('tbody tr')).length >= 2);
  await page.getByRole('link', { name: 'Personer med hög risk' }).click();
  await page.waitForURL(/\/admin\/high-risk/);
  const main = await page.textContent('main');
  const pnrPseud = sql(ws, "SELECT lower(hex(pseudonym)) FROM subject WHERE kind = 'pnr'");
  const samPseud = sql(ws, "SELECT lower(hex(pseudonym)) FROM subject WHERE kind = 'samordningsnummer'");
  check('high-risk list names the person at high risk by pseudonym', main.includes(pnrPseud));
  check('high-risk list gives message locators', main.includes('offset:0'));
  check('high-risk list leaves out low risk', !main.includes(samPseud));
  check('high-risk list never shows a plaintext identifier',
        !main.includes(people.found) && !main.includes(people.samordning) && !main.includes('anna.prov'));
  await shot(page, 'admin-high-risk');
  await page.goto(base + '/answer');
  check('desk session never opens the resident answer', !page.url().includes('/answer'));
  await ctx.close();
  const n = sql(ws, "SELECT count(*) FROM audit WHERE action = 'admin.login' AND actor = 'admin:oidc:dpo-oidc'");
  check('desk e-ID log-in is audited under the allowed subject', +n >= 1);
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bs-e2e-'));
  const ports = { serve: await freePort(), serve2: await freePort(), op: await freePort(),
                  smtp: await freePort() };
  const maildir = path.join(dir, 'maildir');
  const { ws, people } = setupWorkspace(dir, ports);
  const accounts = { found: people.found, absent: people.absent };
  let op = await startProvider(ports.op, ports.serve, signingKey('rsa', 'rsa-1'), accounts);
  const smtp = startSmtp(ports.smtp, maildir);
  const serve = startServe(ws);
  const serve2 = startServe(ws, `127.0.0.1:${ports.serve2}`);
  const base = `http://127.0.0.1:${ports.serve}`;
  const base2 = `http://127.0.0.1:${ports.serve2}`;
  let browser = null;
  let failed = false;
  try {
    await waitFor(() => portOpen(ports.smtp), 'the SMTP sink');
    await waitFor(() => portOpen(ports.serve), 'breachscope serve');
    await waitFor(() => portOpen(ports.serve2), 'the second breachscope serve');
    const userData = fs.mkdtempSync(path.join(dir, 'chromium-'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync',
             `--user-data-dir=${userData}`],
    }).catch(() => chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] }));
    await residentByEid(browser, base, people);
    await residentByEmail(browser, base, maildir);
    await dpoDesk(browser, base);
    await deskByEid(browser, base, ws, people);
    await replicas(browser, base, base2, maildir);
    // Key rotation: the provider now signs with a new ES256 key; the server
    // meets an unknown kid and refetches the JWKS. This provider puts the
    // personnummer only in UserInfo.
    await op.close();
    op = await startProvider(ports.op, ports.serve, signingKey('ec', 'ec-2'), accounts, false);
    await new Promise((r) => setTimeout(r, 1100));
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await eidLogin(page, base, 'absent');
    check('after key rotation (ES256), claim from UserInfo: absent person gets no',
          (await page.textContent('main')).includes('Nej, ditt personnummer förekommer inte'));
    await ctx.close();
    const staff = await browser.newContext();
    const desk = await staff.newPage();
    check('desk e-ID log-in by the group claim (from UserInfo)',
          (await deskEidLogin(desk, base, 'dpo-group')) === 303 && (await desk.$$('tbody tr')).length >= 2);
    await staff.close();
  } catch (e) {
    console.error(`not ok - ${e.message}`);
    failed = true;
  } finally {
    if (browser) await browser.close();
    serve.p.kill('SIGTERM');
    serve2.p.kill('SIGTERM');
    const code = await new Promise((r) => serve.p.on('exit', r));
    await new Promise((r) => (serve2.p.exitCode !== null ? r() : serve2.p.on('exit', r)));
    if (!failed) check('serve stops on SIGTERM with status 0', code === 0);
    smtp.kill('SIGTERM');
    await op.close();
  }
  if (!failed) {
    const log = serve.log.join('') + serve2.log.join('');
    check('no personnummer or address in the server log',
          !log.includes(people.found) && !log.includes('anna.prov') && !log.includes('state='));
    const verify = run(['audit', '-w', ws, 'verify']);
    check('audit chain intact after the run', verify.includes('audit chain intact'));
  } else {
    console.error(serve.log.join(''));
  }
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(failed ? 'FAILED' : `all ${checks} checks passed; screenshots in ${OUT}`);
  process.exit(failed ? 1 : 0);
}

main();
