//! Exit surveys, alerts for reception, insights and the CSV export.

mod common;

use common::*;
use jiff::SignedDuration;

async fn put_survey(f: &Fixture, id: &str, body: &str) -> Reply {
    send(
        &f.state,
        axum::http::Request::put(format!("/api/v1/surveys/{id}"))
            .header("content-type", "application/json")
            .header("cookie", &f.kiosk)
            .body(axum::body::Body::from(body.to_owned()))
            .unwrap(),
    )
    .await
}

async fn count(f: &Fixture, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&f.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn one_tap_is_a_response_and_follow_ups_update_it() {
    let f = fixture().await;
    let id = uuid();
    assert_eq!(put_survey(&f, &id, r#"{"rating":4}"#).await.status, 204);
    assert_eq!(count(&f, "SELECT COUNT(*) FROM survey_responses").await, 1);
    // The same response, retried and then completed: still one row.
    assert_eq!(put_survey(&f, &id, r#"{"rating":4}"#).await.status, 204);
    let full = r#"{"rating":4,"recommend":9,"better":["waiting_time"],"went_well":["staff_kindness","cleanliness","staff_kindness"],"comment":"Very kind <b>staff</b>","thanks":"kim"}"#;
    assert_eq!(put_survey(&f, &id, full).await.status, 204);
    assert_eq!(count(&f, "SELECT COUNT(*) FROM survey_responses").await, 1);
    let (comment, went_well): (String, String) =
        sqlx::query_as("SELECT comment, went_well FROM survey_responses")
            .fetch_one(&f.state.db)
            .await
            .unwrap();
    assert_eq!(
        comment, "Very kind <b>staff</b>",
        "markup is stored as text"
    );
    assert_eq!(went_well, r#"["staff_kindness","cleanliness"]"#);

    let cookie = staff_cookie(&f).await;
    let alerts = staff_get(&f, &cookie, "/api/v1/alerts").await.json();
    assert_eq!(alerts[0]["kind"], "thanks");
    assert_eq!(alerts[0]["staff_name"], "Nurse Kim");
}

#[tokio::test]
async fn a_low_rating_asking_to_talk_raises_an_alert_staff_can_acknowledge() {
    let f = fixture().await;
    let id = uuid();
    put_survey(&f, &id, r#"{"rating":1}"#).await;
    assert_eq!(
        put_survey(
            &f,
            &id,
            r#"{"rating":1,"talk_to_someone":true,"first_name":"Sam"}"#
        )
        .await
        .status,
        204
    );
    // Asked twice (a retry): one alert. (The kiosk's keyboard types
    // capitals; reception reads the name as people write it.)
    put_survey(
        &f,
        &id,
        r#"{"rating":1,"talk_to_someone":true,"first_name":"SAM"}"#,
    )
    .await;
    let cookie = staff_cookie(&f).await;
    let alerts = staff_get(&f, &cookie, "/api/v1/alerts").await.json();
    assert_eq!(alerts.as_array().unwrap().len(), 1);
    assert_eq!(alerts[0]["kind"], "talk_to_me");
    assert_eq!(alerts[0]["rating"], 1);
    assert_eq!(alerts[0]["first_name"], "Sam");
    assert!(alerts[0]["acknowledged_at"].is_null());

    f.clock.advance(SignedDuration::from_mins(4));
    let alert_id = alerts[0]["id"].as_i64().unwrap();
    let ack = post_json(
        &f.state,
        &format!("/api/v1/alerts/{alert_id}/ack"),
        "",
        &[("cookie", &cookie)],
    )
    .await;
    assert_eq!(ack.status, 204);
    let alerts = staff_get(&f, &cookie, "/api/v1/alerts").await.json();
    assert_eq!(alerts[0]["acknowledged_at"], "2026-03-10T09:04:00Z");
    let missing = post_json(
        &f.state,
        "/api/v1/alerts/999/ack",
        "",
        &[("cookie", &cookie)],
    )
    .await;
    assert_eq!(
        (missing.status, missing.code().as_str()),
        (404, "unknown_alert")
    );
    assert_eq!(
        post_json(&f.state, &format!("/api/v1/alerts/{alert_id}/ack"), "", &[])
            .await
            .status,
        401
    );

    // A happy patient cannot raise a "talk to me" alert.
    put_survey(&f, &uuid(), r#"{"rating":4,"talk_to_someone":true}"#).await;
    assert_eq!(
        count(&f, "SELECT COUNT(*) FROM alerts WHERE kind = 'talk_to_me'").await,
        1
    );
}

#[tokio::test]
async fn bad_survey_input_is_refused() {
    let f = fixture().await;
    let long = format!(r#"{{"rating":2,"comment":"{}"}}"#, "x".repeat(501));
    let cases = [
        (r#"{"rating":0}"#.to_owned(), "invalid_rating"),
        (r#"{"rating":5}"#.to_owned(), "invalid_rating"),
        (r#"{"rating":-1}"#.to_owned(), "invalid_body"),
        (
            r#"{"rating":3,"recommend":11}"#.to_owned(),
            "invalid_recommend",
        ),
        (
            r#"{"rating":3,"better":["parking"]}"#.to_owned(),
            "invalid_body",
        ),
        (long, "invalid_comment"),
        (
            r#"{"rating":3,"comment":"bell\u0007"}"#.to_owned(),
            "invalid_comment",
        ),
        (
            r#"{"rating":3,"thanks":"nobody"}"#.to_owned(),
            "invalid_thanks",
        ),
        (
            r#"{"rating":3,"first_name":"  "}"#.to_owned(),
            "invalid_first_name",
        ),
        (r#"{"rating":3,"patient_id":7}"#.to_owned(), "invalid_body"),
    ];
    for (body, code) in cases {
        let reply = put_survey(&f, &uuid(), &body).await;
        assert_eq!((reply.status, reply.code().as_str()), (400, code), "{body}");
    }
    let reply = put_survey(&f, "not-a-uuid", r#"{"rating":3}"#).await;
    assert_eq!(reply.code(), "invalid_id");
    assert_eq!(count(&f, "SELECT COUNT(*) FROM survey_responses").await, 0);
    // A multi-line comment is fine.
    assert_eq!(
        put_survey(
            &f,
            &uuid(),
            r#"{"rating":3,"comment":"line one\nline two"}"#
        )
        .await
        .status,
        204
    );
}

#[tokio::test]
async fn insights_match_hand_computed_figures() {
    let f = fixture().await;
    let cookie = staff_cookie(&f).await;
    // Empty period: no NaN, no error.
    let empty = staff_get(&f, &cookie, "/api/v1/insights").await;
    assert_eq!(empty.status, 200, "{}", empty.text);
    let json = empty.json();
    assert_eq!(json["responses"], 0);
    assert!(
        json["happy_index"].is_null()
            && json["nps"].is_null()
            && json["p90_wait_minutes"].is_null()
    );

    for body in [
        r#"{"rating":4,"recommend":10,"went_well":["staff_kindness"],"thanks":"lee","comment":"Lovely"}"#,
        r#"{"rating":3,"recommend":9,"went_well":["staff_kindness","cleanliness"],"thanks":"lee"}"#,
        r#"{"rating":2,"recommend":7,"better":["waiting_time"],"comment":"Too slow"}"#,
        r#"{"rating":1,"recommend":2,"better":["waiting_time","kept_informed"],"talk_to_someone":true}"#,
        r#"{"rating":4}"#,
    ] {
        assert_eq!(put_survey(&f, &uuid(), body).await.status, 204);
        f.clock.advance(SignedDuration::from_mins(30));
    }
    let cookie = staff_cookie(&f).await;
    let json = staff_get(
        &f,
        &cookie,
        "/api/v1/insights?from=2026-03-10&to=2026-03-10",
    )
    .await
    .json();
    assert_eq!(json["responses"], 5);
    assert_eq!(json["happy_index"], 0.6); // 4, 3, 4 of 5
    assert_eq!(json["nps"], 25); // scores 10, 9, 7, 2: (2 - 1) / 4
    assert_eq!(
        json["better"][0],
        serde_json::json!({"theme": "waiting_time", "count": 2})
    );
    assert_eq!(
        json["went_well"][0],
        serde_json::json!({"theme": "staff_kindness", "count": 2})
    );
    assert_eq!(
        json["thanks"][0],
        serde_json::json!({"staff": "Dr. Lee", "count": 2})
    );
    assert_eq!(json["comments"][0]["text"], "Too slow", "newest first");
    assert_eq!(json["alerts_raised"], 1);
    assert_eq!(json["daily"][0]["responses"], 5);
    let hours: Vec<_> = json["by_hour"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["label"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(hours, ["09", "10", "11"]);

    let searched = staff_get(&f, &cookie, "/api/v1/insights?q=LOVE")
        .await
        .json();
    assert_eq!(searched["comments"].as_array().unwrap().len(), 1);

    for bad in [
        "?from=2026-03-11&to=2026-03-10",
        "?from=2020-01-01&to=2026-03-10",
        "?from=yesterday",
    ] {
        let reply = staff_get(&f, &cookie, &format!("/api/v1/insights{bad}")).await;
        assert_eq!(
            (reply.status, reply.code().as_str()),
            (400, "invalid_period"),
            "{bad}"
        );
    }
    assert_eq!(get(&f.state, "/api/v1/insights").await.status, 401);
}

#[tokio::test]
async fn the_csv_export_has_every_response_and_no_names() {
    let f = fixture().await;
    put_survey(
        &f,
        &uuid(),
        r#"{"rating":1,"talk_to_someone":true,"first_name":"Sam","comment":"=cmd|' /C calc'!A0"}"#,
    )
    .await;
    put_survey(
        &f,
        &uuid(),
        r#"{"rating":4,"thanks":"patel","comment":"Said \"thanks\", twice"}"#,
    )
    .await;
    let cookie = staff_cookie(&f).await;
    let reply = staff_get(&f, &cookie, "/api/v1/insights/responses.csv").await;
    assert_eq!(reply.status, 200);
    assert!(reply.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(reply.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let lines: Vec<_> = reply.text.lines().collect();
    assert_eq!(lines.len(), 3, "{}", reply.text);
    assert!(lines[0].starts_with("time,day,rating"));
    assert!(
        lines[1].contains("\"'=cmd|' /C calc'!A0\""),
        "formula defused: {}",
        lines[1]
    );
    assert!(lines[2].contains("\"Said \"\"thanks\"\", twice\""));
    assert!(lines[2].contains("Dr. Patel"));
    assert!(
        !reply.text.contains("Sam"),
        "first names stay out of exports"
    );
}
