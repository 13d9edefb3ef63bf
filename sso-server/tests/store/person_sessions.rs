//! Browser sessions whose sid names their people (`SessionCookie`): on
//! Redis each person's sign-ins are kept in that person's hash, beside
//! their index; every store gives the same answers.

use sso_core::domain::SessionCookie;

use super::*;

/// `person`'s sign-in, created `created` (its last use too).
fn sign_in(person: UserId, created: i64, visits: &[(&str, u8)]) -> SegmentSession {
    let mut s = segment_session(visits);
    s.user.id = person;
    s.created = created;
    s.last_used = created;
    s
}

/// The index entry a sign-in starts with, as `/sso/set` writes it.
fn entry(sid: &SessionCookie, segment: &str, s: &SegmentSession) -> IndexEntry {
    IndexEntry {
        id: s.id.clone(),
        target: SessionTarget::Browser {
            sid: sid.sid().for_person(s.user.id),
            segment: seg(segment),
        },
        created: s.created,
        last_used: s.last_used,
        expires: s.expires,
        keep_me_logged_in: s.keep_me_logged_in,
        device: "Firefox on Linux".to_owned(),
    }
}

async fn a_browser_of_two_people_is_read_whole_and_by_person(store: DynStore) {
    let (a, b) = (UserId::new(), UserId::new());
    let now = unix_now();
    let cookie = SessionCookie::new(Secret::generate(), [a, b]);
    let sid = cookie.sid();
    let ann = sign_in(a, now - 60, &[("news", 0)]);
    let bob = sign_in(b, now - 30, &[]);
    let (ann_entry, bob_entry) = (entry(&cookie, "news", &ann), entry(&cookie, "sport", &bob));
    store.index_session(a, &ann_entry, &[], 0).await.unwrap();
    store.index_session(b, &bob_entry, &[], 0).await.unwrap();
    // Indexed, not yet written: no session.
    assert!(store.session(&sid).await.unwrap().is_empty());
    let mut session = BrowserSession::default();
    session.segments.insert(seg("news"), ann.clone());
    session.segments.insert(seg("sport"), bob.clone());
    store.save_session(&sid, &session, MINUTE).await.unwrap();

    assert_eq!(store.session(&sid).await.unwrap(), session);
    let anns = store.session(&sid.for_person(a)).await.unwrap();
    assert_eq!(anns.segments.keys().collect::<Vec<_>>(), vec![&seg("news")]);
    // Naming a person with another secret finds nothing of theirs.
    let forged = SessionCookie::new(Secret::generate(), [a]).sid();
    assert!(store.session(&forged).await.unwrap().is_empty());
    assert!(
        store
            .remove_segments(&forged, &[seg("news")])
            .await
            .unwrap()
            .removed
            .is_empty()
    );

    // The index lists the sign-in under its own sid, and its record reads.
    assert_eq!(
        store.user_sessions(a).await.unwrap(),
        vec![ann_entry.clone()]
    );
    let records = store.session_records(&[&ann_entry.target]).await.unwrap();
    let [SessionRecord::Browser(record)] = &records[..] else {
        panic!("{records:?}")
    };
    assert_eq!(record.segments[&seg("news")], ann);

    // Visits and touches land in the record and the index alike.
    let sport = ClientId::parse("sport").unwrap();
    store
        .record_visit(&sid.for_person(a), &seg("news"), &sport, 1)
        .await
        .unwrap();
    store
        .touch_session(a, &ann.id, &ann_entry.target, now)
        .await
        .unwrap();
    let read = store.session(&sid).await.unwrap();
    assert_eq!(read.segments[&seg("news")].visits.get(&sport), Some(&1));
    assert_eq!(read.segments[&seg("news")].last_used, now);
    assert_eq!(store.user_sessions(a).await.unwrap()[0].last_used, now);

    // Ending Ann's sign-in leaves Bob's; it returns what the back channel needs.
    let removal = store.remove_segments(&sid, &[seg("news")]).await.unwrap();
    let removed = &removal.removed.segments[&seg("news")];
    assert_eq!(
        (removed.id.clone(), removed.visits.len()),
        (ann.id.clone(), 2)
    );
    assert!(!removal.session_gone);
    store
        .touch_session(a, &ann.id, &ann_entry.target, now + 1)
        .await
        .unwrap();
    store
        .unindex_sessions(a, std::slice::from_ref(&ann.id))
        .await
        .unwrap();
    assert!(store.user_sessions(a).await.unwrap().is_empty());
    assert!(store.session(&sid.for_person(a)).await.unwrap().is_empty());
    assert_eq!(store.session(&sid).await.unwrap().segments.len(), 1);
    let removal = store.remove_segments(&sid, &[seg("sport")]).await.unwrap();
    assert!(removal.session_gone);
    assert!(store.session(&sid).await.unwrap().is_empty());
}

