//! Importing a day's schedule (staff only), as JSON and as CSV.

mod common;

use common::*;

async fn staff_cookie(f: &Fixture) -> String {
    let reply = post_json(&f.state, "/api/v1/staff/session", SIGN_IN, &[]).await;
    reply.headers["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

async fn import(f: &Fixture, cookie: &str, content_type: &str, body: &str) -> Reply {
    send(
        &f.state,
        axum::http::Request::post("/api/v1/appointments/import")
            .header("content-type", content_type)
            .header("cookie", cookie)
            .header("idempotency-key", uuid())
            .body(axum::body::Body::from(body.to_owned()))
            .unwrap(),
    )
    .await
}

async fn count(f: &Fixture) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM appointments")
        .fetch_one(&f.state.db)
        .await
        .unwrap()
}

const JSON: &str = r#"{"appointments":[
  {"starts_at":"09:10","family_name":"García López","given_name":"María","birth_date":"1980-04-12","clinician":"Dr. Lee","line":"A","code":"gar4k7"},
  {"starts_at":"09:20","family_name":"O'Brien","given_name":"Sean","birth_date":"1975-09-30","clinician":"Dr. Patel","line":"A"}
]}"#;

#[tokio::test]
async fn import_needs_staff() {
    let f = fixture().await;
    let reply = import(&f, "", "application/json", JSON).await;
    assert_eq!(reply.status, 401);
    assert_eq!(count(&f).await, 0);
}

#[tokio::test]
async fn a_json_import_makes_patients_identifiable() {
    let f = fixture().await;
    let cookie = staff_cookie(&f).await;
    let reply = import(&f, &cookie, "application/json", JSON).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.json(),
        serde_json::json!({"day": "2026-03-10", "added": 2, "updated": 0})
    );

    let by_code = kiosk_post(
        &f,
        "/api/v1/identify",
        r#"{"method":"code","code":"GAR4K7"}"#,
        &[],
    )
    .await;
    assert_eq!(by_code.json()["matches"][0]["initials"], "M. G.");
    let by_name = kiosk_post(
        &f,
        "/api/v1/identify",
        r#"{"method":"name","family_name":"o brien","birth_date":"1975-09-30"}"#,
        &[],
    )
    .await;
    assert_eq!(by_name.json()["matches"][0]["time"], "09:20");

    // Importing again updates by code rather than duplicating.
    let again = import(
        &f,
        &cookie,
        "application/json",
        &JSON.replace("09:10", "09:15"),
    )
    .await;
    assert_eq!(again.json()["updated"], 1);
    assert_eq!(
        again.json()["added"],
        1,
        "the code-less row gets a new code each time"
    );
    let time: String =
        sqlx::query_scalar("SELECT starts_at FROM appointments WHERE code = 'GAR4K7'")
            .fetch_one(&f.state.db)
            .await
            .unwrap();
    assert_eq!(time, "09:15");
}

#[tokio::test]
async fn a_csv_import_works_and_a_broken_row_changes_nothing() {
    let f = fixture().await;
    let cookie = staff_cookie(&f).await;
    let csv = "starts_at,family_name,given_name,birth_date,clinician,line,code,external_id\n\
               09:30,Haddad,Amira,1992-01-05,Dr. Lee,A,HAD7Q3,x-1\n\
               09:45,Müller,Lukas,2001-06-17,Nurse Kim,W,,x-2\n";
    let reply = import(&f, &cookie, "text/csv; charset=utf-8", csv).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["added"], 2);

    let broken = format!("{csv}10:00,Smith,Jo,1990-02-30,Dr. Lee,A,,\n");
    let reply = import(&f, &cookie, "text/csv", &broken.replace("HAD7Q3", "HAD9Z9")).await;
    assert_eq!((reply.status, reply.code().as_str()), (400, "invalid_csv"));
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("row 4"),
        "{}",
        reply.text
    );
    assert_eq!(count(&f).await, 2);
}

#[tokio::test]
async fn invalid_appointments_are_refused_whole() {
    let f = fixture().await;
    let cookie = staff_cookie(&f).await;
    let good = r#"{"starts_at":"09:10","family_name":"Lee","given_name":"Jo","birth_date":"1980-01-01","clinician":"Dr. Lee","line":"A","code":"LEE123"}"#;
    let cases = [
        (good.replace("09:10", "9:10"), "invalid_appointment"),
        (good.replace("09:10", "25:00"), "invalid_appointment"),
        (
            good.replace("\"Lee\",\"given", "\"\",\"given"),
            "invalid_appointment",
        ),
        (
            good.replace("\"line\":\"A\"", "\"line\":\"Q\""),
            "invalid_appointment",
        ),
        (good.replace("LEE123", "<b>x</b>"), "invalid_appointment"),
        (good.replace("1980-01-01", "1980-13-01"), "invalid_body"),
        (
            good.replace("\"code\"", "\"colour\":\"red\",\"code\""),
            "invalid_body",
        ),
    ];
    for (bad, code) in cases {
        let body =
            format!(r#"{{"appointments":[{good},{bad}]}}"#).replace("LEE123\"}]", "LEE124\"}]");
        let reply = import(&f, &cookie, "application/json", &body).await;
        assert_eq!(
            (reply.status, reply.code().as_str()),
            (400, code),
            "{bad}: {}",
            reply.text
        );
    }
    let dup = format!(r#"{{"appointments":[{good},{good}]}}"#);
    let reply = import(&f, &cookie, "application/json", &dup).await;
    assert_eq!(reply.code(), "invalid_appointment");
    assert_eq!(count(&f).await, 0);

    let reply = import(&f, &cookie, "text/plain", good).await;
    assert_eq!(reply.status, 415);
}
