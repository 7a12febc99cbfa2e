//! Calendar dates as the contract carries them (`YYYY-MM-DD`), validated:
//! an impossible date (31 April, 29 February 2023) is an error, not a panic.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// A valid Gregorian calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// Why a date was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("a date is written YYYY-MM-DD")]
    Format,
    #[error("that day does not exist")]
    NoSuchDay,
}

impl Date {
    /// Years accepted: wide enough for any living patient and any schedule.
    pub const MIN_YEAR: u16 = 1880;
    pub const MAX_YEAR: u16 = 2200;

    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, DateError> {
        if !(Self::MIN_YEAR..=Self::MAX_YEAR).contains(&year)
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
        {
            return Err(DateError::NoSuchDay);
        }
        Ok(Date { year, month, day })
    }

    pub fn year(self) -> u16 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    /// The day after; `None` past [`Date::MAX_YEAR`].
    pub fn next(self) -> Option<Date> {
        if self.day < days_in_month(self.year, self.month) {
            Some(Date {
                day: self.day + 1,
                ..self
            })
        } else if self.month < 12 {
            Some(Date {
                month: self.month + 1,
                day: 1,
                ..self
            })
        } else {
            Date::new(self.year + 1, 1, 1).ok()
        }
    }

    /// Every day from `self` to `last`, both included (none if `last` is
    /// earlier).
    pub fn through(self, last: Date) -> impl Iterator<Item = Date> {
        std::iter::successors(Some(self), |d| d.next()).take_while(move |d| *d <= last)
    }
}

/// Days in `month` (1–12) of `year`; 0 for a month that does not exist.
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

pub fn is_leap_year(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if b.len() != 10
            || b[4] != b'-'
            || b[7] != b'-'
            || !digits(0..4)
            || !digits(5..7)
            || !digits(8..10)
        {
            return Err(DateError::Format);
        }
        let number =
            |r: std::ops::Range<usize>| b[r].iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
        let month = u8::try_from(number(5..7)).map_err(|_| DateError::NoSuchDay)?;
        let day = u8::try_from(number(8..10)).map_err(|_| DateError::NoSuchDay)?;
        Date::new(number(0..4), month, day)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl TryFrom<String> for Date {
    type Error = DateError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Date> for String {
    fn from(d: Date) -> Self {
        d.to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_next_day_crosses_months_and_years() {
        let next = |y, m, d| Date::new(y, m, d).unwrap().next().unwrap().to_string();
        assert_eq!(next(2026, 2, 28), "2026-03-01");
        assert_eq!(next(2028, 2, 28), "2028-02-29");
        assert_eq!(next(2026, 12, 31), "2027-01-01");
        assert_eq!(next(2026, 4, 30), "2026-05-01");
        assert_eq!(Date::new(Date::MAX_YEAR, 12, 31).unwrap().next(), None);
        let from = Date::new(2026, 12, 30).unwrap();
        let days: Vec<String> = from
            .through(Date::new(2027, 1, 2).unwrap())
            .map(|d| d.to_string())
            .collect();
        assert_eq!(
            days,
            ["2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"]
        );
        assert_eq!(from.through(Date::new(2026, 1, 1).unwrap()).count(), 0);
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn real_dates_parse_and_print_back() {
        for s in [
            "1950-01-31",
            "2000-02-29",
            "2024-02-29",
            "1999-12-31",
            "2026-11-26",
        ] {
            assert_eq!(s.parse::<Date>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn impossible_dates_are_refused() {
        for s in [
            "2023-02-29",
            "1900-02-29",
            "2026-04-31",
            "2026-13-01",
            "2026-00-10",
            "2026-01-00",
            "1700-01-01",
        ] {
            assert_eq!(s.parse::<Date>(), Err(DateError::NoSuchDay), "{s}");
        }
        for s in [
            "",
            "2026-1-01",
            "26-01-01",
            "2026/01/01",
            "2026-01-01T00",
            "２０２６-01-01",
            "+026-01-01",
        ] {
            assert_eq!(s.parse::<Date>(), Err(DateError::Format), "{s}");
        }
    }

    #[test]
    fn serde_uses_the_text_form_and_validates() {
        let d: Date = serde_json::from_str("\"1980-07-04\"").unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"1980-07-04\"");
        assert!(serde_json::from_str::<Date>("\"1980-02-30\"").is_err());
    }

    proptest! {
        #[test]
        fn every_constructed_date_round_trips(y in 1880u16..=2200, m in 1u8..=12, d in 1u8..=31) {
            match Date::new(y, m, d) {
                Ok(date) => prop_assert_eq!(date.to_string().parse::<Date>(), Ok(date)),
                Err(_) => prop_assert!(d > days_in_month(y, m)),
            }
        }

        #[test]
        fn parsing_arbitrary_text_never_panics(s in ".{0,14}") {
            let _ = s.parse::<Date>();
        }
    }
}

#[cfg(feature = "openapi")]
mod schema {
    use super::Date;
    use utoipa::openapi::{
        schema::SchemaType, KnownFormat, ObjectBuilder, RefOr, Schema, SchemaFormat, Type,
    };

    impl utoipa::PartialSchema for Date {
        fn schema() -> RefOr<Schema> {
            ObjectBuilder::new()
                .schema_type(SchemaType::new(Type::String))
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
                .examples([serde_json::json!("1980-04-12")])
                .into()
        }
    }

    impl utoipa::ToSchema for Date {}
}
