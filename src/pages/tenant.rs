//! The tenant page (issue 15, `?surface=tenant`, in the side panel and the web app): every
//! environment at once, and the conflicts between them.
//!
//! With the own sign-in, the environments come from the Global Discovery Service; with session reuse,
//! they are the orgs opened in this browser session (the service worker's list), and an org without a
//! live session is shown as "sign-in needed": its row opens its own checklist, where the sign-in is
//! offered.

use crate::components::tenant::{FixPreview, TenantView};
use crate::components::use_lang;
use crate::platform::{clock, dom};
use crate::session::{Phase, TenantSession};
use leptos::prelude::*;
use syncready_core::bulk::{Millis, Plan};
use syncready_core::i18n::Lang;
use syncready_core::model::OrgUrl;
use syncready_core::tenant::{EnvState, Fix, FixError, Refusal, TenantRow, rows_to_csv, rows_to_json};
use syncready_core::{tr, trn};

fn status_text(phase: &Phase, rows: &[TenantRow], lang: Lang) -> String {
    let count = |f: &dyn Fn(&TenantRow) -> bool| rows.iter().filter(|r| f(r)).count();
    let read = count(&|r| matches!(r.state, EnvState::Read { .. }));
    let refused = count(&|r| matches!(r.state, EnvState::Refused { .. }));
    let sign_in = count(&|r| matches!(r.state, EnvState::Refused { reason: Refusal::SignInNeeded }));
    let mut text = match phase {
        Phase::Idle => lang.t("tenant.status.idle").to_owned(),
        Phase::Discovering => lang.t("tenant.status.discovering").to_owned(),
        Phase::Reading => trn!(lang, "tenant.status.reading", rows.len(), read = read, refused = refused),
        Phase::Done => trn!(lang, "tenant.status.done", rows.len(), read = read, refused = refused),
        Phase::Failed(e) => e.text_in(lang),
    };
    if sign_in > 0 {
        text.push(' ');
        text.push_str(&trn!(lang, "tenant.status.sign-in-needed", sign_in));
    }
    text
}

fn preview_of(fix: &Fix, env: String, plan: Result<Plan, FixError>, lang: Lang) -> FixPreview {
    let key = match fix {
        Fix::OwnIn { .. } => "tenant.preview.own-in",
        Fix::ActNoneIn { .. } => "tenant.preview.act-none-in",
        Fix::DisableCopy { .. } => "tenant.preview.disable-copy",
    };
    let title = tr!(lang, key, env = env);
    match plan {
        Ok(plan) => FixPreview {
            title,
            env,
            lines: plan
                .dry_run_in(lang)
                .iter()
                .map(|r| format!("{}: {} {} → {}", r.name, r.field, r.before, r.after))
                .collect(),
            error: None,
        },
        Err(e) => FixPreview { title, env, lines: Vec::new(), error: Some(e.text_in(lang)) },
    }
}

/// The tenant page.
#[component]
pub fn TenantPage() -> impl IntoView {
    let lang = use_lang();
    let service = TenantSession::new();
    let (rows, phase, conflicts, fix_progress) =
        (service.rows, service.phase, service.conflicts, service.fix_progress);
    let session = StoredValue::new_local(service);
    let preview = RwSignal::new(None::<FixPreview>);
    let fix_status = RwSignal::new(None::<String>);
    let pending = StoredValue::new_local(None::<(Fix, Plan)>);
    {
        let session = session.get_value();
        leptos::task::spawn_local(async move {
            if crate::session::bearer::restore().is_some() {
                session.discover_and_read().await;
            } else {
                let current = crate::session::org::resolve_org().await.ok();
                let orgs = TenantSession::seen_orgs(current).await;
                session.read_sessions(orgs).await;
            }
        });
    }
    // Session reuse sees only the orgs opened in this browser: offer the own sign-in for the rest (the
    // panel's sign-in form; from there, this page lists every environment through discovery).
    let signed_in = crate::session::bearer::restore().is_some();
    let sign_in_href = if dom::is_extension_page() { "index.html?surface=panel" } else { "?surface=app" };
    let reading = Signal::derive(move || matches!(phase.get(), Phase::Reading | Phase::Discovering));
    let status = Signal::derive(move || rows.with(|r| status_text(&phase.get(), r, lang)));
    let time = Callback::new(|m: Millis| clock::local_time(m.0));
    let on_cancel = Callback::new(move |()| session.with_value(TenantSession::cancel));
    let on_export = Callback::new(|(csv, shown): (bool, Vec<TenantRow>)| {
        let _ = if csv {
            dom::download(
                "syncready-environments.csv",
                "text/csv",
                &rows_to_csv(&shown, |m| clock::local_time(m.0)),
            )
        } else {
            dom::download("syncready-environments.json", "application/json", &rows_to_json(&shown))
        };
    });
    let on_open = Callback::new(move |i: usize| {
        let url: Option<String> =
            rows.with_untracked(|r| r.iter().find(|x| x.index == i).and_then(|x| x.url.clone()));
        if let Some(url) = url.and_then(|u| OrgUrl::parse_with(&u, dom::host_policy()).ok()) {
            let surface = if dom::is_extension_page() { "panel" } else { "app" };
            let org = syncready_core::encoding::percent_encode(url.as_str());
            dom::navigate(&format!("index.html?surface={surface}&org={org}"));
        }
    });
    let on_preview = Callback::new(move |fix: Fix| {
        let env = rows
            .with_untracked(|r| r.iter().find(|x| x.index == fix.env()).map(|x| x.name.clone()))
            .unwrap_or_default();
        let plan = session.with_value(|s| s.plan(&fix));
        pending.set_value(plan.clone().ok().map(|p| (fix.clone(), p)));
        fix_status.set(None);
        preview.set(Some(preview_of(&fix, env, plan, lang)));
    });
    let on_dismiss = Callback::new(move |()| preview.set(None));
    let on_confirm = Callback::new(move |()| {
        let Some((fix, plan)) = pending.try_update_value(Option::take).flatten() else { return };
        preview.set(None);
        fix_status.set(Some(lang.t("tenant.fix.running").to_owned()));
        let session = session.get_value();
        leptos::task::spawn_local(async move {
            let text = match session.run(fix, plan, lang).await {
                Ok(()) => fix_progress.get_untracked().map_or_else(String::new, |p| {
                    tr!(
                        lang,
                        "tenant.fix.done",
                        succeeded = p.succeeded,
                        failed = p.failed,
                        skipped = p.skipped
                    )
                }),
                Err(e) => tr!(lang, "tenant.fix.not-sent", reason = e),
            };
            fix_status.set(Some(text));
        });
    });
    view! {
        <div class="sr-tenant-page" data-testid="tenant-page">
            <TenantView
                rows=Signal::from(rows)
                conflicts=Signal::from(conflicts)
                reading=reading
                status=status
                time=time
                on_cancel=on_cancel
                on_export=on_export
                on_open=on_open
                on_preview=on_preview
                preview=Signal::from(preview)
                on_confirm=on_confirm
                on_dismiss=on_dismiss
                fix_status=Signal::from(fix_status)
            />
            {(!signed_in).then(|| view! {
                <p class="sr-muted" data-testid="tenant-sign-in">
                    {lang.t("tenant.sign-in.before")}
                    <a href=sign_in_href>{lang.t("tenant.sign-in.link")}</a>
                    {lang.t("tenant.sign-in.after")}
                </p>
            }.into_any())}
        </div>
    }
}
