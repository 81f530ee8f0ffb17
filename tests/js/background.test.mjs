// Unit tests of public/background.js in Node with a fake `chrome`: message validation (issue 12.3,
// 12.8, 12.9) and the guide's messages (issue 14). Run by tests/worker.rs (`node --test`).
// SYNCREADY_WORKER=<path> runs them against another copy (e.g. the worker before a fix).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { i18n } from './i18n.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = fs.readFileSync(process.env.SYNCREADY_WORKER || path.join(here, '../../public/background.js'), 'utf8');

const ORG = 'https://contoso.crm.dynamics.com';

/** A fresh worker with a fake chrome: one focused window (1) whose active tab is tab 7. */
function worker() {
  const on = {};
  const session = new Map();
  const env = { session, opened: [], sent: [], focusedWindow: 1, tabs: new Map() };
  const listener = (name) => ({ addListener: (f) => { on[name] = f; } });
  const chrome = {
    runtime: { id: 'syncready', onMessage: listener('message'), onInstalled: listener('installed') },
    // The worker shows no text of its own today; if it ever does, it reads the same catalogue.
    i18n: i18n('en'),
    storage: {
      session: {
        get: async (key) => (session.has(key) ? { [key]: session.get(key) } : {}),
        set: async (items) => { for (const [k, v] of Object.entries(items)) session.set(k, v); env.changed?.(items); },
        remove: async (key) => { session.delete(key); },
      },
      onChanged: listener('changed'),
    },
    tabs: {
      onActivated: listener('activated'),
      onRemoved: listener('removed'),
      get: async (id) => env.tabs.get(id),
      query: async ({ url }) => [...env.tabs.values()].filter((t) => t.url.startsWith(url.slice(0, -1))),
      sendMessage: async (id, message) => { env.sent.push(JSON.parse(JSON.stringify([id, message]))); },
    },
    windows: { getLastFocused: async () => ({ id: env.focusedWindow }) },
    sidePanel: {
      open: async (o) => { env.opened.push(JSON.parse(JSON.stringify(o))); },
      setPanelBehavior: async () => {},
    },
  };
  vm.runInNewContext(source, { chrome, console, URL, JSON, Promise, Object, Array, Set, Number, String, RegExp });
  env.on = on;
  return env;
}

function tab(over = {}) {
  return { id: 7, windowId: 1, active: true, url: `${ORG}/main.aspx`, ...over };
}

function sender(origin = ORG, over = {}) {
  return { id: 'syncready', origin, frameId: 0, tab: tab(over.tab), ...over.sender };
}

/** Sends `message` as `from`; resolves with the reply, or `{ threw }` when the listener throws. */
function send(env, message, from = sender()) {
  return new Promise((resolve) => {
    // Replies are made in the worker's realm: compare them as plain JSON.
    const reply = (r) => resolve(JSON.parse(JSON.stringify(r)));
    try {
      const keep = env.on.message(message, from, reply);
      if (keep !== true && keep !== false) resolve({ noReply: true });
    } catch (e) {
      resolve({ threw: String(e) });
    }
  });
}

test('message kinds that name Object members are rejected, not thrown on (12.9)', async () => {
  const env = worker();
  for (const kind of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
    assert.deepEqual(await send(env, { kind }), { ok: false, error: 'rejected' }, kind);
  }
});

