//! "Exchange Online side" (issue 16): the Microsoft 365 checks behind failing mailboxes, with the fix
//! and who acts, the export for the Microsoft 365 admin and the one-click address fix. Render only:
//! data from `state::exchange`, actions through callbacks.

use crate::components::{on_click, use_lang};
use crate::state::exchange::{self as xs, ExchangeView};
use leptos::prelude::*;
use syncready_core::i18n::Lang;

/// The section. `on_check` gets `true` for "all mailboxes".
#[component]
pub fn ExchangeSide(
    /// Where the checks stand.
    view: Signal<ExchangeView>,
    /// "Sign in" (the own sign-in).
    on_sign_in: Callback<()>,
    /// "Check" (failed and never-run mailboxes, or all).
    on_check: Callback<bool>,
    /// "Export for the Microsoft 365 admin".
    on_export: Callback<()>,
    /// "Update the addresses in Dynamics…" (opens the bulk preview).
    on_fix_addresses: Callback<()>,
) -> impl IntoView {
    let all = RwSignal::new(false);
    let lang = use_lang();
    let body = move || {
        let v = view.get();
        let headline = xs::headline(&v, lang);
        let controls = match &v {
            ExchangeView::SignInNeeded => view! {
                <button class="sr-button" data-testid="exchange-sign-in" on:click=on_click(on_sign_in)>
                    {lang.t("exchange.sign-in")}
                </button>
            }
            .into_any(),
            ExchangeView::Ready { .. }
            | ExchangeView::Done { .. }
            | ExchangeView::Failed { .. }
            | ExchangeView::ConsentMissing { .. } => view! {
                <label class="sr-exchange__all">
                    <input type="checkbox" data-testid="exchange-all" prop:checked=move || all.get()
                        on:change=move |ev| all.set(event_target_checked(&ev)) />
                    " "{lang.t("exchange.all")}
                </label>
                <button class="sr-button" data-testid="exchange-check"
                    on:click=move |_| on_check.run(all.get_untracked())>
                    {lang.t("exchange.check")}
                </button>
            }
            .into_any(),
            ExchangeView::Checking { .. } => ().into_any(),
        };
        let detail = match &v {
            ExchangeView::ConsentMissing { detail } => view! {
                <p class="sr-muted" data-testid="exchange-consent">
                    {lang.t("exchange.consent.help")}
                    {detail.clone()}
                </p>
            }
            .into_any(),
            ExchangeView::Done { checks, .. } => {
                results(checks, lang, on_export, on_fix_addresses).into_any()
            }
            _ => ().into_any(),
        };
        view! {
            <p class="sr-exchange__headline" data-testid="exchange-headline">{headline}</p>
            <div class="sr-exchange__controls">{controls}</div>
            {detail}
        }
    };
    view! {
        <section class="sr-exchange" data-testid="exchange-side" aria-labelledby="sr-exchange-title">
            <h2 class="sr-section-title" id="sr-exchange-title">{lang.t("exchange.title")}</h2>
            {body}
        </section>
    }
}

fn results(
    checks: &[syncready_core::graph::MailboxCheck],
    lang: Lang,
    on_export: Callback<()>,
    on_fix: Callback<()>,
) -> impl IntoView {
    let rows = xs::problem_rows(checks, lang);
    let fixes = xs::address_fixes(checks);
    let exportable = !rows.is_empty();
    let rows = rows
        .into_iter()
        .map(|r| {
            view! {
                <tr data-testid="exchange-row" data-verdict=r.key data-mailbox=r.mailbox_id>
                    <td>{r.name}<br /><span class="sr-muted">{r.address}</span></td>
                    <td>{r.summary}</td>
                    <td>{r.fix}</td>
                    <td data-testid="exchange-actor">{r.actor}</td>
                </tr>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <div class="sr-exchange__actions">
            {(fixes > 0).then(|| view! {
                <button class="sr-button" data-testid="exchange-fix-addresses" on:click=on_click(on_fix)>
                    {xs::fix_label(fixes, lang)}
                </button>
            }
            .into_any())}
            {exportable.then(|| view! {
                <button class="sr-button sr-button--secondary" data-testid="exchange-export" on:click=on_click(on_export)>
                    {lang.t("exchange.export")}
                </button>
            }
            .into_any())}
        </div>
        <table class="sr-table sr-exchange__table" data-testid="exchange-results">
            <thead><tr>
                <th>{lang.t("exchange.column.mailbox")}</th>
                <th>{lang.t("exchange.column.microsoft-365")}</th>
                <th>{lang.t("exchange.column.fix")}</th>
                <th>{lang.t("exchange.column.who-acts")}</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
