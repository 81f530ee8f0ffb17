//! The tenant view (issue 15): one row per environment with its type, the checklist's steps as a
//! compact strip, a progress bar while it is read, mailboxes ready of total and when it was read;
//! sorting, filtering, CSV/JSON export, cancel; and the conflicts between environments with their
//! previewed one-click fixes. Render only: data and callbacks come from the page.

use crate::components::{on_click, use_lang};
use leptos::prelude::*;
use syncready_core::bulk::Millis;
use syncready_core::i18n::Lang;
use syncready_core::tenant::{
    ActOwner, AddressConflict, ConflictReport, EnvKind, EnvState, Fix, SortKey, TenantFilter, TenantRow,
    sort_rows,
};
use syncready_core::tr;

/// What the fix preview shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixPreview {
    /// What the fix does, in words.
    pub title: String,
    /// The one environment it writes to.
    pub env: String,
    /// One line per field write (the dry-run table).
    pub lines: Vec<String>,
    /// Why it cannot be planned, instead.
    pub error: Option<String>,
}

const KINDS: [Option<EnvKind>; 4] =
    [None, Some(EnvKind::Production), Some(EnvKind::Sandbox), Some(EnvKind::Developer)];

const SORTS: [(&str, SortKey); 5] = [
    ("tenant.sort.name", SortKey::Name),
    ("tenant.sort.kind", SortKey::Kind),
    ("tenant.sort.steps", SortKey::Steps),
    ("tenant.sort.ready", SortKey::Ready),
    ("tenant.sort.last-read", SortKey::LastRead),
];

fn row_view(r: TenantRow, lang: Lang, time: Callback<Millis, String>, on_open: Callback<usize>) -> AnyView {
    let strip = r
        .steps
        .iter()
        .map(|(step, mark)| {
            view! {
                <li
                    class=format!("sr-strip__step sr-strip__step--{}", mark.key())
                    title=tr!(lang, "tenant.row.step", step = step.title_in(lang), mark = lang.t(&format!("tenant.mark.{}", mark.key())))
                    data-step=step.key()
                    data-mark=mark.key()
                ></li>
            }
            .into_any()
        })
        .collect_view();
    let reading = matches!(r.state, EnvState::Reading { .. } | EnvState::Queued);
    let refused = matches!(r.state, EnvState::Refused { .. });
    // `data-state` keeps the English, export form; the text shown is in the page's language.
    let status = r.status_in(lang);
    let state_attr = r.status_text();
    let last = r.last_read.map(|m| time.run(m)).unwrap_or_default();
    let index = r.index;
    let name = r.name.clone();
    let done = r.done();
    let total_steps = r.steps.len();
    view! {
        <li class="sr-tenant__row" data-testid="tenant-row" data-env=r.id.clone() data-state=state_attr>
            <div class="sr-tenant__head">
                <strong class="sr-tenant__name">{r.name.clone()}</strong>
                {(r.kind != EnvKind::Other(-1)).then(|| view! {
                    " "
                    <span class=format!("sr-badge sr-badge--{}", if r.kind == EnvKind::Production { "production" } else { "other" })>
                        {r.kind.label_in(lang)}
                    </span>
                }.into_any())}
            </div>
            {if reading {
                view! {
                    <progress
                        class="sr-tenant__progress"
                        data-testid="tenant-progress"
                        max="100"
                        value=r.percent.to_string()
                        aria-label=tr!(lang, "tenant.row.reading", name = name)
                    ></progress>
                }
                    .into_any()
            } else if refused {
                view! { <p class="sr-tenant__refused" data-testid="tenant-refused">{status}</p> }.into_any()
            } else {
                view! {
                    <ul class="sr-strip" data-testid="tenant-strip" aria-label=tr!(lang, "tenant.row.steps-done", done = done, total = total_steps)>
                        {strip}
                    </ul>
                }
                    .into_any()
            }}
            <p class="sr-tenant__facts">
                <span data-testid="tenant-ready">{tr!(lang, "tenant.row.ready", ready = r.ready, total = r.total)}</span>
                {(!last.is_empty()).then(|| view! { <span class="sr-muted">{tr!(lang, "tenant.row.last-read", time = last)}</span> }.into_any())}
            </p>
            <button
                class="sr-button sr-button--small"
                data-testid="tenant-open"
                aria-label=tr!(lang, "tenant.row.open.label", name = r.name)
                disabled=reading
                on:click=on_click(Callback::new(move |()| on_open.run(index)))
            >
                {lang.t("tenant.row.open")}
            </button>
        </li>
    }
    .into_any()
}