test('only Dataverse org hosts are orgs (12.3)', async () => {
  for (const origin of [ORG, 'https://contoso.crm4.dynamics.com', 'https://x-1.crm11.dynamics.com', 'https://a.crm17.dynamics.com']) {
    const env = worker();
    const reply = await send(env, { kind: 'syncready/org-detected' }, sender(origin));
    assert.equal(reply.recorded, true, origin);
    assert.equal(env.session.get('syncready.activeOrg'), origin);
  }
  for (const origin of [
    'https://businesscentral.dynamics.com',
    'https://contoso.operations.dynamics.com',
    'https://contoso.sandbox.operations.dynamics.com',
    'https://admin.services.crm.dynamics.com',
    'https://contoso.crm10.dynamics.com',
    'https://contoso.crm.dynamics.com.evil.example',
    'https://contoso.marketing.dynamics.com',
    'http://contoso.crm.dynamics.com',
  ]) {
    const env = worker();
    assert.deepEqual(await send(env, { kind: 'syncready/org-detected' }, sender(origin)), { ok: false, error: 'rejected' }, origin);
    assert.equal(env.session.has('syncready.activeOrg'), false, origin);
  }
});

test('"org detected" retargets the panel only from the top frame of the active tab of the focused window (12.3)', async () => {
  const cases = [
    ['background tab', sender(ORG, { tab: { active: false } })],
    ['tab of another window', sender(ORG, { tab: { windowId: 2 } })],
    ['frame', sender(ORG, { sender: { frameId: 3 } })],
  ];
  for (const [what, from] of cases) {
    const env = worker();
    const reply = await send(env, { kind: 'syncready/org-detected' }, from);
    assert.equal(reply.ok, true, what);
    assert.equal(reply.recorded, false, what);
    assert.equal(env.session.has('syncready.activeOrg'), false, what);
  }
});

test('orgs opened in this browser session are listed for the tenant view, background tabs too, frames not (issue 15)', async () => {
  const env = worker();
  await send(env, { kind: 'syncready/org-detected' }, sender(ORG));
  await send(env, { kind: 'syncready/org-detected' }, sender('https://fabrikam.crm4.dynamics.com', { tab: { active: false } }));
  await send(env, { kind: 'syncready/org-detected' }, sender(ORG));
  await send(env, { kind: 'syncready/org-detected' }, sender('https://framed.crm.dynamics.com', { sender: { frameId: 2 } }));
  await send(env, { kind: 'syncready/org-detected' }, sender('https://businesscentral.dynamics.com'));
  assert.deepEqual(JSON.parse(env.session.get('syncready.seenOrgs')), [ORG, 'https://fabrikam.crm4.dynamics.com']);
  // A tampered list keeps only org origins.
  env.session.set('syncready.seenOrgs', JSON.stringify(['javascript:alert(1)', 42, ORG]));
  await send(env, { kind: 'syncready/org-detected' }, sender('https://a.crm.dynamics.com'));
  assert.deepEqual(JSON.parse(env.session.get('syncready.seenOrgs')), [ORG, 'https://a.crm.dynamics.com']);
});

test('"open panel" is accepted only from the active tab (12.8)', async () => {
  const env = worker();
  const refused = await send(env, { kind: 'syncready/open-panel', step: 'mailbox-approval' }, sender(ORG, { tab: { active: false } }));
  assert.equal(refused.ok, false);
  assert.equal(env.opened.length, 0);
  assert.equal(env.session.has('syncready.focusStep'), false);
  const accepted = await send(env, { kind: 'syncready/open-panel', step: 'mailbox-approval' });
  assert.equal(accepted.ok, true);
  assert.deepEqual(env.opened, [{ tabId: 7 }]);
  assert.equal(env.session.get('syncready.focusStep'), 'mailbox-approval');
});

test('a record action opens the panel with that action preselected for that mailbox (14)', async () => {
  const env = worker();
  const id = '0f8e2b4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
  const reply = await send(env, { kind: 'syncready/open-action', action: 'approve', id });
  assert.equal(reply.ok, true);
  assert.deepEqual(JSON.parse(env.session.get('syncready.focusAction')), { org: ORG, action: 'approve', id });
  for (const bad of [{ action: 'delete', id }, { action: 'approve', id: 'x' }, { action: 'approve', id, org: 'https://evil' }]) {
    assert.deepEqual(await send(env, { kind: 'syncready/open-action', ...bad }), { ok: false, error: 'rejected' });
  }
});

