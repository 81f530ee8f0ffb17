//! The name of a request handed out by the run.

use serde::{Deserialize, Serialize};

/// Identifies a request handed out by [`Run::poll_request`](crate::bulk::Run::poll_request), to match
/// its answer. Ids grow: a later request has a larger id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct RequestId(pub u64);

impl RequestId {
    /// The id after this one.
    #[must_use]
    pub(crate) fn next(self) -> RequestId {
        RequestId(self.0 + 1)
    }
}
