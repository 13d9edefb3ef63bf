//! `GET /fedcm/accounts`: who is signed in in this browser. The browser
//! sends the SSO cookie and tells us nothing about the site asking, so the
//! answer lists every person signed in under the cookie (one per user,
//! however many segments), each with the sites that may use one of their
//! segments as `approved_clients` (the browser offers "Continue as"
//! without a sign-up notice, and may sign the person in silently) and as
//! `domain_hints`: the library asks with its client id as `domainHint`, so
//! the browser offers a site only the people whose segments it may use
//! (shop's chooser never offers a person signed in only in the news family).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::super::cookie;
use super::{clients_of, error, from_fedcm, json_answer};
use crate::state::AppState;
use sso_core::clock::unix_now;
use sso_core::domain::{ClientId, Profile, Segment};

#[derive(Serialize)]
struct Accounts<'a> {
    accounts: Vec<Account<'a>>,
}

#[derive(Serialize)]
struct Account<'a> {
    id: String,
    name: &'a str,
    email: &'a str,
    approved_clients: Vec<&'a ClientId>,
    domain_hints: Vec<&'a ClientId>,
}

#[utoipa::path(
    get, path = "/fedcm/accounts", tag = "fedcm",
    description = "FedCM's accounts endpoint: who is signed in under the SSO cookie, one account per person, with the sites that may use their segments as `approved_clients`. Only for the browser's FedCM (`Sec-Fetch-Dest: webidentity`).",
    params(crate::routes::openapi::forms::FedCmAccountsHeaders),
    security(("sso_cookie" = []), ()),
    responses(
        (status = 200, description = "`{\"accounts\":[{\"id\",\"name\",\"email\",\"approved_clients\",\"domain_hints\"}]}` (both lists: the clients that may use one of the person's segments), empty without a session", body = Object),
        (status = 400, description = "`{\"error\":{\"code\":\"invalid_argument\"}, …}`: not a FedCM request", body = Object),
        (status = 503, description = "`{\"error\":{\"code\":\"store_unavailable\"}, …}`", body = Object, headers(("Retry-After" = u64, description = "seconds"))),
    ),
)]
pub async fn accounts(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    if let Err(err) = from_fedcm(&req) {
        return error(&err, None);
    }
    let Some(secret) = cookie::read(&req, &state.settings) else {
        return json_answer(&Accounts { accounts: vec![] });
    };
    let session = match state.store.session(&secret.sid()).await {
        Ok(session) => session.without_expired(unix_now()),
        Err(err) => return error(&err.into(), None),
    };
    // One account per person, with the segments they are signed in to.
    let mut people: Vec<(&Profile, Vec<&Segment>)> = Vec::new();
    for (segment, found) in &session.segments {
        match people.iter_mut().find(|(user, _)| user.id == found.user.id) {
            Some((_, segments)) => segments.push(segment),
            None => people.push((&found.user, vec![segment])),
        }
    }
    let accounts = people
        .iter()
        .map(|(user, segments)| {
            let clients = clients_of(&state, segments);
            Account {
                id: user.id.to_string(),
                name: &user.display_name,
                email: &user.email,
                domain_hints: clients.clone(),
                approved_clients: clients,
            }
        })
        .collect();
    json_answer(&Accounts { accounts })
}
