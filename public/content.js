// SyncReady content script: plain JS on purpose (Power Platform's Strict CSP blocks wasm in content
// scripts). It tells the service worker that this tab is a Dynamics 365 org, and on the Advanced
// Settings pages of the "Connect to Exchange Online" procedure shows a small, dismissible guide:
// which step the page is for, its status, and what to do. It reads no org data itself, and every
// text it shows is set with textContent (never HTML) inside a closed shadow root.
'use strict';

(() => {
  /** Which procedure page this URL is, or null. Pure, so it is easy to reason about. */
  function pageKind(url) {
    const u = new URL(url);
    const q = u.searchParams;
    const etn = (q.get('etn') || '').toLowerCase();
    const pagetype = (q.get('pagetype') || '').toLowerCase();
    const path = u.pathname.toLowerCase();
    if (etn === 'emailserverprofile') return 'profiles';
    if (etn === 'mailbox' && pagetype === 'entityrecord') return 'mailbox-record';
    if (etn === 'mailbox') return 'mailboxes';
    if (path.includes('/tools/systemsettings/')) return 'email-settings';
    if (etn === 'role' || path.includes('/tools/adminsecurity/')) return 'security-roles';
    return null;
  }

  const GUIDES = {
    profiles: {
      steps: ['exchange-online-profile'],
      action: 'Check that "Microsoft Exchange Online" is in Active Email Server Profiles; if there are several profiles, select it and Set as Default.',
    },
    'email-settings': {
      steps: ['org-email-defaults', 'mailbox-approval'],
      action: 'Set Server Profile to Microsoft Exchange Online and Incoming, Outgoing and Appointments, Contacts, and Tasks to Server-Side Synchronization. The approval check boxes are on the Email tab.',
    },
    mailboxes: {
      steps: ['mailbox-configuration', 'mailbox-approval', 'test-and-enable'],
      action: 'Select mailboxes, then Apply Default Email Settings, Approve Email and Test & Enable Mailboxes. SyncReady can do all of them for every mailbox at once, with a preview.',
    },
    'mailbox-record': {
      steps: ['test-and-enable', 'mailbox-alerts'],
      action: 'Look at Incoming, Outgoing and Appointments, Contacts, and Tasks Status, and the Alerts under Common. SyncReady explains the alert codes.',
    },
    'security-roles': {
      steps: ['mailbox-approval'],
      action: 'To approve mailboxes, a role needs the "Approve Email Addresses for Users or Queues" privilege (Business Management tab, Miscellaneous Privileges).',
    },
  };

  const LABELS = { pass: 'Done', warn: 'Needs attention', fail: 'Blocked', unknown: 'Unable to check' };

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  const STYLE = `
    :host { all: initial; }
    .box { position: fixed; right: 16px; bottom: 16px; z-index: 2147483646; width: 340px; padding: 12px 14px;
      font: 13px/18px "Segoe UI", system-ui, sans-serif; color: #242424; background: #fff; border: 1px solid #d1d1d1;
      border-left: 4px solid #0f6cbd; border-radius: 6px; box-shadow: 0 4px 16px rgba(0,0,0,.18); }
    @media (prefers-color-scheme: dark) { .box { color: #fff; background: #292929; border-color: #3d3d3d; border-left-color: #479ef5; } }
    .head { display: flex; justify-content: space-between; font-weight: 600; margin-bottom: 6px; }
    .x { all: unset; cursor: pointer; padding: 0 4px; }
    .step { margin: 2px 0; }
    .st { font-weight: 600; }
    .pass { color: #0e700e; } .warn { color: #8a5300; } .fail { color: #b10e1c; } .unknown { color: #616161; }
    .action { margin: 6px 0; }
    .open { all: unset; cursor: pointer; background: #0f6cbd; color: #fff; padding: 4px 10px; border-radius: 4px; }
    .open:focus-visible, .x:focus-visible { outline: 2px solid #0f6cbd; outline-offset: 2px; }`;

  function showGuide(kind, reply) {
    const guide = GUIDES[kind];
    const dismissKey = `syncready.guide.dismissed.${kind}`;
    try {
      if (sessionStorage.getItem(dismissKey)) return;
    } catch (_) { /* storage blocked: show the guide */ }
    const host = el('div');
    host.id = 'syncready-guide-host';
    const root = host.attachShadow({ mode: 'closed' });
    const style = el('style');
    style.textContent = STYLE;
    const box = el('section', 'box');
    box.setAttribute('role', 'complementary');
    box.setAttribute('aria-label', 'SyncReady guide');
    box.dataset.testid = 'syncready-guide';
    const head = el('div', 'head');
    head.append(el('span', '', 'SyncReady: this page is for'));
    const close = el('button', 'x', '×');
    close.setAttribute('aria-label', 'Dismiss the SyncReady guide');
    close.addEventListener('click', () => {
      try { sessionStorage.setItem(dismissKey, '1'); } catch (_) { /* ignore */ }
      host.remove();
    });
    head.append(close);
    box.append(head);
    const known = new Map((reply && Array.isArray(reply.steps) ? reply.steps : []).map((s) => [s.key, s]));
    for (const key of guide.steps) {
      const s = known.get(key);
      const line = el('div', 'step');
      const status = s && LABELS[s.status] ? s.status : 'unknown';
      line.append(el('span', `st ${status}`, s ? LABELS[status] : 'Not checked yet'), ' ');
      line.append(el('span', '', s ? `${s.title}: ${s.summary}` : key.replace(/-/g, ' ')));
      line.dataset.step = key;
      line.dataset.status = s ? status : 'unchecked';
      box.append(line);
    }
    box.append(el('p', 'action', guide.action));
    const open = el('button', 'open', 'Open SyncReady at this step');
    open.addEventListener('click', () => {
      chrome.runtime.sendMessage({ kind: 'syncready/open-panel', step: guide.steps[0] }).catch(() => {});
    });
    box.append(open);
    root.append(style, box);
    document.documentElement.append(host);
    // Tests cannot see into a closed shadow root; expose only the page kind and step statuses.
    document.documentElement.dataset.syncreadyGuide = [kind, ...guide.steps.map((k) => `${k}=${(known.get(k) || {}).status || 'unchecked'}`)].join(' ');
  }

  chrome.runtime
    .sendMessage({ kind: 'syncready/org-detected' })
    .then((reply) => {
      if (reply && reply.ok) document.documentElement.dataset.syncready = 'connected';
      const kind = pageKind(location.href);
      if (!kind) return null;
      return chrome.runtime.sendMessage({ kind: 'syncready/guide', page: kind }).then((r) => showGuide(kind, r));
    })
    .catch(() => {
      /* the extension was reloaded or the worker is starting; the next page load retries */
    });
})();
