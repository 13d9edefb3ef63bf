//! Mailed tickets and passkey ceremonies (taken once, by kind, expiring)
//! and changes to a user (applied to the record as it is, never losing a
//! concurrent change).

use std::time::Duration;

use futures::future::join_all;
use sso_core::domain::{Ceremony, CeremonyKind, Secret, Ticket, TicketKind};
use sso_core::store::{DynStore, UserChange};
use sso_test_support::Backend;

use super::user;

async fn tickets_are_taken_once_and_only_as_their_kind(store: DynStore) {
    let someone = user("ticket@example.com");
    let ticket = Ticket {
        user: someone.id,
        email_normalized: someone.email_normalized.clone(),
        expires: sso_core::clock::unix_now() + 60,
    };
    let hash = Secret::generate().hash();
    let ttl = Duration::from_secs(60);
    store
        .put_ticket(TicketKind::PasswordReset, &hash, &ticket, ttl)
        .await
        .unwrap();
    let other_kind = store
        .take_ticket(TicketKind::EmailVerification, &hash)
        .await;
    assert_eq!(
        other_kind.unwrap(),
        None,
        "a reset ticket is no verification"
    );
    let takes = join_all((0..8).map(|_| store.take_ticket(TicketKind::PasswordReset, &hash))).await;
    let won: Vec<_> = takes.into_iter().filter_map(|t| t.unwrap()).collect();
    assert_eq!(won, vec![ticket], "exactly one take gets it");
}

async fn tickets_expire(store: DynStore) {
    let someone = user("late@example.com");
    let ticket = Ticket {
        user: someone.id,
        email_normalized: someone.email_normalized,
        expires: sso_core::clock::unix_now() + 1,
    };
    let hash = Secret::generate().hash();
    let kind = TicketKind::EmailVerification;
    store
        .put_ticket(kind, &hash, &ticket, Duration::from_millis(200))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(store.take_ticket(kind, &hash).await.unwrap(), None);
}

async fn ceremonies_are_taken_once_and_expire(store: DynStore) {
    let someone = user("ceremony@example.com");
    let ceremony = Ceremony {
        kind: CeremonyKind::Register(someone.id),
        state: r#"{"rs":"opaque"}"#.to_owned(),
    };
    let hash = Secret::generate().hash();
    let ttl = Duration::from_secs(60);
    store.put_ceremony(&hash, &ceremony, ttl).await.unwrap();
    let takes = join_all((0..8).map(|_| store.take_ceremony(&hash))).await;
    let won: Vec<_> = takes.into_iter().filter_map(|t| t.unwrap()).collect();
    assert_eq!(won, vec![ceremony.clone()], "exactly one take gets it");

    let late = Secret::generate().hash();
    let short = Duration::from_millis(200);
    store.put_ceremony(&late, &ceremony, short).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(store.take_ceremony(&late).await.unwrap(), None);
    // A ticket's hash finds no ceremony, and a ceremony's no ticket.
    store.put_ceremony(&hash, &ceremony, ttl).await.unwrap();
    let as_ticket = store.take_ticket(TicketKind::PasswordReset, &hash).await;
    assert_eq!(as_ticket.unwrap(), None);
}

async fn user_changes_keep_each_other(store: DynStore) {
    let someone = user("change@example.com");
    store.insert_user(&someone).await.unwrap();
    // Concurrent changes of the same record: every one of them lands.
    let verify = UserChange::VerifyEmail {
        email_normalized: someone.email_normalized.clone(),
    };
    let password = UserChange::SetPassword {
        hash: "$argon2id$v=19$m=19456,t=2,p=1$new$hash".to_owned(),
    };
    let changes = [verify.clone(), password.clone(), verify, password];
    for changed in join_all(changes.map(|c| store.update_user(someone.id, c))).await {
        assert!(changed.unwrap().is_some());
    }
    let now = store.user(someone.id).await.unwrap().unwrap();
    assert!(now.email_verified);
    assert_eq!(now.password_hash, "$argon2id$v=19$m=19456,t=2,p=1$new$hash");
    assert_eq!(now.email, someone.email, "the rest stays");

    // A verification for an address the account does not have does nothing.
    let other = user("other@example.com");
    store.insert_user(&other).await.unwrap();
    let wrong = UserChange::VerifyEmail {
        email_normalized: "someone-else@example.com".to_owned(),
    };
    let after = store.update_user(other.id, wrong).await.unwrap().unwrap();
    assert!(!after.email_verified);
    let nobody = user("nobody@example.com");
    let missing = store.update_user(nobody.id, UserChange::SetPassword { hash: "x".into() });
    assert_eq!(missing.await.unwrap(), None);
}

/// Defect: a person's record took at most eight compare-and-swap rounds,
/// so more concurrent changes than that (one person signing in with a
/// passkey in many tabs) failed with a store error. Every change lands.
async fn many_concurrent_changes_of_one_person_all_land(store: DynStore) {
    let someone = user("busy@example.com");
    store.insert_user(&someone).await.unwrap();
    let changes = (0..24).map(|i| UserChange::SetPassword {
        hash: format!("$argon2id$v=19$m=19456,t=2,p=1$salt{i}$hash"),
    });
    for changed in join_all(changes.map(|c| store.update_user(someone.id, c))).await {
        assert!(changed.unwrap().is_some());
    }
}

suite!(
    many_concurrent_changes_of_one_person_all_land,
    tickets_are_taken_once_and_only_as_their_kind,
    tickets_expire,
    ceremonies_are_taken_once_and_expire,
    user_changes_keep_each_other,
);

/// Two instances changing one person at once: only the other instance's
/// changes can make a swap fail, and every change still lands.
#[tokio::test]
async fn two_instances_changing_one_person_both_land_every_change() {
    use sso_core::store::{RedisStore, Store, UserStore};
    let server = sso_test_support::RedisServer::start();
    let a = RedisStore::open(&server.url()).await.unwrap();
    let b = RedisStore::open(&server.url()).await.unwrap();
    let someone = user("two-instances@example.com");
    a.insert_user(&someone).await.unwrap();
    let change = |i: usize| UserChange::SetPassword {
        hash: format!("$argon2id$v=19$m=19456,t=2,p=1$salt{i}$hash"),
    };
    let stores: [&dyn Store; 2] = [&a, &b];
    let changes = (0..24).map(|i| stores[i % 2].update_user(someone.id, change(i)));
    for changed in join_all(changes).await {
        assert!(changed.unwrap().is_some());
    }
}
