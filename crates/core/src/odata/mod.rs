//! OData request building and response decoding for the Dataverse Web API.

pub mod batch;
pub mod query;
pub mod response;

pub use query::{Query, escape_literal};
pub use response::{Collection, check_response, decode_collection, decode_json, decode_page};
