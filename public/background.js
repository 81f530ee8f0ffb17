// SyncReady service worker. It holds no state of its own (MV3 workers stop when idle): it validates
// messages from the content script, records which Dynamics org the admin is on, hands the in-page
// guide the step statuses (and a mailbox's own state) the side panel last computed, tells open
// guides when those change, and opens the side panel. Everything lives in chrome.storage.session
// (memory only, readable by extension pages only). No business logic lives here.
'use strict';

const ACTIVE_ORG_KEY = 'syncready.activeOrg';
const FOCUS_STEP_KEY = 'syncready.focusStep';
const FOCUS_ACTION_KEY = 'syncready.focusAction';
const SUMMARY_PREFIX = 'syncready.summary.';
const MAILBOXES_PREFIX = 'syncready.mailboxes.';
const DISMISSED_PREFIX = 'syncready.dismissed.';
// The org origins opened in this browser session (JSON text), for the tenant view (issue 15).
const SEEN_ORGS_KEY = 'syncready.seenOrgs';
const MAX_SEEN_ORGS = 50;
// Set only by the end-to-end tests, from an extension page (README "Test hooks"): web pages and
// content scripts cannot write storage.session (its default access level is trusted contexts).
const TEST_HOOKS_KEY = 'syncready.testHooks';

// Dataverse org hosts only: `<org>.crm.dynamics.com` and the regional `<org>.crmN.dynamics.com`.
// Other *.dynamics.com sites (Business Central, Finance and Operations, marketing, admin and API
// hosts) are not orgs and never retarget the panel. Regions as Microsoft lists them ("Datacenter
// regions", https://learn.microsoft.com/power-platform/admin/new-datacenter-regions): crm (North
// America), crm2 (South America), crm3 (Canada), crm4 (EMEA), crm5 (Asia Pacific), crm6 (Oceania),
// crm7 (Japan), crm8 (India), crm9 (North America 2, GCC), crm11 (United Kingdom), crm12 (France),
// crm14 (South Africa), crm15 (UAE), crm16 (Germany), crm17 (Switzerland). The same list is in
// manifest.json (host_permissions, content_scripts) and the README; tests/tidy.rs keeps them equal.
const REGIONS = ['crm', 'crm2', 'crm3', 'crm4', 'crm5', 'crm6', 'crm7', 'crm8', 'crm9', 'crm11', 'crm12', 'crm14', 'crm15', 'crm16', 'crm17'];
const ORG_ORIGIN = new RegExp(`^https://[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.(?:${REGIONS.join('|')})\\.dynamics\\.com$`);
const PAGES = ['profiles', 'email-settings', 'mailboxes', 'mailbox-record', 'security-roles'];
const STEP_KEY = /^[a-z][a-z-]{2,40}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ACTIONS = ['approve', 'test-and-enable'];

/** Only our own content script, on a Dataverse org tab, may talk to us. */
function fromOrgTab(sender) {
  return sender.id === chrome.runtime.id && !!sender.tab && typeof sender.origin === 'string' && ORG_ORIGIN.test(sender.origin);
}

/** The sender's tab is the one the admin looks at: active in the focused (last focused) window. */
function inActiveTab(sender) {
  if (!sender.tab.active) return Promise.resolve(false);
  return chrome.windows
    .getLastFocused()
    .then((w) => !!w && w.id === sender.tab.windowId)
    .catch(() => false);
}

/** Exact message shapes: extra or missing fields are rejected. */
function shape(message, fields) {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return false;
  const keys = Object.keys(message).sort();
  const want = ['kind', ...Object.keys(fields)].sort();
  if (keys.length !== want.length || keys.some((k, i) => k !== want[i])) return false;
  return Object.entries(fields).every(([k, check]) => check(message[k]));
}

/** A JSON text value from storage.session, or null. */
function readJson(key) {
  return chrome.storage.session.get(key).then((items) => {
    try {
      return typeof items[key] === 'string' ? JSON.parse(items[key]) : null;
    } catch (_) {
      return null;
    }
  });
}

function testHooks() {
  return chrome.storage.session.get(TEST_HOOKS_KEY).then((items) => items[TEST_HOOKS_KEY] === true);
}

