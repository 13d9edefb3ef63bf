//! Integration tests over real HTTP, each run against the in-process store
//! and against a real `redis-server` started for the test.

mod helpers;

mod app_api;
mod authorize;
mod backchannel;
mod backchannel_isolation;
mod bad_input;
mod docs;
mod failover;
mod fedcm;
mod health;
mod library;
mod logs;
mod oauth_token;
mod oidc_interop;
mod outage;
mod passkeys;
mod recovery;
mod recovery_pages;
mod refresh_tokens;
mod registration;
mod rp_logout;
mod security;
mod sessions;
mod slow_requests;
mod sso_flow;
mod storage_access;
mod userinfo;
mod verified_email;
