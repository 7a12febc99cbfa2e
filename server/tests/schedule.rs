//! The schedule seam: a schedule source hears of every queue change inside
//! the change's transaction (and of nothing that was refused or replayed),
//! and is asked to refresh before an identification answers "no match".

mod common;

use common::*;
use futures_util::future::BoxFuture;
use sqlx::{SqliteConnection, SqlitePool};
use std::sync::{Arc, Mutex};
use waitwell_server::error::AppError;
use waitwell_server::hub::QueueHub;
use waitwell_server::schedule::{QueueEvent, Schedule};
use waitwell_server::store::appointments;
use waitwell_server::AppState;

/// Records what it hears; on refresh, adds an appointment the first time
/// (as a source that had a new one would).
#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<QueueEvent>>,
    refreshes: Mutex<u32>,
    /// Whether each event arrived with its change visible in the
    /// transaction it was given.
    seen_in_tx: Mutex<Vec<bool>>,
}

impl Schedule for Recorder {
    fn refresh<'a>(
        &'a self,
        db: &'a SqlitePool,
        day: &'a str,
    ) -> BoxFuture<'a, Result<bool, AppError>> {
        Box::pin(async move {
            let first = {
                let mut n = self.refreshes.lock().unwrap();
                *n += 1;
                *n == 1
            };
            if first {
                sqlx::query(
                    "INSERT INTO appointments (day, starts_at, family_name, given_name, birth_date,
                        clinician, line_id, code, kiosk_ref)
                     VALUES (?, '09:10', 'Okafor', 'Ngozi', '1975-06-01', 'Dr. Lee', 'A', 'NEW123', 'ref-new')",
                )
                .bind(day)
                .execute(db)
                .await?;
            }
            Ok(first)
        })
    }

    fn record<'a>(
        &'a self,
        tx: &'a mut SqliteConnection,
        event: &'a QueueEvent,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            let stored: Option<String> =
                sqlx::query_scalar("SELECT status FROM tickets WHERE day = ? AND id = ?")
                    .bind(&event.day)
                    .bind(i64::try_from(event.ticket).unwrap())
                    .fetch_optional(&mut *tx)
                    .await?;
            self.seen_in_tx
                .lock()
                .unwrap()
                .push(stored.as_deref() == Some(event.after.as_str()));
            self.events.lock().unwrap().push(event.clone());
            Ok(())
        })
    }
}

fn with_recorder(state: &mut AppState) -> Arc<Recorder> {
    let recorder = Arc::new(Recorder::default());
    state.hub = Arc::new(QueueHub::new(recorder.clone()));
    recorder
}

#[tokio::test]
async fn the_schedule_hears_each_change_once_inside_its_transaction() {
    let mut f = fixture().await;
    let recorder = with_recorder(&mut f.state);
    let fields = appointment(&f.state, "Ana", "García", "1980-04-12", "09:05", "GAR001").await;
    let key = uuid();
    let body = format!(r#"{{"kind":"appointment",{fields}}}"#);
    for _ in 0..2 {
        // The second is a replay: no new change, nothing heard.
        let reply = kiosk_post(&f, "/api/v1/check-ins", &body, &[("idempotency-key", &key)]).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    let cookie = staff_cookie(&f).await;
    let staff = staff_get(&f, &cookie, "/api/v1/queue/staff").await.json();
    let id = staff["tickets"][0]["id"].as_u64().unwrap();
    let call = format!(r#"{{"action":"call","ticket":{id},"room":"Room 1"}}"#);
    let reply = post_json(
        &f.state,
        "/api/v1/queue/actions",
        &call,
        &[("cookie", &cookie)],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    // Refused: a called ticket cannot be called again this way.
    let reply = post_json(
        &f.state,
        "/api/v1/queue/actions",
        &call,
        &[("cookie", &cookie)],
    )
    .await;
    assert_eq!(reply.status, 409, "{}", reply.text);

    let events = recorder.events.lock().unwrap().clone();
    let states: Vec<_> = events
        .iter()
        .map(|e| (e.before, e.after, e.room.clone()))
        .collect();
    use waitwell_core::queue::TicketState::*;
    assert_eq!(
        states,
        [
            (None, Waiting, None),
            (Some(Waiting), Called, Some("Room 1".into()))
        ]
    );
    assert!(events
        .iter()
        .all(|e| e.ticket == id && e.day == f.state.today()));
    assert_eq!(*recorder.seen_in_tx.lock().unwrap(), [true, true]);
}

#[tokio::test]
async fn an_appointment_new_at_the_source_is_found_after_a_refresh() {
    let mut f = fixture().await;
    let recorder = with_recorder(&mut f.state);
    let by_name = r#"{"method":"name","family_name":"okafor","birth_date":"1975-06-01"}"#;
    let reply = kiosk_post(&f, "/api/v1/identify", by_name, &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["matches"][0]["initials"], "N. O.");
    // A source with nothing new: one more refresh, still no match.
    let unknown = r#"{"method":"name","family_name":"Nobody","birth_date":"1975-06-01"}"#;
    let reply = kiosk_post(&f, "/api/v1/identify", unknown, &[]).await;
    assert_eq!((reply.status, reply.code().as_str()), (404, "no_match"));
    assert_eq!(*recorder.refreshes.lock().unwrap(), 2);
    let mut conn = f.state.db.acquire().await.unwrap();
    let found = appointments::by_code(&mut conn, &f.state.today(), "NEW123")
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
}