function dismissedIn(tabId) {
  const key = DISMISSED_PREFIX + tabId;
  return chrome.storage.session.get(key).then((items) => (Array.isArray(items[key]) ? items[key] : []));
}

/** What every guide reply carries: the org's steps, whether the page was dismissed in this tab, hooks. */
function guideReply(sender, page) {
  return Promise.all([readJson(SUMMARY_PREFIX + sender.origin), dismissedIn(sender.tab.id), testHooks()]).then(
    ([summary, dismissed, hooks]) => ({
      ok: true,
      steps: summary && Array.isArray(summary.steps) ? summary.steps : [],
      dismissed: dismissed.includes(page),
      hooks,
    }),
  );
}

/** One mailbox's state from the panel's compact table (see `src/state/guide.rs`), or null. */
function mailboxState(table, id) {
  if (!table || typeof table !== 'object' || !table.mailboxes || !Object.hasOwn(table.mailboxes, id)) return null;
  const row = table.mailboxes[id];
  if (!Array.isArray(row) || row.length !== 7) return null;
  const [name, profile, approval, incoming, outgoing, act, alerts] = row;
  const profiles = Array.isArray(table.profiles) ? table.profiles : [];
  const known = Array.isArray(table.alerts) ? table.alerts : [];
  return {
    name,
    profile: Number.isInteger(profile) && profile >= 0 && profile < profiles.length ? profiles[profile] : null,
    approval,
    incoming,
    outgoing,
    act,
    alerts: (Array.isArray(alerts) ? alerts : []).map((i) => known[i]).filter((a) => a && typeof a === 'object'),
  };
}

// Remembers an org opened in this browser session for the tenant view (issue 15). Any top frame of a
// Dataverse org counts, active or not: the list retargets nothing, it only says which orgs the
// panel may read with their sessions. Kept in storage.session (memory only), at most 50.
function rememberOrg(origin) {
  if (!ORG_ORIGIN.test(origin)) return Promise.resolve();
  return chrome.storage.session.get(SEEN_ORGS_KEY).then((items) => {
    let list;
    try {
      list = JSON.parse(items[SEEN_ORGS_KEY] || '[]');
    } catch (_) {
      list = [];
    }
    if (!Array.isArray(list)) list = [];
    list = list.filter((o) => typeof o === 'string' && ORG_ORIGIN.test(o));
    if (list.includes(origin)) return undefined;
    return chrome.storage.session.set({ [SEEN_ORGS_KEY]: JSON.stringify([...list, origin].slice(-MAX_SEEN_ORGS)) });
  });
}

// A null-prototype table looked up with an own-property check: a message kind such as
// "constructor" or "__proto__" finds nothing instead of an inherited Object member.
const HANDLERS = Object.assign(Object.create(null), {
  'syncready/org-detected': {
    fields: {},
    // The org comes from the browser-verified sender origin, never from the message body, and only
    // the top frame of the active tab of the focused window may retarget the panel: a background
    // tab of another org (or a frame) cannot switch the org an open panel shows.
    run: (_m, sender) =>
      Promise.all([inActiveTab(sender), testHooks(), sender.frameId === 0 ? rememberOrg(sender.origin).catch(() => {}) : null]).then(([active, hooks]) => {
        if (!active || sender.frameId !== 0) return { ok: true, recorded: false, hooks };
        return chrome.storage.session.set({ [ACTIVE_ORG_KEY]: sender.origin }).then(() => ({ ok: true, recorded: true, hooks }));
      }),
  },
  'syncready/guide': {
    fields: { page: (p) => PAGES.includes(p) },
    run: (m, sender) => guideReply(sender, m.page),
  },
  'syncready/guide-record': {
    fields: { id: (id) => typeof id === 'string' && GUID.test(id) },
    run: (m, sender) =>
      Promise.all([guideReply(sender, 'mailbox-record'), readJson(MAILBOXES_PREFIX + sender.origin)]).then(([reply, table]) => ({
        ...reply,
        checked: !!table,
        mailbox: mailboxState(table, m.id),
      })),
  },
  'syncready/dismiss': {
    fields: { page: (p) => PAGES.includes(p) },
    // Per tab, for the browser session: survives reloads and SPA navigation, gone with the tab.
    run: (m, sender) =>
      dismissedIn(sender.tab.id).then((pages) =>
        chrome.storage.session
          .set({ [DISMISSED_PREFIX + sender.tab.id]: pages.includes(m.page) ? pages : [...pages, m.page] })
          .then(() => ({ ok: true })),
      ),
  },
  'syncready/open-panel': {
    fields: { step: (s) => typeof s === 'string' && STEP_KEY.test(s) },
    run: (m, sender) => openPanel(sender, { [FOCUS_STEP_KEY]: m.step }),
  },
  'syncready/open-action': {
    fields: { action: (a) => ACTIONS.includes(a), id: (id) => typeof id === 'string' && GUID.test(id) },
    // The panel opens with this action preselected for this one mailbox and shows its preview; it
    // runs nothing until the admin confirms there.
    run: (m, sender) =>
      openPanel(sender, { [FOCUS_ACTION_KEY]: JSON.stringify({ org: sender.origin, action: m.action, id: m.id }) }),
  },
});

