//! The demo clinic `make run` starts with: today's appointments around the
//! current time, so a person can try a check-in at once.

use crate::error::AppError;
use crate::{settings::Settings, store::random_token};
use jiff::{civil, Zoned};
use sqlx::SqlitePool;

/// A demo patient to print at start-up (made-up people).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPatient {
    pub family_name: &'static str,
    pub birth_date: &'static str,
    pub code: &'static str,
    pub time: String,
}

/// (given, family, birth date, code, minutes from now, clinician, line)
const PEOPLE: &[(&str, &str, &str, &str, i64, &str, char)] = &[
    (
        "María",
        "García López",
        "1980-04-12",
        "GAR4K7",
        10,
        "Dr. Lee",
        'A',
    ),
    (
        "Sean",
        "O'Brien",
        "1975-09-30",
        "OBR2M9",
        20,
        "Dr. Patel",
        'A',
    ),
    ("Amira", "Haddad", "1992-01-05", "HAD7Q3", 5, "Dr. Lee", 'A'),
    (
        "Amira",
        "Haddad",
        "1992-01-05",
        "HAD8R4",
        25,
        "Nurse Kim",
        'A',
    ),
    (
        "Jan",
        "van der Berg",
        "1968-11-21",
        "VDB3T6",
        15,
        "Dr. Patel",
        'A',
    ),
    (
        "Lukas",
        "Müller",
        "2001-06-17",
        "MUL5W2",
        180,
        "Dr. Lee",
        'A',
    ),
];

/// Adds the demo appointments for today unless today already has some.
/// Returns the people to print (empty when nothing was added).
pub async fn seed(
    db: &SqlitePool,
    settings: &Settings,
    now: &Zoned,
) -> Result<Vec<DemoPatient>, AppError> {
    let day = now.date().to_string();
    let existing = sqlx::query_scalar!("SELECT COUNT(*) FROM appointments WHERE day = ?", day)
        .fetch_one(db)
        .await?;
    if existing > 0 {
        return Ok(Vec::new());
    }
    let mut added = Vec::new();
    let mut tx = db.begin().await?;
    for &(given, family, birth, code, minutes, clinician, line) in PEOPLE {
        if !settings.site.lines.iter().any(|l| l.id.letter() == line) {
            continue;
        }
        let time = start_time(now, minutes);
        let kiosk_ref = random_token(16).map_err(|e| AppError::Corrupt(e.to_string()))?;
        let line = line.to_string();
        sqlx::query!(
            "INSERT INTO appointments (day, starts_at, family_name, given_name, birth_date,
                clinician, line_id, code, kiosk_ref)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            day,
            time,
            family,
            given,
            birth,
            clinician,
            line,
            code,
            kiosk_ref
        )
        .execute(&mut *tx)
        .await?;
        added.push(DemoPatient {
            family_name: family,
            birth_date: birth,
            code,
            time,
        });
    }
    tx.commit().await?;
    Ok(added)
}

/// `HH:MM`, `minutes` from now rounded to 5 minutes, kept within today.
fn start_time(now: &Zoned, minutes: i64) -> String {
    let start = now
        .datetime()
        .saturating_add(jiff::SignedDuration::from_mins(minutes));
    let time = if start.date() == now.date() {
        start.time()
    } else {
        civil::time(23, 55, 0, 0)
    };
    let rounded = (time.minute() / 5) * 5;
    format!("{:02}:{:02}", time.hour(), rounded)
}
