//! The toolbar popup: org, headline status, "open side panel".

use super::org_problem_view;
use crate::components::{OrgHeader, on_click};
use crate::platform::chrome;
use crate::session::OrgRead;
use leptos::prelude::*;
use syncready_core::readiness::checklist;

/// Popup: org, headline status, "open side panel".
#[component]
pub fn PopupPage() -> impl IntoView {
    let read = OrgRead::new(false);
    // Read ahead: the side panel may only be opened from the click itself, not after an await.
    let window_id = StoredValue::new(None::<f64>);
    leptos::task::spawn_local(async move {
        let id = chrome::current_window_id().await;
        window_id.try_set_value(id);
    });
    let open = Callback::new(move |()| {
        if let Some(Some(id)) = window_id.try_get_value() {
            chrome::open_side_panel(id);
        }
    });
    view! {
        {move || match read.get() {
            None => view! { <p class="sr-loading">"Reading your org…"</p> }.into_any(),
            Some(Err(problem)) => org_problem_view(problem),
            Some(Ok(data)) => {
                let name = data.snapshot.org.as_ref().map_or_else(|| data.org.host().to_owned(), |o| o.name.clone());
                let view_model = checklist::checklist(&data.report);
                let headline = format!("{} of {} steps done", view_model.done, view_model.rows.len());
                let next = view_model
                    .rows
                    .iter()
                    .find(|r| r.state != checklist::RowState::Done)
                    .map(|r| format!("Next: {} ({})", r.title, r.summary));
                view! {
                    <OrgHeader name=name url=data.org.to_string() />
                    <p class="sr-headline" data-testid="headline">{headline}</p>
                    <p class="sr-next">{next}</p>
                }
                .into_any()
            }
        }}
        <button class="sr-button sr-button--primary" data-testid="open-panel" on:click=on_click(open)>"Open side panel"</button>
    }
}
