//! Virtualised grid of mailboxes (usable at 50,000 rows): filters, search, fixed-height rows and
//! only the rows in view rendered.
//!
//! Side panel first: below 600 px each row is two lines (name and the one problem that matters, then
//! the address) and the cursor row's details show under the list; from 600 px the same rows lay out
//! as a six-column table (CSS media queries in `public/syncready.css`). Sizes and the scroll offset are
//! set through the CSSOM (`style:` bindings call `style.setProperty`), never as `style="…"` attribute
//! strings, which the extension's CSP (`style-src 'self'`) refuses.

use super::handlers::on_click;
use super::lang::use_lang;
use crate::state::bulk::BulkRequest;
use crate::state::grid::{
    ApprovalFilter, GridFilter, KindFilter, MailboxRow, TestOutcome, apply, choice, choice_options,
    move_cursor, profile_names, scroll_to_show, value_of, window,
};
use leptos::prelude::*;
use std::sync::Arc;
use syncready_core::bulk::{Action, Selection};
use syncready_core::{tr, trn};

/// Row height in pixels, the same in both layouts; must match `.sr-grid__row` in the CSS.
pub const ROW_HEIGHT: f64 = 44.0;
const ROW_PX: usize = 44;
const VIEWPORT: f64 = 384.0;
const OVERSCAN: usize = 6;

