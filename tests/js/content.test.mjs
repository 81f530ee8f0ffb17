// Unit tests of public/content.js in Node with a fake page and `chrome`: which page each Dynamics
// address is (Unified Interface, Power Platform admin center links, the legacy web client's frame
// pages and records), how it follows same-document navigation, and that it does nothing in frames
// that are not procedure pages (issue 14). Run by tests/worker.rs (`node --test`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';

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