fn owner_text(owner: &ActOwner, lang: Lang, name: &dyn Fn(usize) -> String) -> String {
    match owner {
        ActOwner::Marked { env } => tr!(lang, "tenant.owner.marked", env = name(*env)),
        ActOwner::LastTest { env } => tr!(lang, "tenant.owner.last-test", env = name(*env)),
        ActOwner::Nobody => lang.t("tenant.owner.nobody").to_owned(),
        ActOwner::Unclear { .. } => lang.t("tenant.owner.unclear").to_owned(),
    }
}

fn conflict_view(
    a: AddressConflict,
    lang: Lang,
    name: impl Fn(usize) -> String + Copy,
    on_preview: Callback<Fix>,
) -> AnyView {
    let holders = a
        .holders
        .iter()
        .map(|h| {
            let mut notes = Vec::new();
            if h.act_sss {
                notes.push(lang.t("tenant.holder.act"));
            }
            if h.marked_primary {
                notes.push(lang.t("tenant.holder.this-org-only"));
            }
            if h.another_org_alert {
                notes.push(lang.t("tenant.holder.another-org-alert"));
            }
            let notes = if notes.is_empty() {
                lang.t("tenant.holder.email-only").to_owned()
            } else {
                notes.join(", ")
            };
            tr!(lang, "tenant.holder", env = h.env_name, notes = notes)
        })
        .collect::<Vec<_>>()
        .join(" · ");
    let buttons = a
        .holders
        .iter()
        .flat_map(|h| {
            let own = Fix::OwnIn { env: h.env, addresses: vec![a.address.clone()] };
            let none = Fix::ActNoneIn { env: h.env, addresses: vec![a.address.clone()] };
            let mut out = vec![view! {
                <button class="sr-button sr-button--small" data-testid="fix-own" on:click=on_click(Callback::new(move |()| on_preview.run(own.clone())))>
                    {tr!(lang, "tenant.fix.own-in", env = h.env_name)}
                </button>
            }
            .into_any()];
            if h.act_sss {
                out.push(
                    view! {
                        <button class="sr-button sr-button--small" data-testid="fix-act-none" on:click=on_click(Callback::new(move |()| on_preview.run(none.clone())))>
                            {tr!(lang, "tenant.fix.act-none-in", env = h.env_name)}
                        </button>
                    }
                    .into_any(),
                );
            }
            out
        })
        .collect_view();
    view! {
        <li class="sr-tenant__conflict" data-testid="conflict">
            <strong>{a.address.clone()}</strong>
            <p class="sr-muted">{holders}</p>
            <p>{owner_text(&a.owner, lang, &name)}</p>
            <div class="sr-tenant__fixes">{buttons}</div>
        </li>
    }
    .into_any()
}

