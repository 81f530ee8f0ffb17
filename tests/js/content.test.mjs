// Unit tests of public/content.js in Node with a fake page and `chrome`: which page each Dynamics
// address is (Unified Interface, Power Platform admin center links, the legacy web client's frame
// pages and records), how it follows same-document navigation, and that it does nothing in frames
// that are not procedure pages (issue 14), and that every text it renders comes from the extension's
// catalogue in the browser's language (issue 18). Run by tests/worker.rs (`node --test`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { i18n } from './i18n.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = fs.readFileSync(path.join(here, '../../public/content.js'), 'utf8');
const ORG = 'https://contoso.crm.dynamics.com';
const ID = '0f8e2b4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b';

/** Runs the content script on `href` (top frame unless `frame`); returns what it sent and registered. */
function run(href, { frame = false } = {}) {
  const sent = [];
  const listeners = [];
  const location = { href };
  const window = { navigation: { addEventListener: (type, f) => listeners.push([type, f]) }, addEventListener: (type, f) => listeners.push([type, f]) };
  window.top = frame ? {} : window;
  const chrome = {
    runtime: {
      id: 'syncready',
      // Never answers: these tests look at what is asked, not at rendering.
      sendMessage: (m) => { sent.push(JSON.parse(JSON.stringify(m))); return new Promise(() => {}); },
      onMessage: { addListener: (f) => listeners.push(['message', f]) },
    },
    i18n: i18n('en'),
  };
  const document = { documentElement: { dataset: {} } };
  vm.runInNewContext(source, { window, location, document, chrome, performance: { now: () => 0 }, URL, Object, Set, Map, Math, String });
  return {
    sent,
    listeners,
    navigate(to) {
      location.href = to;
      for (const [type, f] of listeners) if (type === 'currententrychange') f();
    },
  };
}

const guide = (page) => ({ kind: 'syncready/guide', page });
const record = (id) => ({ kind: 'syncready/guide-record', id });
const detected = { kind: 'syncready/org-detected' };

test('Unified Interface and Power Platform admin center addresses', () => {
  for (const [href, want] of [
    [`${ORG}/main.aspx?appid=a&pagetype=entitylist&etn=mailbox&viewid=x`, guide('mailboxes')],
    [`${ORG}/main.aspx?pagetype=entitylist&etn=mailbox`, guide('mailboxes')],
    [`${ORG}/main.aspx?pagetype=entitylist&etn=emailserverprofile`, guide('profiles')],
    [`${ORG}/main.aspx?pagetype=entityrecord&etn=emailserverprofile&id=${ID}`, guide('profiles')],
    [`${ORG}/main.aspx?appid=a&pagetype=entityrecord&etn=mailbox&id=${ID.toUpperCase()}`, record(ID)],
    [`${ORG}/main.aspx?pagetype=entityrecord&etn=mailbox`, guide('mailbox-record')],
    [`${ORG}/main.aspx?pagetype=entitylist&etn=role`, guide('security-roles')],
  ]) {
    assert.deepEqual(run(href).sent, [detected, want], href);
  }
});

test('legacy web client: the settings shell, its frame pages and records', () => {
  assert.deepEqual(run(`${ORG}/main.aspx?settingsonly=true`).sent, [detected], 'the shell itself');
  for (const [href, want] of [
    [`${ORG}/_root/homepage.aspx?etc=9606&pagemode=iframe&sitemappath=Settings%7cEmailConfiguration%7cnav_mailboxes`, guide('mailboxes')],
    [`${ORG}/_root/homepage.aspx?etc=9605&pagemode=iframe`, guide('profiles')],
    [`${ORG}/tools/systemsettings/dialogs/systemsettings.aspx?selectedTab=2`, guide('email-settings')],
    [`${ORG}/tools/AdminSecurity/adminsecurity_area.aspx?pagemode=iframe`, guide('security-roles')],
  ]) {
    assert.deepEqual(run(href, { frame: true }).sent, [want], href);
  }
  // A record opens as its own window; parameter names in any case, braces around the id.
  assert.deepEqual(run(`${ORG}/main.aspx?etc=9606&id=%7b${ID.toUpperCase()}%7d&pageType=EntityRecord`).sent, [detected, record(ID)]);
});

