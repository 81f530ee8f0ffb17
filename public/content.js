// SyncReady content script: plain JS on purpose (Power Platform's Strict CSP blocks wasm in content
// scripts). In the top frame it tells the service worker that this tab is a Dataverse org; on the
// pages of the "Connect to Exchange Online" procedure (in the top frame, or in the legacy web
// client's content frame) it shows a small, dismissible guide: which step the page is for, its
// status, what to do, and on a mailbox record that mailbox's own state with one-click actions.
// It reads no org data itself: everything it shows comes from the service worker, which has it from
// the side panel. Every text is set with textContent (never HTML) inside a closed shadow root, and
// comes from the extension's catalogue in the browser's language (`_locales/`, `guide_*` messages).
//
// Cost on a page that is not part of the procedure: one URL parse, one message to the worker (top
// frame only), and event listeners; no timers, no polling, no DOM observers (tests/guide_e2e.rs
// measures it, tests/tidy.rs forbids timers here).
'use strict';

(() => {
  const started = performance.now();
  const TOP = window === window.top;

  // Legacy web client entity type codes (`etc=`), as Microsoft's own CRM scripts use them: mailbox
  // 9606 (icon `ico_48_9606`), email server profile 9605, security role 1036
  // (/work/shared/reference/dataverse.md §1, §2, LEGACY-JS; crates/dataverse-sim/README.md "Shell pages").
  const ETC = { 9606: 'mailbox', 9605: 'emailserverprofile', 1036: 'role' };
  const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/;

  /**
   * Which procedure page `href` is: `{ kind, id }` or null. Pure. Recognises
   * - Unified Interface and Power Platform admin center links: `main.aspx?pagetype=entitylist&etn=mailbox`,
   *   `…&etn=emailserverprofile`, `pagetype=entityrecord&etn=mailbox&id=<guid>`, `etn=role`
   *   ("Open apps, forms, views … with a URL", https://learn.microsoft.com/power-apps/developer/model-driven-apps/open-forms-views-dialogs-reports-url);
   * - the legacy web client (Advanced Settings, `main.aspx?settingsonly=true`), whose area pages load
   *   into the `contentIFrame0` frame as `/_root/homepage.aspx?etc=9606&pagemode=iframe&sitemappath=…`,
   *   whose records open as `main.aspx?etc=9606&id=%7b<guid>%7d&pagetype=entityrecord`
   *   (https://learn.microsoft.com/previous-versions/dynamicscrm-2015/developers-guide/gg328483(v=crm.7)),
   *   and whose dialogs are `/tools/systemsettings/dialogs/systemsettings.aspx` (System Settings and
   *   Email Configuration Settings) and `/tools/AdminSecurity/adminsecurity_area.aspx` (Security).
   * Parameter names are matched in any case (`pageType=EntityList` occurs in the legacy client).
   */
  function pageKind(href) {
    let u;
    try {
      u = new URL(href);
    } catch (_) {
      return null;
    }
    const q = Object.create(null);
    for (const [k, v] of u.searchParams) q[k.toLowerCase()] = v;
    const path = u.pathname.toLowerCase();
    const etn = (q.etn || ETC[q.etc] || '').toLowerCase();
    const pagetype = (q.pagetype || '').toLowerCase();
    if (path.includes('/tools/systemsettings/')) return { kind: 'email-settings', id: null };
    if (path.includes('/tools/adminsecurity/') || etn === 'role') return { kind: 'security-roles', id: null };
    if (etn === 'emailserverprofile') return { kind: 'profiles', id: null };
    if (etn === 'mailbox' && pagetype === 'entityrecord') {
      const m = GUID.exec((q.id || '').toLowerCase());
      return { kind: 'mailbox-record', id: m ? m[1] : null };
    }
    if (etn === 'mailbox') return { kind: 'mailboxes', id: null };
    return null;
  }

  // In a frame only a procedure page does anything (Dynamics pages carry many frames): the legacy
  // client's content frame is where its pages load. Everything else returns here.
  const first = pageKind(location.href);
  if (!TOP && !first) return;

  // Every text comes from the extension's message catalogue (`_locales/<locale>/messages.json`,
  // `guide_*`), in the browser's language: a translation is a file. Only literal `guide_*` names
  // appear here, so `cargo xtask package` (xtask/src/package/messages.rs) can check each one exists.
  const t = (name, ...subs) => chrome.i18n.getMessage(name, subs);

  const GUIDES = {
    profiles: { steps: ['exchange-online-profile'], action: 'guide_action_profiles' },
    'email-settings': { steps: ['org-email-defaults', 'mailbox-approval'], action: 'guide_action_email_settings' },
    mailboxes: { steps: ['mailbox-configuration', 'mailbox-approval', 'test-and-enable'], action: 'guide_action_mailboxes' },
    'mailbox-record': { steps: ['test-and-enable', 'mailbox-alerts'], action: 'guide_action_mailbox_record' },
    'security-roles': { steps: ['mailbox-approval'], action: 'guide_action_security_roles' },
  };

  // Step names for a step the panel has not checked yet (checked steps carry the panel's own title).
  const STEPS = {
    'exchange-online-profile': 'guide_step_exchange_online_profile',
    'org-email-defaults': 'guide_step_org_email_defaults',
    'mailbox-configuration': 'guide_step_mailbox_configuration',
    'mailbox-approval': 'guide_step_mailbox_approval',
    'test-and-enable': 'guide_step_test_and_enable',
    'mailbox-alerts': 'guide_step_mailbox_alerts',
  };
  const LABELS = { pass: 'guide_status_pass', warn: 'guide_status_warn', fail: 'guide_status_fail', unknown: 'guide_status_unknown' };
  const APPROVAL = { approved: 'guide_approval_approved', pending: 'guide_approval_pending', rejected: 'guide_approval_rejected', empty: 'guide_approval_empty' };
  const TEST = { success: 'guide_test_success', failure: 'guide_test_failure', 'not-run': 'guide_test_not_run' };
  const ACTORS = { 'dynamics-admin': 'guide_actor_dynamics_admin', 'exchange-admin': 'guide_actor_exchange_admin' };
  /** The message `table[value]` names, or `fallback`'s when `value` is not in the table. */
  const pick = (table, value, fallback) => t(Object.hasOwn(table, value) ? table[value] : fallback);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  const STYLE = `
    :host { all: initial; }
    .box { position: fixed; right: 16px; bottom: 16px; z-index: 2147483646; width: 340px; max-height: calc(100vh - 32px); overflow: auto;
      padding: 12px 14px; box-sizing: border-box;
      font: 13px/18px "Segoe UI", system-ui, sans-serif; color: #242424; background: #fff; border: 1px solid #d1d1d1;
      border-left: 4px solid #0f6cbd; border-radius: 6px; box-shadow: 0 4px 16px rgba(0,0,0,.18); }
    @media (prefers-color-scheme: dark) { .box { color: #fff; background: #292929; border-color: #3d3d3d; border-left-color: #479ef5; } }
    .head { display: flex; justify-content: space-between; font-weight: 600; margin-bottom: 6px; }
    .x { all: unset; cursor: pointer; padding: 0 4px; }
    .step, .fact { margin: 2px 0; }
    .st { font-weight: 600; }
    .pass { color: #0e700e; } .warn { color: #8a5300; } .fail { color: #b10e1c; } .unknown { color: #616161; }
    .alert { margin: 4px 0; padding-left: 8px; border-left: 2px solid #b10e1c; }
    .action { margin: 6px 0; }
    .buttons { display: flex; flex-wrap: wrap; gap: 6px; }
    .open { all: unset; cursor: pointer; background: #0f6cbd; color: #fff; padding: 4px 10px; border-radius: 4px; }
    .open:focus-visible, .x:focus-visible { outline: 2px solid #0f6cbd; outline-offset: 2px; }`;

  // Test hooks (README "Test hooks"): only when the worker says the tests turned them on, which no
  // web page can do. Then the page's <html> carries the guide's state as data-syncready-* attributes
  // and the shadow root is open so a test can press its buttons. Off in normal use: nothing visible
  // to the page's scripts but the host element.
  let hooks = false;
  function hook(name, value) {
    if (!hooks) return;
    const root = document.documentElement;
    if (value === null) delete root.dataset[name];
    else root.dataset[name] = value;
  }

  let shown = null; // the guide's host element
  let wanted = ''; // `${kind}/${id}` of the page last asked for ('' = none)
  let asked = 0; // generation: only the latest reply lands
  let evalUs = 0;
  const dismissedHere = new Set();

  function clear() {
    if (shown) shown.remove();
    shown = null;
    hook('syncreadyGuide', null);
    hook('syncreadyMailbox', null);
  }

  function send(message) {
    return chrome.runtime.sendMessage(message);
  }

  function render(page, reply) {
    const guide = GUIDES[page.kind];
    const host = el('div');
    host.id = 'syncready-guide-host';
    const shadow = host.attachShadow({ mode: hooks ? 'open' : 'closed' });
    const style = el('style');
    style.textContent = STYLE;
    const box = el('section', 'box');
    box.setAttribute('role', 'complementary');
    box.lang = t('guide_lang');
    box.setAttribute('aria-label', t('guide_label'));
    box.dataset.testid = 'syncready-guide';
    const head = el('div', 'head');
    head.append(el('span', '', t('guide_heading')));
    const close = el('button', 'x', '×');
    close.setAttribute('aria-label', t('guide_dismiss'));
    close.dataset.testid = 'guide-dismiss';
    close.addEventListener('click', () => {
      dismissedHere.add(page.kind);
      send({ kind: 'syncready/dismiss', page: page.kind }).catch(() => {});
      clear();
    });
    head.append(close);
    box.append(head);
    const known = new Map((Array.isArray(reply.steps) ? reply.steps : []).map((s) => [s.key, s]));
    for (const key of guide.steps) {
      const s = known.get(key);
      const line = el('div', 'step');
      const status = s && Object.hasOwn(LABELS, s.status) ? s.status : 'unknown';
      line.append(el('span', `st ${status}`, s ? t(LABELS[status]) : t('guide_unchecked')), ' ');
      line.append(el('span', '', s ? t('guide_step_line', String(s.title), String(s.summary)) : t(STEPS[key])));
      box.append(line);
    }
    const buttons = el('div', 'buttons');
    let mailboxHook = null;
    if (page.kind === 'mailbox-record' && page.id) {
      const m = reply.mailbox;
      if (m) {
        box.append(el('div', 'fact', t('guide_fact_mailbox', String(m.name))));
        box.append(el('div', 'fact', t('guide_fact_profile', m.profile ? String(m.profile) : t('guide_no_profile'))));
        box.append(el('div', 'fact', t('guide_fact_approval', pick(APPROVAL, m.approval, 'guide_unknown'))));
        const tests = [t('guide_fact_incoming', pick(TEST, m.incoming, 'guide_unknown')), t('guide_fact_outgoing', pick(TEST, m.outgoing, 'guide_unknown')), t('guide_fact_act', pick(TEST, m.act, 'guide_unknown'))];
        box.append(el('div', 'fact', tests.join(' · ')));
        for (const a of m.alerts) {
          const alert = el('div', 'alert');
          alert.append(el('div', '', a.message));
          alert.append(el('div', '', t('guide_who_acts', pick(ACTORS, a.actor, 'guide_actor_other'))));
          box.append(alert);
        }
        if (m.approval !== 'approved') buttons.append(actionButton('approve', 'guide_approve', 'guide_approve_label', page.id));
        buttons.append(actionButton('test-and-enable', 'guide_test_and_enable', 'guide_test_and_enable_label', page.id));
        mailboxHook = `id=${page.id} approval=${m.approval} incoming=${m.incoming} outgoing=${m.outgoing} act=${m.act} alerts=${m.alerts.length}`;
      } else {
        box.append(el('div', 'fact', t(reply.checked ? 'guide_mailbox_not_read' : 'guide_mailbox_unchecked')));
        mailboxHook = `id=${page.id} ${reply.checked ? 'unknown' : 'unchecked'}`;
      }
    } else {
      box.append(el('p', 'action', t(guide.action)));
    }
    const open = el('button', 'open', t('guide_open'));
    open.dataset.testid = 'guide-open';
    open.addEventListener('click', () => {
      send({ kind: 'syncready/open-panel', step: guide.steps[0] }).catch(() => {});
    });
    buttons.append(open);
    box.append(buttons);
    shadow.append(style, box);
    document.documentElement.append(host);
    hook('syncreadyGuide', [page.kind, ...guide.steps.map((k) => `${k}=${(known.get(k) || {}).status || 'unchecked'}`)].join(' '));
    hook('syncreadyMailbox', mailboxHook);
    return host;
  }

  /** A button for `action` on mailbox `id`: its text is message `text`, its accessible name message `label`. */
  function actionButton(action, text, label, id) {
    const b = el('button', 'open', t(text));
    b.dataset.testid = `guide-${action}`;
    b.setAttribute('aria-label', t(label));
    b.addEventListener('click', () => {
      send({ kind: 'syncready/open-action', action, id }).catch(() => {});
    });
    return b;
  }

  /** Shows (or replaces, or removes) the guide for `page`; `force` asks again for the same page. */
  function update(page, force) {
    const key = page ? `${page.kind}/${page.id || ''}` : '';
    if (!force && key === wanted) return;
    wanted = key;
    const mine = ++asked;
    if (!page || dismissedHere.has(page.kind)) {
      clear();
      return;
    }
    listen();
    const message = page.kind === 'mailbox-record' && page.id
      ? { kind: 'syncready/guide-record', id: page.id }
      : { kind: 'syncready/guide', page: page.kind };
    send(message)
      .then((reply) => {
        if (mine !== asked || !reply || !reply.ok) return;
        hooks = reply.hooks === true;
        clear();
        if (reply.dismissed) {
          dismissedHere.add(page.kind);
          return;
        }
        shown = render(page, reply);
      })
      .catch(() => {
        /* the extension was reloaded or the worker is starting; the next navigation retries */
      });
  }

  // The worker says the panel wrote new statuses (a run finished, the checklist was read again).
  // Registered with the first guide only: on pages outside the procedure it would cost for nothing.
  let listening = false;
  function listen() {
    if (listening) return;
    listening = true;
    chrome.runtime.onMessage.addListener((message, sender) => {
      if (sender.id !== chrome.runtime.id || sender.tab || !message || message.kind !== 'syncready/changed') return;
      if (wanted) update(pageKind(location.href), true);
    });
  }

  if (TOP) {
    // Unified Interface navigates with the History API (pushState/replaceState) and sometimes only
    // the hash. The Navigation API reports every same-document change of the current entry, from any
    // world, without patching the page's history object and without polling (Chrome and Edge 102+;
    // the manifest asks for 116). popstate and hashchange cover browsers without it.
    const onNavigate = () => update(pageKind(location.href), false);
    if (window.navigation && typeof window.navigation.addEventListener === 'function') {
      window.navigation.addEventListener('currententrychange', onNavigate);
    } else {
      window.addEventListener('popstate', onNavigate);
      window.addEventListener('hashchange', onNavigate);
    }
    send({ kind: 'syncready/org-detected' })
      .then((reply) => {
        hooks = !!(reply && reply.hooks === true);
        if (reply && reply.ok) hook('syncready', reply.recorded ? 'connected' : 'seen');
        hook('syncreadyEvalUs', String(evalUs));
      })
      .catch(() => {});
  }
  if (first) update(first, false);
  // Synchronous evaluation time of this script, reported for the cost measurement (test hooks only).
  evalUs = Math.round((performance.now() - started) * 1000);
})();
