//! Gathering one [`Snapshot`] of an org through a [`Transport`].
//!
//! Collection never fails as a whole: each part that cannot be read is recorded as a
//! [`CollectError`] and the rules that need it report "unable to check".

use crate::error::Error;
use crate::http::{Request, Transport};
use crate::model::{Caller, Mailbox, OrgSettings, Profile};
use crate::odata::{Query, decode_collection, decode_json};
use crate::wire;
use serde::de::DeserializeOwned;

/// Upper bound on pages followed for one query; a service that keeps sending the same
/// `@odata.nextLink` must not trap the client in a loop.
pub const MAX_PAGES: usize = 10_000;

/// Which part of the snapshot a failure concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Part {
    /// `WhoAmI`.
    Caller,
    /// The organization row.
    Organization,
    /// Email server profiles.
    Profiles,
    /// Mailboxes.
    Mailboxes,
}

/// A part that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectError {
    /// The part.
    pub part: Part,
    /// The error.
    pub error: Error,
}

/// What the collector learned about one org.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snapshot {
    /// The signed-in caller, if `WhoAmI` answered.
    pub caller: Option<Caller>,
    /// Org-wide email settings.
    pub org: Option<OrgSettings>,
    /// All email server profiles.
    pub profiles: Option<Vec<Profile>>,
    /// All mailboxes (active and inactive, users, queues and forward mailboxes).
    pub mailboxes: Option<Vec<Mailbox>>,
}

/// The first request of each part, in the order they are sent.
pub fn requests() -> Vec<(Part, Request)> {
    vec![
        (Part::Caller, Request::get("WhoAmI")),
        (Part::Organization, organization_query().request()),
        (Part::Profiles, profiles_query().request()),
        (Part::Mailboxes, mailboxes_query().request()),
    ]
}

fn organization_query() -> Query {
    Query::new("organizations").select(wire::ORGANIZATION_COLUMNS)
}

fn profiles_query() -> Query {
    Query::new("emailserverprofiles")
        .select(wire::PROFILE_COLUMNS)
        .page_size(crate::odata::query::MAX_PAGE_SIZE)
}

/// All mailboxes, only the columns the rules read, 5000 per page, with the lookup annotation that
/// tells user mailboxes from queue mailboxes.
pub fn mailboxes_query() -> Query {
    Query::new("mailboxes")
        .select(wire::MAILBOX_COLUMNS)
        .annotations(crate::odata::query::LOOKUP_LOGICAL_NAME)
        .page_size(crate::odata::query::MAX_PAGE_SIZE)
}

/// Reads every page of `query`, following `@odata.nextLink` exactly as given.
pub async fn fetch_all<T: DeserializeOwned>(
    transport: &impl Transport,
    query: &Query,
    what: &str,
) -> Result<Vec<T>, Error> {
    let mut rows = Vec::new();
    let mut request = query.request();
    let mut seen_links: Vec<String> = Vec::new();
    for _ in 0..MAX_PAGES {
        let response = transport.send(request).await?;
        let page = decode_collection::<T>(&response, what)?;
        rows.extend(page.value);
        match page.next_link {
            None => return Ok(rows),
            Some(link) => {
                if seen_links.contains(&link) {
                    return Err(Error::Decode {
                        path: what.to_owned(),
                        reason: "the service sent the same next-page link twice".to_owned(),
                        body_excerpt: link,
                    });
                }
                request = query.next_page(&link);
                seen_links.push(link);
            }
        }
    }
    Err(Error::Decode {
        path: what.to_owned(),
        reason: format!("more than {MAX_PAGES} pages"),
        body_excerpt: String::new(),
    })
}

/// Collects a snapshot. Never fails as a whole; see the module docs.
pub async fn snapshot(transport: &impl Transport) -> (Snapshot, Vec<CollectError>) {
    let mut snap = Snapshot::default();
    let mut errors = Vec::new();

    match transport
        .send(Request::get("WhoAmI"))
        .await
        .map_err(Error::from)
        .and_then(|r| decode_json::<wire::WhoAmI>(&r, "WhoAmI"))
    {
        Ok(who) => snap.caller = Some(who.into()),
        Err(error) => {
            // Without a session nothing else can be read; say so once instead of three times.
            let fatal = matches!(error, Error::SessionExpired { .. } | Error::Transport(_));
            errors.push(CollectError {
                part: Part::Caller,
                error,
            });
            if fatal {
                return (snap, errors);
            }
        }
    }

    match fetch_all::<wire::Organization>(transport, &organization_query(), "organizations").await {
        Ok(rows) => snap.org = rows.into_iter().next().map(OrgSettings::from),
        Err(error) => errors.push(CollectError {
            part: Part::Organization,
            error,
        }),
    }
    match fetch_all::<wire::EmailServerProfile>(transport, &profiles_query(), "emailserverprofiles")
        .await
    {
        Ok(rows) => snap.profiles = Some(rows.into_iter().map(Profile::from).collect()),
        Err(error) => errors.push(CollectError {
            part: Part::Profiles,
            error,
        }),
    }
    match fetch_all::<wire::Mailbox>(transport, &mailboxes_query(), "mailboxes").await {
        Ok(rows) => snap.mailboxes = Some(rows.into_iter().map(Mailbox::from).collect()),
        Err(error) => errors.push(CollectError {
            part: Part::Mailboxes,
            error,
        }),
    }
    (snap, errors)
}
