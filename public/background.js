// SyncReady service worker. It holds no state of its own (MV3 workers stop when idle): it validates
// messages from the content script, records which Dynamics org the admin is on, hands the in-page
// guide the step statuses the side panel last computed, and opens the side panel. Everything lives
// in chrome.storage.session (memory only). No business logic lives here.
'use strict';

const ACTIVE_ORG_KEY = 'syncready.activeOrg';
const FOCUS_STEP_KEY = 'syncready.focusStep';
const SUMMARY_PREFIX = 'syncready.summary.';
const DYNAMICS_ORIGIN = /^https:\/\/[a-z0-9-]+(\.[a-z0-9-]+)*\.dynamics\.com$/;
const PAGES = ['profiles', 'email-settings', 'mailboxes', 'mailbox-record', 'security-roles'];
const STEP_KEY = /^[a-z][a-z-]{2,40}$/;

/** Only our own content script, on a Dynamics tab, may talk to us. */
function fromDynamicsTab(sender) {
  return sender.id === chrome.runtime.id && !!sender.tab && typeof sender.origin === 'string' && DYNAMICS_ORIGIN.test(sender.origin);
}

/** Exact message shapes: extra or missing fields are rejected. */
function shape(message, fields) {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return false;
  const keys = Object.keys(message).sort();
  const want = ['kind', ...Object.keys(fields)].sort();
  if (keys.length !== want.length || keys.some((k, i) => k !== want[i])) return false;
  return Object.entries(fields).every(([k, check]) => check(message[k]));
}

const HANDLERS = {
  'syncready/org-detected': {
    fields: {},
    // The org comes from the browser-verified sender origin, never from the message body.
    run: (_m, sender) => chrome.storage.session.set({ [ACTIVE_ORG_KEY]: sender.origin }).then(() => ({ ok: true })),
  },
  'syncready/guide': {
    fields: { page: (p) => PAGES.includes(p) },
    run: (_m, sender) => {
      const key = SUMMARY_PREFIX + sender.origin;
      return chrome.storage.session.get(key).then((items) => {
        let summary = null;
        try {
          summary = typeof items[key] === 'string' ? JSON.parse(items[key]) : null;
        } catch (_) {
          summary = null;
        }
        return { ok: true, steps: summary && Array.isArray(summary.steps) ? summary.steps : [] };
      });
    },
  },
  'syncready/open-panel': {
    fields: { step: (s) => typeof s === 'string' && STEP_KEY.test(s) },
    run: (m, sender) => {
      // sidePanel.open must run in the user gesture, so it is called before any await.
      const opened = chrome.sidePanel.open({ tabId: sender.tab.id });
      return Promise.all([opened, chrome.storage.session.set({ [FOCUS_STEP_KEY]: m.step, [ACTIVE_ORG_KEY]: sender.origin })])
        .then(() => ({ ok: true }));
    },
  },
};

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const handler = message && typeof message.kind === 'string' ? HANDLERS[message.kind] : undefined;
  if (!handler || !fromDynamicsTab(sender) || !shape(message, handler.fields)) {
    sendResponse({ ok: false, error: 'rejected' });
    return false;
  }
  handler
    .run(message, sender)
    .then(sendResponse)
    .catch((e) => sendResponse({ ok: false, error: String(e) }));
  return true; // keep the channel open for the async reply
});

// Follow the admin between tabs: a Dynamics tab that becomes active is the org the panel shows.
// With host permissions for *.dynamics.com the tab's URL is visible for those hosts only.
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
      if (DYNAMICS_ORIGIN.test(origin)) return chrome.storage.session.set({ [ACTIVE_ORG_KEY]: origin });
      return undefined;
    })
    .catch(() => {});
});

chrome.runtime.onInstalled.addListener(() => {
  chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: false }).catch(() => {});
});
