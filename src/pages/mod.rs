//! The pages: one per surface, each a component that makes the page's services (`crate::session`)
//! and lays out the components that render them.
//!
//! - [`panel`]: the side panel, which is also the web app (`?surface=app`): checklist, health,
//!   mailbox grid and bulk actions.
//! - [`sign_in`]: the panel's and the web app's "Sign in with Microsoft Entra ID" section.
//! - [`popup`]: the toolbar popup: headline and "open side panel".
//! - [`options`]: the options page: theme, bulk preferences and the own sign-in's registration.

pub mod options;
pub mod panel;
pub mod popup;
pub mod sign_in;

use crate::components::{Download, Downloads, ErrorView};
use crate::platform::dom;
use crate::session::OrgProblem;
use crate::surface::Surface;
use leptos::prelude::*;

/// The app root.
#[component]
pub fn App(
    /// Which surface this page is.
    surface: Surface,
) -> impl IntoView {
    // Every export button offers its file through the browser's download.
    provide_context(Downloads(Callback::new(|file: Download| {
        let _ = dom::download(&file.name, file.mime, &file.text);
    })));
    let body = match surface {
        Surface::Panel | Surface::App => view! { <panel::ChecklistPage /> }.into_any(),
        Surface::Popup => view! { <popup::PopupPage /> }.into_any(),
        Surface::Options => view! { <options::OptionsPage /> }.into_any(),
    };
    view! { <main class=format!("sr-app sr-app--{}", surface.key()) data-surface=surface.key()>{body}</main> }
}

/// What the panel and the popup show when no org could be read.
pub(crate) fn org_problem_view(problem: OrgProblem) -> AnyView {
    match problem {
        OrgProblem::NoOrg => view! {
            <ErrorView
                title="Open a Dynamics 365 tab".to_owned()
                detail="SyncReady works on the org in your Dynamics 365 tab. Open or reload a page of your org (https://<org>.crm.dynamics.com), then reopen SyncReady.".to_owned()
            />
        }
        .into_any(),
        OrgProblem::Invalid(why) => view! { <ErrorView title="Not a Dynamics 365 org".to_owned() detail=why /> }.into_any(),
        OrgProblem::FinishingSignIn => {
            view! { <p class="sr-loading" data-testid="loading">"Finishing sign-in…"</p> }.into_any()
        }
    }
}
