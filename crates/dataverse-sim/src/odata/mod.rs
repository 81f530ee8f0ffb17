//! OData query language pieces: `$filter` and `$orderby`.

pub(crate) mod filter;
pub(crate) mod orderby;