/// The grid. `filter` is owned by the caller so a checklist finding can focus it.
#[component]
pub fn MailboxGrid(
    /// All rows of the snapshot.
    rows: Arc<Vec<MailboxRow>>,
    /// Filter state.
    filter: RwSignal<GridFilter>,
    /// Heading, e.g. the finding being drilled into.
    title: RwSignal<String>,
    /// Called with a bulk action over every mailbox the filter matches.
    #[prop(optional)]
    on_bulk: Option<Callback<BulkRequest>>,
    /// Per mailbox id, what the Microsoft 365 check found and who acts (issue 16), once checked.
    #[prop(optional)]
    m365: Option<Signal<std::collections::BTreeMap<String, (String, &'static str)>>>,
) -> impl IntoView {
    let lang = use_lang();
    let scroll = RwSignal::new((0.0_f64, VIEWPORT));
    let all = rows.clone();
    let profiles = profile_names(&rows);
    let ids_rows = rows.clone();
    let detail_rows = rows.clone();
    let matching = Memo::new(move |_| filter.with(|f| apply(&all, f)));
    // The keyboard cursor: an index into the matching rows (arrow keys, Page Up/Down, Home, End).
    let cursor = RwSignal::new(0_usize);
    // A new filter starts at the top.
    Effect::new(move |_| {
        filter.track();
        scroll.set((0.0, VIEWPORT));
        cursor.set(0);
    });
    // The scrolling element, for its scroll offset and height (virtual scrolling).
    let viewport = NodeRef::<leptos::html::Div>::new();
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let total = matching.with(Vec::len);
        let (top, height) = scroll.get_untracked();
        let page = (height / ROW_HEIGHT).floor() as usize;
        if let Some(next) = move_cursor(cursor.get_untracked(), &ev.key(), total, page) {
            ev.prevent_default();
            cursor.set(next);
            let new_top = scroll_to_show(next, top, height, ROW_HEIGHT);
            if let Some(el) = viewport.get_untracked() {
                el.set_scroll_top(new_top.round() as i32);
            }
            scroll.set((new_top, height));
        }
    };
    let on_scroll = move |_: leptos::ev::Event| {
        if let Some(el) = viewport.get_untracked() {
            scroll.set((f64::from(el.scroll_top()), f64::from(el.client_height())));
        }
    };
    // The rows in view as (position in the filtered list, index into `rows`): plain numbers, so a
    // scroll step copies no text and the keyed list below builds only the rows that came into view.
    let visible = move || {
        let (top, height) = scroll.get();
        matching.with(|idx| {
            let (start, end) = window(idx.len(), top, height, ROW_HEIGHT, OVERSCAN);
            idx[start..end].iter().enumerate().map(|(k, &i)| (start + k, i)).collect::<Vec<_>>()
        })
    };
    let chosen = RwSignal::new("approve".to_owned());
    let bulk_bar = on_bulk.map(|cb| {
        let run = Callback::new(move |()| {
            let ids: Vec<String> = matching.with(|idx| idx.iter().map(|&i| ids_rows[i].id.clone()).collect());
            let action = match chosen.get_untracked().as_str() {
                "reject" => Action::Reject,
                "apply-defaults" => Action::ApplyDefaultSettings { test_and_enable: true, this_org_only: false },
                "test" => Action::TestAndEnable { this_org_only: false, process_email_after: None },
                "test-this-org" => Action::TestAndEnable { this_org_only: true, process_email_after: None },
                _ => Action::Approve,
            };
            cb.run(BulkRequest { action, selection: Selection::Ids(ids) });
        });
        view! {
            <div class="sr-grid__bulk">
                <select class="sr-input" aria-label=lang.t("ui.grid.bulk-action") data-testid="grid-bulk-action" on:change=move |ev| chosen.set(event_target_value(&ev))>
                    <option value="approve">{lang.t("ui.grid.bulk.approve")}</option>
                    <option value="apply-defaults">{lang.t("ui.grid.bulk.apply-defaults")}</option>
                    <option value="test">{lang.t("ui.grid.bulk.test")}</option>
                    <option value="test-this-org">{lang.t("ui.grid.bulk.test-this-org")}</option>
                    <option value="reject">{lang.t("ui.grid.bulk.reject")}</option>
                </select>
                <button class="sr-button sr-button--primary" data-testid="grid-bulk-run" on:click=on_click(run)>
                    {move || tr!(lang, "ui.grid.preview-all", n = matching.with(Vec::len))}
                </button>
            </div>
        }
    });
    view! {
        <section class="sr-grid" data-testid="mailbox-grid" aria-label=lang.t("ui.grid.label")>
            <div class="sr-grid__toolbar">
                <h2 class="sr-grid__title">{move || title.get()}</h2>
                <span class="sr-grid__count" data-testid="grid-count">
                    {move || trn!(lang, "count.mailboxes", matching.with(Vec::len))}
                </span>
                <input
                    class="sr-input sr-grid__search"
                    type="search"
                    placeholder=lang.t("ui.grid.search.placeholder")
                    aria-label=lang.t("ui.grid.search.label")
                    data-testid="grid-search"
                    prop:value=move || filter.with(|f| f.search.clone())
                    on:input=move |ev| filter.update(|f| f.search = event_target_value(&ev))
                />
                <div class="sr-grid__filters">
                {filter_select(
                    lang.t("ui.grid.kind"),
                    "grid-kind",
                    choice_options(&KindFilter::CHOICES, lang),
                    Signal::derive(move || filter.with(|f| value_of(&KindFilter::CHOICES, f.kind).to_owned())),
                    Callback::new(move |v: String| {
                        filter.update(|f| f.kind = choice(&KindFilter::CHOICES, &v).unwrap_or_default());
                    }),
                )}
                {filter_select(
                    lang.t("ui.grid.tests"),
                    "grid-tests",
                    choice_options(&TestOutcome::CHOICES, lang),
                    Signal::derive(move || filter.with(|f| value_of(&TestOutcome::CHOICES, f.tests).to_owned())),
                    Callback::new(move |v: String| {
                        filter.update(|f| f.tests = choice(&TestOutcome::CHOICES, &v).unwrap_or_default());
                    }),
                )}
                {filter_select(
                    lang.t("ui.grid.approval"),
                    "grid-approval",
                    choice_options(&ApprovalFilter::CHOICES, lang),
                    Signal::derive(move || filter.with(|f| value_of(&ApprovalFilter::CHOICES, f.approval).to_owned())),
                    Callback::new(move |v: String| {
                        filter.update(|f| f.approval = choice(&ApprovalFilter::CHOICES, &v).unwrap_or_default());
                    }),
                )}
                {filter_select(
                    lang.t("ui.grid.profile"),
                    "grid-profile",
                    std::iter::once((String::new(), lang.t("ui.grid.any-profile").to_owned()))
                        .chain(profiles.into_iter().map(|p| (p.clone(), p)))
                        .collect(),
                    Signal::derive(move || filter.with(|f| f.profile.clone().unwrap_or_default())),
                    Callback::new(move |v: String| filter.update(|f| f.profile = (!v.is_empty()).then_some(v))),
                )}
                </div>
                <button class="sr-button" on:click=on_click(Callback::new(move |()| filter.set(GridFilter::default())))>{lang.t("ui.grid.show-all")}</button>
            </div>
            <div class="sr-grid__head" role="row">
                <span role="columnheader">{lang.t("ui.grid.column.name")}</span>
                <span role="columnheader">{lang.t("ui.grid.column.address")}</span>
                <span role="columnheader">{lang.t("ui.grid.column.kind")}</span>
                <span role="columnheader">{lang.t("ui.grid.column.profile")}</span>
                <span role="columnheader">{lang.t("ui.grid.column.approval")}</span>
                <span role="columnheader">{lang.t("ui.grid.column.tests")}</span>
            </div>
            <div
                class="sr-grid__viewport"
                role="grid"
                tabindex="0"
                aria-label=lang.t("ui.grid.keys")
                aria-rowcount=move || matching.with(Vec::len)
                data-testid="grid-viewport"
                node_ref=viewport
                on:scroll=on_scroll
                on:keydown=on_key
            >
                <div class="sr-grid__spacer" style:height=move || format!("{}px", matching.with(Vec::len) * ROW_PX)>
                    <div class="sr-grid__rows" style:transform=move || {
                    let (top, height) = scroll.get();
                    let (start, _) = window(matching.with(Vec::len), top, height, ROW_HEIGHT, OVERSCAN);
                    // Integer pixels: keeps float formatting out of the wasm binary.
                    format!("translateY({}px)", start * ROW_PX)
                }>
                        // Keyed by (position, mailbox): a scroll step of a few rows builds only those rows
                        // (issue 13: one step in 50,000 rows within a frame); a new filter rebuilds all.
                        <For each=visible key=|pair| *pair children=move |(pos, i)| {
                            let r = &rows[i];
                            view! {
                            <div
                                class="sr-grid__row"
                                class:sr-grid__row--cursor=move || cursor.get() == pos
                                aria-selected=move || (cursor.get() == pos).to_string()
                                aria-rowindex=pos + 1
                                class:sr-grid__row--failed=r.failed
                                class:sr-grid__row--inactive=r.inactive
                                role="row"
                                data-testid="grid-row"
                                on:click=move |_| cursor.set(pos)
                            >
                                <span role="gridcell" class="sr-grid__name">{r.name.clone()}</span>
                                <span role="gridcell" class="sr-grid__email">{r.email.clone()}</span>
                                <span role="gridcell" class=format!("sr-grid__problem sr-badge--{}", r.problem.tone())>{r.problem.label_in(lang)}</span>
                                <span role="gridcell" class="sr-grid__wide">{r.kind}</span>
                                <span role="gridcell" class="sr-grid__wide">{r.profile.clone()}</span>
                                <span role="gridcell" class="sr-grid__wide">{r.approval}</span>
                                <span role="gridcell" class="sr-grid__wide">{r.tests.clone()}</span>
                            </div>
                            }
                        } />
                    </div>
                </div>
            </div>
            // Details on demand (narrow layout): the row under the cursor, in full.
            <p class="sr-grid__detail" data-testid="grid-detail" aria-live="polite">
                {move || matching.with(|idx| idx.get(cursor.get()).map(|&i| {
                    let r = &detail_rows[i];
                    let mut line = r.detail_in(lang);
                    if let Some((found, actor)) = m365.and_then(|m| m.with(|m| m.get(&r.id).cloned())) {
                        line.push_str(&tr!(lang, "exchange.grid.finding", found = found, actor = actor));
                    }
                    line
                }))}
            </p>
            {bulk_bar}
        </section>
    }
}

/// A labelled filter `<select>` over `(value, label)` options: `selected` is the value the filter holds,
/// `on_pick` gets the value chosen. Type-erased (`Signal`, `Callback`), so every select shares one copy.
fn filter_select(
    label: &'static str,
    testid: &'static str,
    options: Vec<(String, String)>,
    selected: Signal<String>,
    on_pick: Callback<String>,
) -> impl IntoView {
    view! {
        <select class="sr-input" aria-label=label data-testid=testid on:change=move |ev| on_pick.run(event_target_value(&ev))>
            {options
                .into_iter()
                .map(|(value, text)| {
                    let mine = value.clone();
                    view! { <option value=value selected=move || selected.with(|s| *s == mine)>{text}</option> }.into_any()
                })
                .collect_view()}
        </select>
    }
}
