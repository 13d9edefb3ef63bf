//! The demo sites news, sport and shop: static pages around the SSO
//! library, and the news site's small backend that keeps accounts of its own
//! on top of SSO.

pub mod account;
pub mod backchannel;
pub mod sites;
pub mod sso_api;