/// The conflicts section, once every environment finished.
fn conflicts_view(
    report: ConflictReport,
    lang: Lang,
    name_of: impl Fn(usize) -> String + Copy,
    on_preview: Callback<Fix>,
) -> AnyView {
    let copies = report
        .copies
        .iter()
        .map(|c| {
            let (copy, source) = (name_of(c.copy), name_of(c.production));
            let title = if c.certain {
                tr!(lang, "tenant.copy.certain", copy = copy, source = source)
            } else {
                tr!(lang, "tenant.copy.uncertain", copy = copy, source = source)
            };
            let mut targets = vec![(c.copy, copy)];
            if !c.certain {
                targets.push((c.production, source));
            }
            let buttons = targets
                .into_iter()
                .map(|(env, name)| {
                    let fix = Fix::DisableCopy { env };
                    view! {
                        <button class="sr-button sr-button--small" data-testid="fix-copy" on:click=on_click(Callback::new(move |()| on_preview.run(fix.clone())))>
                            {tr!(lang, "tenant.fix.copy-none-in", env = name)}
                        </button>
                    }
                    .into_any()
                })
                .collect_view();
            view! {
                <li class="sr-tenant__conflict" data-testid="conflict-copy">
                    <strong>{title}</strong>
                    <p>{tr!(lang, "tenant.copy.still-sync", enabled = c.enabled.len().max(c.other_enabled.len()), shared = c.shared)}</p>
                    <div class="sr-tenant__fixes">{buttons}</div>
                </li>
            }
            .into_any()
        })
        .collect_view();
    let count = report.addresses.len();
    let addresses = report
        .addresses
        .into_iter()
        .take(100)
        .map(|a| conflict_view(a, lang, name_of, on_preview))
        .collect_view();
    view! {
        <section class="sr-tenant__conflicts" data-testid="conflicts" aria-labelledby="sr-conflicts-title">
            <h3 class="sr-section-title" id="sr-conflicts-title">
                {tr!(lang, "tenant.conflicts.title", n = count)}
            </h3>
            <ul class="sr-tenant__list">{copies}{addresses}</ul>
        </section>
    }
    .into_any()
}

/// The fix preview: the dry-run table and the confirm button.
fn preview_view(p: FixPreview, lang: Lang, on_confirm: Callback<()>, on_dismiss: Callback<()>) -> AnyView {
    let lines = p.lines.iter().take(200).map(|l| view! { <li>{l.clone()}</li> }.into_any()).collect_view();
    let error = p.error.clone();
    view! {
        <section class="sr-tenant__preview" data-testid="fix-preview" aria-labelledby="sr-fix-title">
            <h3 class="sr-section-title" id="sr-fix-title">{p.title.clone()}</h3>
            <p data-testid="fix-env">{tr!(lang, "tenant.preview.writes-to", env = p.env, n = p.lines.len())}</p>
            {error.map(|e| view! { <p class="sr-error" data-testid="fix-error">{e}</p> }.into_any())}
            <ul class="sr-tenant__lines">{lines}</ul>
            <button class="sr-button" data-testid="fix-confirm" disabled=p.error.is_some() on:click=on_click(on_confirm)>
                {lang.t("tenant.preview.confirm")}
            </button>
            " "
            <button class="sr-button sr-button--small" data-testid="fix-dismiss" on:click=on_click(on_dismiss)>
                {lang.t("ui.close")}
            </button>
        </section>
    }
    .into_any()
}

