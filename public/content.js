// SyncReady content script: plain JS on purpose (Power Platform's Strict CSP blocks wasm in content
// scripts). It only tells the service worker that this tab is a Dynamics 365 org and marks the page
// so tests can see the extension is active. It reads no data and never injects HTML.
'use strict';

(() => {
  chrome.runtime
    .sendMessage({ kind: 'syncready/org-detected' })
    .then((reply) => {
      if (reply && reply.ok) document.documentElement.dataset.syncready = 'connected';
    })
    .catch(() => {
      /* the extension was reloaded or the worker is starting; the next page load retries */
    });
})();