test('the record guide gets that mailbox\'s state, and dismissal holds per tab (14)', async () => {
  const env = worker();
  const id = '0f8e2b4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
  env.session.set(`syncready.mailboxes.${ORG}`, JSON.stringify({
    profiles: ['Microsoft Exchange Online'],
    alerts: [{ message: 'The email address is not approved: approve it, then test and enable.', actor: 'dynamics-admin' }],
    mailboxes: { [id]: ['Nancy Davolio', 0, 'pending', 'failure', 'failure', 'not-run', [0]] },
  }));
  const reply = await send(env, { kind: 'syncready/guide-record', id });
  assert.equal(reply.ok, true);
  assert.equal(reply.checked, true);
  assert.deepEqual(reply.mailbox, {
    name: 'Nancy Davolio', profile: 'Microsoft Exchange Online', approval: 'pending', incoming: 'failure', outgoing: 'failure', act: 'not-run',
    alerts: [{ message: 'The email address is not approved: approve it, then test and enable.', actor: 'dynamics-admin' }],
  });
  const other = await send(env, { kind: 'syncready/guide-record', id: 'aaaaaaaa-1c3d-4e5f-8a9b-0c1d2e3f4a5b' });
  assert.equal(other.mailbox, null);
  const proto = await send(env, { kind: 'syncready/guide-record', id: '__proto__' });
  assert.deepEqual(proto, { ok: false, error: 'rejected' });

  assert.equal((await send(env, { kind: 'syncready/guide', page: 'mailboxes' })).dismissed, false);
  assert.equal((await send(env, { kind: 'syncready/dismiss', page: 'mailboxes' })).ok, true);
  assert.equal((await send(env, { kind: 'syncready/guide', page: 'mailboxes' })).dismissed, true);
  assert.equal((await send(env, { kind: 'syncready/guide', page: 'profiles' })).dismissed, false);
  const otherTab = sender(ORG, { tab: { id: 8 } });
  assert.equal((await send(env, { kind: 'syncready/guide', page: 'mailboxes' }, otherTab)).dismissed, false);
});

test('test hooks are off unless an extension page set them (12.8)', async () => {
  const env = worker();
  assert.equal((await send(env, { kind: 'syncready/org-detected' })).hooks, false);
  env.session.set('syncready.testHooks', 'true');
  assert.equal((await send(env, { kind: 'syncready/org-detected' })).hooks, false, 'only the boolean true counts');
  env.session.set('syncready.testHooks', true);
  assert.equal((await send(env, { kind: 'syncready/org-detected' })).hooks, true);
});

test('new statuses from the panel reach the guides on that org\'s tabs only (14)', async () => {
  const env = worker();
  env.tabs.set(7, tab());
  env.tabs.set(9, tab({ id: 9, url: 'https://fabrikam.crm.dynamics.com/main.aspx' }));
  env.on.changed({ [`syncready.summary.${ORG}`]: { newValue: '{}' } }, 'session');
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(env.sent, [[7, { kind: 'syncready/changed' }]]);
  env.sent.length = 0;
  env.on.changed({ [`syncready.summary.${ORG}`]: { newValue: '{}' } }, 'local');
  env.on.changed({ 'syncready.summary.https://evil.example': { newValue: '{}' } }, 'session');
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(env.sent, []);
});

test('activating a tab that is not an org leaves the org alone (12.3)', async () => {
  const env = worker();
  env.tabs.set(5, tab({ id: 5, url: 'https://businesscentral.dynamics.com/tenant/' }));
  env.on.activated({ tabId: 5 });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(env.session.has('syncready.activeOrg'), false);
  env.tabs.set(6, tab({ id: 6, url: `${ORG}/main.aspx?pagetype=entitylist&etn=mailbox` }));
  env.on.activated({ tabId: 6 });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(env.session.get('syncready.activeOrg'), ORG);
});