test('pages outside the procedure: only the top frame reports the org, other frames do nothing', () => {
  for (const href of [`${ORG}/main.aspx`, `${ORG}/main.aspx?pagetype=entitylist&etn=account`, `${ORG}/main.aspx?etc=1&pagetype=entitylist`]) {
    assert.deepEqual(run(href).sent, [detected], href);
  }
  const frame = run(`${ORG}/_root/homepage.aspx?etc=1&pagemode=iframe`, { frame: true });
  assert.deepEqual(frame.sent, []);
  assert.deepEqual(frame.listeners, [], 'no listeners in a frame outside the procedure');
});

test('same-document navigation changes the guide, once per page', () => {
  const page = run(`${ORG}/main.aspx`);
  assert.deepEqual(page.listeners.map(([t]) => t), ['currententrychange'], 'outside the procedure: one listener');
  page.navigate(`${ORG}/main.aspx?pagetype=entitylist&etn=mailbox`);
  assert.deepEqual(page.listeners.map(([t]) => t), ['currententrychange', 'message'], 'live updates once a guide shows');
  page.navigate(`${ORG}/main.aspx?pagetype=entitylist&etn=mailbox#details`);
  page.navigate(`${ORG}/main.aspx?pagetype=entityrecord&etn=mailbox&id=${ID}`);
  page.navigate(`${ORG}/main.aspx?pagetype=entitylist&etn=account`);
  page.navigate(`${ORG}/main.aspx?pagetype=entityrecord&etn=mailbox&id=${ID}`);
  assert.deepEqual(page.sent, [detected, guide('mailboxes'), record(ID), record(ID)]);
});

// --- Rendering: every text from the catalogue (issue 18) ----------------------------------------------

/** Just enough DOM for the guide: elements with text, children, attributes, a shadow root. */
class FakeElement {
  constructor(tag) {
    Object.assign(this, { tag, children: [], dataset: {}, attributes: {}, className: '', own: '', listeners: {} });
  }
  set textContent(v) { this.own = String(v); this.children = []; }
  get textContent() { return this.own + this.children.map((c) => (typeof c === 'string' ? c : c.textContent)).join(''); }
  append(...nodes) { this.children.push(...nodes); }
  setAttribute(k, v) { this.attributes[k] = String(v); }
  addEventListener(type, f) { this.listeners[type] = f; }
  attachShadow() { this.shadow = new FakeElement('#shadow-root'); return this.shadow; }
  remove() { this.removed = true; }
  /** This element and every element below it (shadow roots included). */
  *all() {
    yield this;
    for (const c of this.children) if (typeof c !== 'string') yield* c.all();
    if (this.shadow) yield* this.shadow.all();
  }
}

/**
 * Runs the content script on `href` in `locale`, the worker answering every guide request with
 * `reply`; resolves with the guide's box once it is rendered.
 */
async function renderGuide(href, reply, locale) {
  const root = new FakeElement('html');
  const document = { documentElement: root, createElement: (tag) => new FakeElement(tag) };
  const answer = (m) => (m.kind === 'syncready/org-detected' ? { ok: true, recorded: true, hooks: false } : { ok: true, hooks: false, dismissed: false, ...reply });
  const chrome = {
    runtime: { id: 'syncready', sendMessage: async (m) => answer(m), onMessage: { addListener: () => {} } },
    i18n: i18n(locale),
  };
  const window = { navigation: { addEventListener: () => {} }, addEventListener: () => {} };
  window.top = window;
  vm.runInNewContext(source, { window, location: { href }, document, chrome, performance: { now: () => 0 }, URL, Object, Set, Map, Math, String, Array });
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  const host = root.children.find((c) => c.id === 'syncready-guide-host');
  assert.ok(host, `no guide on ${href}`);
  return [...host.all()].find((e) => e.dataset.testid === 'syncready-guide');
}

/** The box's visible texts (leaf elements, in order) and accessible names. */
function texts(box) {
  const leaves = [...box.all()].filter((e) => e.tag !== 'style' && e.children.length === 0).map((e) => e.textContent);
  const labels = [...box.all()].map((e) => e.attributes['aria-label']).filter((l) => l !== undefined);
  return { leaves, labels };
}

const APPROVAL_FAILED = { key: 'mailbox-approval', status: 'fail', title: 'Mailbox email addresses approved', summary: '0 of 3 active mailboxes approved' };

