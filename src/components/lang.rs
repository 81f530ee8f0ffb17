//! The page's language for the components: the app root (`pages::App`) provides the
//! `syncready_core::i18n::Lang` it chose, and every component renders its texts through it.

/// The page's language; English where none is provided (component tests).
pub fn use_lang() -> syncready_core::i18n::Lang {
    leptos::prelude::use_context::<syncready_core::i18n::Lang>().unwrap_or_default()
}