/// The tenant view.
#[component]
pub fn TenantView(
    /// One row per environment.
    rows: Signal<Vec<TenantRow>>,
    /// Conflicts, once every environment finished.
    conflicts: Signal<Option<ConflictReport>>,
    /// True while environments are being read.
    reading: Signal<bool>,
    /// A sentence about where the read stands.
    status: Signal<String>,
    /// Formats a read time.
    time: Callback<Millis, String>,
    /// Cancels the read.
    on_cancel: Callback<()>,
    /// Exports the shown rows: `true` CSV, `false` JSON.
    on_export: Callback<(bool, Vec<TenantRow>)>,
    /// Opens an environment's checklist (by row index).
    on_open: Callback<usize>,
    /// Previews a fix.
    on_preview: Callback<Fix>,
    /// The preview, when one is open.
    preview: Signal<Option<FixPreview>>,
    /// Runs the previewed fix.
    on_confirm: Callback<()>,
    /// Closes the preview.
    on_dismiss: Callback<()>,
    /// What the last fix did.
    fix_status: Signal<Option<String>>,
) -> impl IntoView {
    let sort = RwSignal::new((SortKey::Name, true));
    let filter = RwSignal::new(TenantFilter::default());
    let shown = Memo::new(move |_| {
        let f = filter.get();
        let mut list: Vec<TenantRow> = rows.get().into_iter().filter(|r| f.matches(r)).collect();
        let (key, asc) = sort.get();
        sort_rows(&mut list, key, asc);
        list
    });
    let lang = use_lang();
    let name_of = move |i: usize| {
        rows.with_untracked(|r| r.iter().find(|x| x.index == i).map(|x| x.name.clone()))
            .unwrap_or_else(|| tr!(lang, "tenant.environment-n", n = i))
    };
    let kind_options = KINDS
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            let label =
                kind.map_or_else(|| lang.t("tenant.filter.all-types").to_owned(), |k| k.label_in(lang));
            view! { <option value=i.to_string()>{label}</option> }.into_any()
        })
        .collect_view();
    let sort_options = SORTS
        .iter()
        .enumerate()
        .map(|(i, (key, _))| view! { <option value=i.to_string()>{lang.t(key)}</option> }.into_any())
        .collect_view();
    view! {
        <section class="sr-tenant" data-testid="tenant" aria-labelledby="sr-tenant-title">
            <h2 class="sr-section-title" id="sr-tenant-title">{lang.t("tenant.title")}</h2>
            <p class="sr-muted" data-testid="tenant-status" role="status">{move || status.get()}</p>
            <div class="sr-tenant__bar">
                <label class="sr-tenant__control">
                    {lang.t("tenant.filter.kind")}" "
                    <select
                        class="sr-input"
                        data-testid="tenant-kind"
                        on:change=move |ev| {
                            let i = event_target_value(&ev).parse::<usize>().unwrap_or(0);
                            filter.update(|f| f.kind = KINDS.get(i).copied().flatten());
                        }
                    >
                        {kind_options}
                    </select>
                </label>
                <label class="sr-tenant__control">
                    {lang.t("tenant.filter.sort")}" "
                    <select
                        class="sr-input"
                        data-testid="tenant-sort"
                        on:change=move |ev| {
                            let i = event_target_value(&ev).parse::<usize>().unwrap_or(0);
                            let key = SORTS.get(i).map_or(SortKey::Name, |s| s.1);
                            sort.set((key, key == SortKey::Name || key == SortKey::Kind));
                        }
                    >
                        {sort_options}
                    </select>
                </label>
                <input
                    class="sr-input"
                    type="search"
                    data-testid="tenant-search"
                    placeholder=lang.t("tenant.search.placeholder")
                    aria-label=lang.t("tenant.search.label")
                    on:input=move |ev| {
                        let t = event_target_value(&ev);
                        filter.update(|f| f.text = Some(t));
                    }
                />
                <label class="sr-tenant__control">
                    <input
                        type="checkbox"
                        data-testid="tenant-attention"
                        on:change=move |ev| filter.update(|f| f.needs_attention = event_target_checked(&ev))
                    />
                    " "{lang.t("tenant.filter.attention")}
                </label>
            </div>
            <div class="sr-tenant__bar">
                <button class="sr-button sr-button--small" data-testid="tenant-cancel" disabled=move || !reading.get() on:click=on_click(on_cancel)>
                    {lang.t("ui.cancel")}
                </button>
                <button class="sr-button sr-button--small" data-testid="tenant-csv" on:click=on_click(Callback::new(move |()| on_export.run((true, shown.get_untracked()))))>
                    {lang.t("tenant.export.csv")}
                </button>
                <button class="sr-button sr-button--small" data-testid="tenant-json" on:click=on_click(Callback::new(move |()| on_export.run((false, shown.get_untracked()))))>
                    {lang.t("tenant.export.json")}
                </button>
            </div>
            // Reactive children are closures written in `view!`, one compiled copy per output type
            // (docs/size.md); a closure held in a variable would be a copy of its own.
            <ul class="sr-tenant__list" data-testid="tenant-rows">
                {move || shown.get().into_iter().map(|r| row_view(r, lang, time, on_open)).collect_view()}
            </ul>
            {move || preview.get().map(|p| preview_view(p, lang, on_confirm, on_dismiss))}
            {move || fix_status.get().map(|s| view! { <p role="status" data-testid="fix-status">{s}</p> }.into_any())}
            {move || conflicts.get().map(|report| conflicts_view(report, lang, name_of, on_preview))}
        </section>
    }
}