test('the guide takes every text from the English catalogue', async () => {
  const en = i18n('en');
  const m = (name, ...subs) => en.getMessage(name, subs);
  const box = await renderGuide(`${ORG}/main.aspx?pagetype=entitylist&etn=mailbox`, { steps: [APPROVAL_FAILED] }, 'en');
  const { leaves, labels } = texts(box);
  assert.equal(box.lang, 'en');
  assert.deepEqual(labels, [m('guide_label'), m('guide_dismiss')]);
  assert.deepEqual(leaves, [
    m('guide_heading'), '×',
    m('guide_unchecked'), m('guide_step_mailbox_configuration'),
    m('guide_status_fail'), 'Mailbox email addresses approved: 0 of 3 active mailboxes approved',
    m('guide_unchecked'), m('guide_step_test_and_enable'),
    m('guide_action_mailboxes'),
    m('guide_open'),
  ]);
  assert.ok(leaves.every((t) => t.length > 0), 'no message is missing');
  assert.equal(m('guide_status_fail'), 'Blocked');
  assert.ok(m('guide_action_mailboxes').startsWith('Select mailboxes'), m('guide_action_mailboxes'));
});

test('the guide renders German from the de catalogue, with the Dynamics 365 German UI terms', async () => {
  const de = i18n('de');
  const m = (name, ...subs) => de.getMessage(name, subs);
  const box = await renderGuide(`${ORG}/main.aspx?pagetype=entitylist&etn=emailserverprofile`, { steps: [] }, 'de');
  const { leaves, labels } = texts(box);
  assert.equal(box.lang, 'de');
  assert.deepEqual(labels, ['SyncReady-Anleitung', 'SyncReady-Anleitung auf dieser Seite ausblenden']);
  assert.deepEqual(leaves, [
    'SyncReady: Schritte auf dieser Seite', '×',
    'Noch nicht geprüft', 'Exchange Online-E-Mail-Serverprofil',
    m('guide_action_profiles'),
    'SyncReady bei diesem Schritt öffnen',
  ]);
  assert.match(m('guide_action_profiles'), /„Aktive E-Mail-Serverprofile“.*„Als Standard festlegen“/);
  const roles = texts(await renderGuide(`${ORG}/main.aspx?pagetype=entitylist&etn=role`, { steps: [] }, 'de')).leaves;
  assert.ok(roles.includes(m('guide_action_security_roles')) && m('guide_action_security_roles').includes('Sicherheitsrolle'), roles.join(' | '));
  const settings = texts(await renderGuide(`${ORG}/tools/systemsettings/dialogs/systemsettings.aspx`, { steps: [] }, 'de')).leaves;
  assert.ok(settings.some((t) => t.includes('„Serverseitige Synchronisierung“')), settings.join(' | '));
});

test('a mailbox record: facts and buttons from the catalogue, the org\'s own text as text', async () => {
  const mailbox = {
    name: 'Nancy <b>$1</b> $NAME$', profile: null, approval: 'pending', incoming: 'success', outgoing: 'failure', act: 'bogus',
    alerts: [{ message: '<img src=x onerror=alert(1)>', actor: 'exchange-admin' }],
  };
  for (const [locale, want] of [
    ['en', ['Mailbox: Nancy <b>$1</b> $NAME$', 'Server profile: (none)', 'Email address: Pending approval', 'Incoming: Success · Outgoing: Failure · Appointments, contacts, tasks: Unknown', 'Who acts: an Exchange or Microsoft 365 admin', 'Approve email…', 'Test & enable…']],
    ['de', ['Postfach: Nancy <b>$1</b> $NAME$', 'Serverprofil: (keins)', 'E-Mail-Adresse: Genehmigung ausstehend', 'Eingehend: Erfolgreich · Ausgehend: Fehler · Termine, Kontakte, Aufgaben: Unbekannt', 'Wer handelt: Exchange- / Microsoft 365-Administration', 'E-Mail genehmigen…', 'Testen und aktivieren…']],
  ]) {
    const box = await renderGuide(`${ORG}/main.aspx?pagetype=entityrecord&etn=mailbox&id=${ID}`, { steps: [], checked: true, mailbox }, locale);
    const { leaves, labels } = texts(box);
    for (const text of want) assert.ok(leaves.includes(text), `${locale}: ${text}\n${leaves.join('\n')}`);
    assert.ok(leaves.includes('<img src=x onerror=alert(1)>'), 'the alert text is shown as text');
    assert.equal(labels.length, 4, labels.join(' | '));
    assert.ok(labels.every((l) => l.length > 0));
    const unread = texts(await renderGuide(`${ORG}/main.aspx?pagetype=entityrecord&etn=mailbox&id=${ID}`, { steps: [], checked: false, mailbox: null }, locale));
    assert.ok(unread.leaves.includes(i18n(locale).getMessage('guide_mailbox_unchecked')), unread.leaves.join(' | '));
  }
});
