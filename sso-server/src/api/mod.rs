//! The application API's parts: its status catalog and envelope, and who
//! is calling (an application or a user session) with which role tokens.
//! The actions themselves are in `routes/api.rs`.

mod caller;
mod status;

pub use caller::{Caller, roles_of};
pub use status::{ApiFailure, ApiStatus, EnvelopeHeader, ok};