/** Opens the side panel for the sender's tab, if it is the active tab, with `focus` handed over. */
function openPanel(sender, focus) {
  // Only a click in the tab the admin looks at: a background tab cannot pop the panel open.
  if (!sender.tab.active) return Promise.resolve({ ok: false, error: 'not the active tab' });
  // sidePanel.open must run in the user gesture, so it is called before any await. It fails where no
  // side panel can open (headless browsers); the panel page then reads the focus when it opens.
  const opened = chrome.sidePanel.open({ tabId: sender.tab.id }).catch(() => null);
  const saved = chrome.storage.session.set({ ...focus, [ACTIVE_ORG_KEY]: sender.origin });
  return Promise.all([opened, saved]).then(() => ({ ok: true }));
}

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const kind = message && typeof message.kind === 'string' ? message.kind : '';
  const handler = Object.hasOwn(HANDLERS, kind) ? HANDLERS[kind] : undefined;
  if (!handler || !fromOrgTab(sender) || !shape(message, handler.fields)) {
    sendResponse({ ok: false, error: 'rejected' });
    return false;
  }
  handler
    .run(message, sender)
    .then(sendResponse)
    .catch((e) => sendResponse({ ok: false, error: String(e) }));
  return true; // keep the channel open for the async reply
});

/** Tells every guide on `origin`'s tabs (all frames) to ask again: the panel wrote new statuses. */
function notifyOrg(origin) {
  if (!ORG_ORIGIN.test(origin)) return;
  chrome.tabs
    .query({ url: `${origin}/*` })
    .then((tabs) => {
      for (const tab of tabs) chrome.tabs.sendMessage(tab.id, { kind: 'syncready/changed' }).catch(() => {});
    })
    .catch(() => {});
}

chrome.storage.onChanged.addListener((changes, area) => {
  if (area !== 'session') return;
  const origins = new Set();
  for (const key of Object.keys(changes)) {
    for (const prefix of [SUMMARY_PREFIX, MAILBOXES_PREFIX]) {
      if (key.startsWith(prefix)) origins.add(key.slice(prefix.length));
    }
  }
  origins.forEach(notifyOrg);
});

chrome.tabs.onRemoved.addListener((tabId) => {
  chrome.storage.session.remove(DISMISSED_PREFIX + tabId).catch(() => {});
});

// Follow the admin between tabs: an org tab that becomes active is the org the panel shows.
// With host permissions for the org hosts the tab's URL is visible for those hosts only.
chrome.tabs.onActivated.addListener(({ tabId }) => {
  chrome.tabs
    .get(tabId)
    .then((tab) => {
      if (!tab || typeof tab.url !== 'string') return;
      let origin;
      try {
        origin = new URL(tab.url).origin;
      } catch (_) {
        return;
      }
      if (ORG_ORIGIN.test(origin)) return chrome.storage.session.set({ [ACTIVE_ORG_KEY]: origin });
      return undefined;
    })
    .catch(() => {});
});

chrome.runtime.onInstalled.addListener(() => {
  chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: false }).catch(() => {});
});
