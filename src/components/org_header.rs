//! Which org the panel is looking at, and who is signed in.

use leptos::prelude::*;

/// Org name and URL.
#[component]
pub fn OrgHeader(
    /// Org display name.
    name: String,
    /// Org URL.
    url: String,
) -> impl IntoView {
    view! {
        <header class="sr-header">
            <h1 class="sr-header__title">"SyncReady"</h1>
            <div class="sr-header__org">
                <span data-testid="org-name" class="sr-header__name">{name}</span>
                <span data-testid="org-url" class="sr-header__url">{url}</span>
            </div>
        </header>
    }
}