/// The session limit takes an entry out of the index first; its record
/// stands until the caller ends it, and its ending returns it whole (its
/// sites are told by back channel). A record written after a concurrent
/// sign-in took its entry out is written all the same, for the sign-in's
/// confirmation to end.
async fn a_sign_in_the_limit_took_out_keeps_its_record_until_ended(store: DynStore) {
    let person = UserId::new();
    let now = unix_now();
    let browsers: Vec<SessionCookie> = (0..3)
        .map(|_| SessionCookie::new(Secret::generate(), [person]))
        .collect();
    let sign_ins: Vec<SegmentSession> = (0..3)
        .map(|i| sign_in(person, now - 300 + 100 * i, &[("news", 0)]))
        .collect();
    let entries: Vec<IndexEntry> = (0..3)
        .map(|i| entry(&browsers[i], "news", &sign_ins[i]))
        .collect();
    for i in 0..2 {
        assert!(
            store
                .index_session(person, &entries[i], &[], 2)
                .await
                .unwrap()
                .is_empty()
        );
        let mut session = BrowserSession::default();
        session.segments.insert(seg("news"), sign_ins[i].clone());
        store
            .save_session(&browsers[i].sid(), &session, MINUTE)
            .await
            .unwrap();
    }
    // The third sign-in's entry takes out the least recently used.
    let evicted = store
        .index_session(person, &entries[2], &[], 2)
        .await
        .unwrap();
    assert_eq!(evicted, vec![entries[0].clone()]);
    let listed: Vec<_> = store
        .user_sessions(person)
        .await
        .unwrap()
        .iter()
        .map(IndexEntry::id)
        .collect();
    assert!(!listed.contains(&entries[0].id()) && listed.len() == 2);
    assert!(!store.session(&browsers[0].sid()).await.unwrap().is_empty());
    let SessionTarget::Browser { sid, segment } = &evicted[0].target else {
        panic!("a browser sign-in")
    };
    let removal = store
        .remove_segments(sid, std::slice::from_ref(segment))
        .await
        .unwrap();
    assert_eq!(removal.removed.segments[&seg("news")], sign_ins[0]);
    assert!(store.session(&browsers[0].sid()).await.unwrap().is_empty());

    // A fourth sign-in in the second browser's place: its entry is taken
    // out (limit 1) before its record is written.
    let late = sign_in(person, now, &[]);
    let late_entry = entry(&browsers[1], "sport", &late);
    store
        .index_session(person, &late_entry, &[], 0)
        .await
        .unwrap();
    let newer = entry(&browsers[2], "weather", &sign_in(person, now, &[]));
    let evicted = store.index_session(person, &newer, &[], 1).await.unwrap();
    assert!(evicted.iter().any(|e| e.id() == late.id));
    let mut session = BrowserSession::default();
    session.segments.insert(seg("news"), sign_ins[1].clone());
    session.segments.insert(seg("sport"), late.clone());
    store
        .save_session(&browsers[1].sid(), &session, MINUTE)
        .await
        .unwrap();
    let read = store.session(&browsers[1].sid()).await.unwrap();
    assert_eq!(read.segments[&seg("sport")], late);
    let removal = store
        .remove_segments(&browsers[1].sid(), &[seg("sport")])
        .await
        .unwrap();
    assert_eq!(removal.removed.segments[&seg("sport")], late);
}

/// Concurrent sign-ins index their entries before any of them writes its
/// record, so the index holds entries with no other field beside them: the
/// limit counts those exactly as it counts written ones (a count read off
/// the number of fields once let a fourth of a limit of three stand).
async fn entries_without_records_count_against_the_limit(store: DynStore) {
    let person = UserId::new();
    let now = unix_now();
    let entries: Vec<IndexEntry> = (0..4)
        .map(|i| {
            let browser = SessionCookie::new(Secret::generate(), [person]);
            entry(&browser, "news", &sign_in(person, now - 40 + 10 * i, &[]))
        })
        .collect();
    for e in &entries[..3] {
        assert!(
            store
                .index_session(person, e, &[], 3)
                .await
                .unwrap()
                .is_empty()
        );
    }
    let evicted = store
        .index_session(person, &entries[3], &[], 3)
        .await
        .unwrap();
    assert_eq!(
        evicted,
        vec![entries[0].clone()],
        "the least recently used goes"
    );
    assert_eq!(store.user_sessions(person).await.unwrap().len(), 3);
}

suite!(
    a_browser_of_two_people_is_read_whole_and_by_person,
    a_sign_in_the_limit_took_out_keeps_its_record_until_ended,
    entries_without_records_count_against_the_limit,
);
