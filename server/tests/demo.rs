//! `--demo`: every start leaves demo patients who can check in now, and
//! never touches anyone else's appointment.

mod common;

use common::*;
use jiff::SignedDuration;
use waitwell_server::demo;

async fn seed(f: &Fixture) -> Vec<demo::DemoPatient> {
    demo::seed(&f.state.db, &f.state.settings, &f.state.local_now())
        .await
        .unwrap()
}

/// (starts_at, kiosk_ref) of today's appointment with `code`.
async fn stored(f: &Fixture, code: &str) -> Option<(String, String)> {
    sqlx::query_as("SELECT starts_at, kiosk_ref FROM appointments WHERE day = ? AND code = ?")
        .bind(f.state.today())
        .bind(code)
        .fetch_optional(&f.state.db)
        .await
        .unwrap()
}

async fn appointments_today(f: &Fixture) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM appointments WHERE day = ?")
        .bind(f.state.today())
        .fetch_one(&f.state.db)
        .await
        .unwrap()
}

async fn identify_garcia(f: &Fixture) -> u16 {
    let body = r#"{"method":"name","family_name":"García López","birth_date":"1980-04-12"}"#;
    kiosk_post(f, "/api/v1/identify", body, &[]).await.status
}

#[tokio::test]
async fn a_second_start_the_same_day_has_people_to_check_in_now() {
    let f = fixture().await;
    let first = seed(&f).await;
    assert_eq!(first[0].family_name, "García López");
    assert_eq!(first[0].time, "09:10");
    let count = appointments_today(&f).await;
    assert_eq!(identify_garcia(&f).await, 200);

    // Four hours later García's 09:10 is long past its window.
    f.clock.advance(SignedDuration::from_hours(4));
    assert_eq!(identify_garcia(&f).await, 422);
    let again = seed(&f).await;
    assert_eq!(again[0].family_name, "García López");
    assert_eq!(again[0].time, "13:10");
    assert_eq!(stored(&f, "GAR4K7").await.unwrap().0, "13:10");
    // Moved, not doubled.
    assert_eq!(appointments_today(&f).await, count);
    assert_eq!(identify_garcia(&f).await, 200);
}

#[tokio::test]
async fn someone_checked_in_stays_as_they_are_and_the_next_is_printed() {
    let f = fixture().await;
    seed(&f).await;
    let (time, _) = stored(&f, "GAR4K7").await.unwrap();
    let body = format!(
        r#"{{"kind":"appointment",{}}}"#,
        identity_fields("GAR4K7", &time, "Dr. Lee")
    );
    let checked_in = kiosk_post(
        &f,
        "/api/v1/check-ins",
        &body,
        &[("idempotency-key", &uuid())],
    )
    .await;
    assert_eq!(checked_in.status, 201, "{}", checked_in.text);

    f.clock.advance(SignedDuration::from_hours(1));
    let again = seed(&f).await;
    assert!(again.iter().all(|p| p.code != "GAR4K7"));
    assert_eq!(again[0].family_name, "O'Brien");
    assert_eq!(stored(&f, "GAR4K7").await.unwrap().0, "09:10");
}

#[tokio::test]
async fn real_appointments_are_never_touched() {
    let f = fixture().await;
    // A real patient whose letter happens to carry a demo code.
    appointment(&f.state, "Ruth", "Okoye", "1950-02-02", "11:30", "GAR4K7").await;
    let ready = seed(&f).await;
    assert!(ready.iter().all(|p| p.code != "GAR4K7"));
    let (time, kiosk_ref) = stored(&f, "GAR4K7").await.unwrap();
    assert_eq!((time.as_str(), kiosk_ref.as_str()), ("11:30", "ref-GAR4K7"));
    let name: String =
        sqlx::query_scalar("SELECT family_name FROM appointments WHERE code = 'GAR4K7'")
            .fetch_one(&f.state.db)
            .await
            .unwrap();
    assert_eq!(name, "Okoye");
}

#[tokio::test]
async fn a_later_day_with_the_same_database_gets_its_own() {
    let f = fixture().await;
    seed(&f).await;
    let yesterday = f.state.today();
    f.clock.advance(SignedDuration::from_hours(24));
    let ready = seed(&f).await;
    assert_ne!(f.state.today(), yesterday);
    assert_eq!(ready[0].time, "09:10");
    assert_eq!(identify_garcia(&f).await, 200);
}

#[tokio::test]
async fn the_demo_account_is_made_once_and_its_published_passphrase_is_caught() {
    let f = fixture().await;
    let now = f.state.now().as_second();
    assert!(!demo::published_staff_account(&f.state.db).await.unwrap());
    let made = demo::ensure_staff(&f.state.db, now).await.unwrap();
    assert_eq!(made, Some((demo::STAFF_NAME, demo::STAFF_PASSPHRASE)));
    // A second start keeps the same account.
    assert_eq!(demo::ensure_staff(&f.state.db, now).await.unwrap(), made);
    let signed_in = post_json(
        &f.state,
        "/api/v1/staff/session",
        &serde_json::json!({"name": demo::STAFF_NAME, "passphrase": demo::STAFF_PASSPHRASE})
            .to_string(),
        &[],
    )
    .await;
    assert_eq!(signed_in.status, 200);
    // Started for real, that database would hold a published credential:
    // the server refuses until it is disabled or reset.
    assert!(demo::published_staff_account(&f.state.db).await.unwrap());
    waitwell_server::accounts::reset(&f.state.db, demo::STAFF_NAME, now)
        .await
        .unwrap();
    assert!(!demo::published_staff_account(&f.state.db).await.unwrap());
    assert_eq!(
        demo::ensure_staff(&f.state.db, now).await.unwrap(),
        None,
        "not printed once changed"
    );
}
