// SyncReady service worker. It holds no state of its own (MV3 workers stop when idle): it validates
// messages from the content script and records which Dynamics org the admin is on, in
// chrome.storage.session (memory only). No business logic lives here.
'use strict';

const ACTIVE_ORG_KEY = 'syncready.activeOrg';
const DYNAMICS_ORIGIN = /^https:\/\/[a-z0-9-]+(\.[a-z0-9-]+)*\.dynamics\.com$/;

/** Accepts only our own content script, on a Dynamics tab, sending a known message shape. */
function validOrgMessage(message, sender) {
  if (sender.id !== chrome.runtime.id || !sender.tab || typeof sender.origin !== 'string') return false;
  if (!DYNAMICS_ORIGIN.test(sender.origin)) return false;
  if (typeof message !== 'object' || message === null) return false;
  const keys = Object.keys(message);
  return message.kind === 'syncready/org-detected' && keys.length === 1;
}

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (!validOrgMessage(message, sender)) {
    sendResponse({ ok: false, error: 'rejected' });
    return false;
  }
  // The org comes from the browser-verified sender origin, never from the message body.
  chrome.storage.session
    .set({ [ACTIVE_ORG_KEY]: sender.origin })
    .then(() => sendResponse({ ok: true }))
    .catch((e) => sendResponse({ ok: false, error: String(e) }));
  return true; // keep the channel open for the async reply
});

// Let the side panel open for the current tab from the popup button.
chrome.runtime.onInstalled.addListener(() => {
  chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: false }).catch(() => {});
});
