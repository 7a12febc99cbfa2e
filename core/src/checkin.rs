//! The check-in kiosk's rules that need no browser: which questions are
//! asked, a birth-date picker that cannot hold an impossible date, text
//! entry limits, and what a failed identification means for the patient.

use crate::client::ClientError;
use crate::contract::{AppointmentHint, CheckInQuestions, ErrorCode, IdentifyResponse};
use crate::date::{days_in_month, Date};

/// One needs question, shown on its own screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    Interpreter,
    Mobility,
    ContactChanged,
}

/// The questions the site asks, in order; empty when none are configured.
pub fn questions(config: &CheckInQuestions) -> Vec<Question> {
    let mut asked = Vec::new();
    if !config.interpreter_languages.is_empty() {
        asked.push(Question::Interpreter);
    }
    if config.ask_mobility {
        asked.push(Question::Mobility);
    }
    if config.ask_contact_changed {
        asked.push(Question::ContactChanged);
    }
    asked
}

/// Earliest year of birth the picker offers.
pub const FIRST_BIRTH_YEAR: u16 = 1900;

/// A date of birth being chosen part by part. Whatever order the parts are
/// chosen in, the whole is either a real date or incomplete: a day that the
/// chosen month and year do not have is cleared, never kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BirthDatePicker {
    year: Option<u16>,
    month: Option<u8>,
    day: Option<u8>,
}

impl BirthDatePicker {
    pub fn year(&self) -> Option<u16> {
        self.year
    }

    pub fn month(&self) -> Option<u8> {
        self.month
    }

    pub fn day(&self) -> Option<u8> {
        self.day
    }

    /// The days the chosen month has (31 until month and year are known;
    /// 29 for February until the year is).
    pub fn days_available(&self) -> u8 {
        match (self.year, self.month) {
            (Some(year), Some(month)) => days_in_month(year, month),
            (None, Some(2)) => 29,
            (None, Some(month)) => days_in_month(2001, month),
            _ => 31,
        }
    }

    /// Years offered, newest first: `this_year` back to [`FIRST_BIRTH_YEAR`].
    pub fn years(this_year: u16) -> impl Iterator<Item = u16> {
        (FIRST_BIRTH_YEAR..=this_year.clamp(FIRST_BIRTH_YEAR, Date::MAX_YEAR)).rev()
    }

    pub fn set_year(&mut self, year: Option<u16>) {
        self.year = year.filter(|y| (FIRST_BIRTH_YEAR..=Date::MAX_YEAR).contains(y));
        self.drop_impossible_day();
    }

    pub fn set_month(&mut self, month: Option<u8>) {
        self.month = month.filter(|m| (1..=12).contains(m));
        self.drop_impossible_day();
    }

    pub fn set_day(&mut self, day: Option<u8>) {
        self.day = day.filter(|d| (1..=self.days_available()).contains(d));
    }

    fn drop_impossible_day(&mut self) {
        if self.day.is_some_and(|d| d > self.days_available()) {
            self.day = None;
        }
    }

    /// The date, once every part is chosen.
    pub fn date(&self) -> Option<Date> {
        Date::new(self.year?, self.month?, self.day?).ok()
    }
}

/// Appends what a key types, unless the text is already `max` characters.
pub fn type_key(text: &mut String, key: &str, max: usize) {
    let room = max.saturating_sub(text.chars().count());
    text.extend(key.chars().take(room));
}

/// Removes the last character typed.
pub fn backspace(text: &mut String) {
    text.pop();
}

/// Keeps at most `max` characters of text typed on a physical keyboard
/// (or pasted), dropping control characters.
pub fn clamp_typed(text: &str, max: usize) -> String {
    text.chars().filter(|c| !c.is_control()).take(max).collect()
}

/// Whether typed text can be a person's name: letters, spaces, and the
/// apostrophes, hyphens and dots names contain. The server applies the same
/// rule, so the kiosk can say at once what to fix.
pub fn is_name_text(text: &str) -> bool {
    let text = text.trim();
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphabetic() || " '-\u{2019}.".contains(c))
}

/// An appointment code as typed or printed, in the form it is stored and
/// indexed under: upper case, without spaces or hyphens, 4 to 12 letters and
/// digits. `None` when it cannot be a code.
pub fn normalise_code(code: &str) -> Option<String> {
    let code: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let ok = (4..=crate::contract::limits::APPOINTMENT_CODE_CHARS).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_alphanumeric());
    ok.then_some(code)
}

/// The appointment code in a scanned QR code: the code itself, or the last
/// part of a link or `scheme:CODE` text that ends with it. Only letters and
/// digits, 4 to 12 of them, count as a code.
pub fn code_from_qr(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let last = raw
        .rsplit(['/', '=', ':', '#', '?', '&'])
        .find(|part| !part.is_empty())?;
    let code: String = last.chars().filter(|c| *c != '-').collect();
    let ok = (4..=crate::contract::limits::APPOINTMENT_CODE_CHARS).contains(&code.chars().count())
        && code.chars().all(|c| c.is_ascii_alphanumeric());
    ok.then(|| code.to_ascii_uppercase())
}

/// What a failed identification means, for the screen that follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentifyFailure {
    /// Nothing matched: try again, or check in as a walk-in.
    NoMatch,
    /// Check-in for the appointment opens later (the server's message
    /// carries the time).
    TooEarly,
    /// The appointment's check-in time has passed.
    TooLate,
    /// Too many failed attempts: see reception.
    LockedOut,
    /// What was typed was refused as malformed.
    Invalid,
    /// The request failed (network, timeout, server): worth a retry.
    Failed(ClientError),
}

impl IdentifyFailure {
    pub fn from_error(error: ClientError) -> Self {
        match error.code() {
            Some(ErrorCode::NoMatch) => IdentifyFailure::NoMatch,
            Some(ErrorCode::TooEarly) => IdentifyFailure::TooEarly,
            Some(ErrorCode::TooLate) => IdentifyFailure::TooLate,
            Some(ErrorCode::LockedOut) => IdentifyFailure::LockedOut,
            Some(code) if code.is_invalid_input() => IdentifyFailure::Invalid,
            _ => IdentifyFailure::Failed(error),
        }
    }
}

/// Where identifying a patient leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identified {
    /// Masked hints to confirm from.
    Matches(Vec<AppointmentHint>),
    NoMatch,
    /// A refusal with its own screen (too early, too late, locked out).
    Refused(IdentifyFailure),
    /// The backend could not be reached: look in today's offline index.
    TryOffline(ClientError),
    /// A failure to show, with a way to try again.
    Error(ClientError),
}

impl Identified {
    /// From the backend's answer.
    pub fn from_answer(answer: Result<IdentifyResponse, ClientError>) -> Self {
        match answer {
            Ok(found) if found.matches.is_empty() => Identified::NoMatch,
            Ok(found) => Identified::Matches(found.matches),
            Err(error) => match IdentifyFailure::from_error(error) {
                IdentifyFailure::NoMatch | IdentifyFailure::Invalid => Identified::NoMatch,
                IdentifyFailure::Failed(error) if error.is_retryable() => {
                    Identified::TryOffline(error)
                }
                IdentifyFailure::Failed(error) => Identified::Error(error),
                refusal => Identified::Refused(refusal),
            },
        }
    }

    /// After looking in the offline index (`None`: no usable index for
    /// today), for a backend that failed with `error`.
    pub fn from_index(found: Option<Vec<AppointmentHint>>, error: ClientError) -> Self {
        match found {
            Some(hints) if hints.is_empty() => Identified::NoMatch,
            Some(hints) => Identified::Matches(hints),
            None => Identified::Error(error),
        }
    }
}

/// What follows the details (identification or a walk-in's) and each
/// needs question: the next question, or sending the check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterDetails {
    Question(usize),
    Send,
}

impl AfterDetails {
    /// After `answered` (the details themselves when `None`), with `count`
    /// questions configured.
    pub fn after(answered: Option<usize>, count: usize) -> Self {
        let next = answered.map_or(0, |i| i.saturating_add(1));
        if next < count {
            AfterDetails::Question(next)
        } else {
            AfterDetails::Send
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn questions_follow_the_config() {
        assert!(questions(&CheckInQuestions::default()).is_empty());
        let all = CheckInQuestions {
            interpreter_languages: vec!["Polski".into()],
            ask_mobility: true,
            ask_contact_changed: true,
        };
        assert_eq!(
            questions(&all),
            [
                Question::Interpreter,
                Question::Mobility,
                Question::ContactChanged
            ]
        );
        let mobility_only = CheckInQuestions {
            ask_mobility: true,
            ..CheckInQuestions::default()
        };
        assert_eq!(questions(&mobility_only), [Question::Mobility]);
    }

    #[test]
    fn the_picker_drops_a_day_the_month_does_not_have() {
        let mut picker = BirthDatePicker::default();
        picker.set_day(Some(31));
        assert_eq!(picker.day(), Some(31));
        picker.set_month(Some(4));
        assert_eq!(picker.day(), None, "April has 30 days");
        picker.set_day(Some(29));
        picker.set_month(Some(2));
        assert_eq!(picker.day(), Some(29), "29 February exists in leap years");
        picker.set_year(Some(2023));
        assert_eq!(picker.day(), None, "2023 is not a leap year");
        assert_eq!(picker.days_available(), 28);
        picker.set_day(Some(29));
        assert_eq!(picker.day(), None, "cannot be chosen either");
        picker.set_day(Some(28));
        assert_eq!(picker.date(), Some(Date::new(2023, 2, 28).unwrap()));
        picker.set_year(Some(2024));
        picker.set_day(Some(29));
        assert_eq!(picker.date(), Some(Date::new(2024, 2, 29).unwrap()));
    }

    #[test]
    fn years_run_newest_first_to_1900() {
        let years: Vec<u16> = BirthDatePicker::years(2026).collect();
        assert_eq!(years.first(), Some(&2026));
        assert_eq!(years.last(), Some(&1900));
        assert_eq!(years.len(), 127);
    }

    #[test]
    fn typing_stops_at_the_limit() {
        let mut text = String::new();
        for key in ["G", "A", "R", "C", "Í", "A"] {
            type_key(&mut text, key, 4);
        }
        assert_eq!(text, "GARC");
        backspace(&mut text);
        assert_eq!(text, "GAR");
        backspace(&mut String::new());
        assert_eq!(clamp_typed("a\u{7}b\nc", 2), "ab");
    }

    #[test]
    fn names_are_letters_and_the_marks_names_use() {
        for name in [
            "Ana",
            "O'Brien",
            "Jean-Luc",
            "María José",
            "St. John",
            "O\u{2019}Neil",
            "أميرة",
        ] {
            assert!(is_name_text(name), "{name}");
        }
        for text in [
            "",
            "   ",
            "<img src=x onerror=alert(1)>",
            "Ana1",
            "a\u{7}b",
            "R2D2",
            "x@y",
        ] {
            assert!(!is_name_text(text), "{text}");
        }
    }

    #[test]
    fn qr_codes_give_the_appointment_code() {
        assert_eq!(code_from_qr("GAR4K7").as_deref(), Some("GAR4K7"));
        assert_eq!(code_from_qr(" gar-4k7 \n").as_deref(), Some("GAR4K7"));
        assert_eq!(code_from_qr("waitwell:HAD7Q3").as_deref(), Some("HAD7Q3"));
        assert_eq!(
            code_from_qr("https://clinic.example/checkin?code=OBR2M9").as_deref(),
            Some("OBR2M9")
        );
        assert_eq!(
            code_from_qr("https://clinic.example/a/VDB3T6/").as_deref(),
            Some("VDB3T6")
        );
        for junk in [
            "",
            "abc",
            "<script>",
            "https://x.example/",
            "ABCDEFGHIJKLMN",
            "ÄÖÜ123",
        ] {
            assert_eq!(code_from_qr(junk), None, "{junk}");
        }
    }

    /// A refusal with the contract's body.
    fn rejected(status: u16, code: &str) -> ClientError {
        ClientError::from_response(
            status,
            &format!(r#"{{"code":"{code}","message":"m"}}"#),
            None,
        )
    }

    #[test]
    fn failures_are_told_apart_by_their_code() {
        assert_eq!(
            IdentifyFailure::from_error(rejected(404, "no_match")),
            IdentifyFailure::NoMatch
        );
        assert_eq!(
            IdentifyFailure::from_error(rejected(422, "too_early")),
            IdentifyFailure::TooEarly
        );
        assert_eq!(
            IdentifyFailure::from_error(rejected(422, "too_late")),
            IdentifyFailure::TooLate
        );
        assert_eq!(
            IdentifyFailure::from_error(rejected(429, "locked_out")),
            IdentifyFailure::LockedOut
        );
        assert_eq!(
            IdentifyFailure::from_error(rejected(400, "invalid_name")),
            IdentifyFailure::Invalid
        );
        assert_eq!(
            IdentifyFailure::from_error(ClientError::Timeout),
            IdentifyFailure::Failed(ClientError::Timeout)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Any sequence of choices leaves the picker with a real date or
        /// an incomplete one, never an impossible one.
        #[test]
        fn the_picker_never_holds_an_impossible_date(
            steps in proptest::collection::vec((0u8..3, 0u16..3000), 0..20)
        ) {
            let mut picker = BirthDatePicker::default();
            for (part, value) in steps {
                match part {
                    0 => picker.set_year(Some(value)),
                    1 => picker.set_month(u8::try_from(value % 16).ok()),
                    _ => picker.set_day(u8::try_from(value % 40).ok()),
                }
                if let Some(day) = picker.day() {
                    prop_assert!(day >= 1 && day <= picker.days_available());
                }
                if let (Some(y), Some(m), Some(_)) = (picker.year(), picker.month(), picker.day()) {
                    prop_assert!(picker.date().is_some(), "{y}-{m} {:?}", picker.day());
                }
            }
        }
    }

    fn hint(initials: &str) -> AppointmentHint {
        AppointmentHint {
            appointment: "ref".into(),
            initials: initials.into(),
            time: "09:00".into(),
            clinician: "Dr. Lee".into(),
            ticket: None,
            line: None,
        }
    }

    #[test]
    fn identification_leads_where_its_answer_says() {
        let found = IdentifyResponse {
            matches: vec![hint("A. G.")],
        };
        assert_eq!(
            Identified::from_answer(Ok(found)),
            Identified::Matches(vec![hint("A. G.")])
        );
        let none = IdentifyResponse { matches: vec![] };
        assert_eq!(Identified::from_answer(Ok(none)), Identified::NoMatch);
        assert_eq!(
            Identified::from_answer(Err(rejected(404, "no_match"))),
            Identified::NoMatch
        );
        assert_eq!(
            Identified::from_answer(Err(rejected(400, "invalid_name"))),
            Identified::NoMatch
        );
        assert_eq!(
            Identified::from_answer(Err(rejected(422, "too_early"))),
            Identified::Refused(IdentifyFailure::TooEarly)
        );
        assert_eq!(
            Identified::from_answer(Err(ClientError::Network)),
            Identified::TryOffline(ClientError::Network)
        );
        let odd = ClientError::Decode;
        assert_eq!(
            Identified::from_answer(Err(odd.clone())),
            Identified::Error(odd)
        );
        assert_eq!(
            Identified::from_index(Some(vec![]), ClientError::Timeout),
            Identified::NoMatch
        );
        assert_eq!(
            Identified::from_index(Some(vec![hint("M. G.")]), ClientError::Timeout),
            Identified::Matches(vec![hint("M. G.")])
        );
        assert_eq!(
            Identified::from_index(None, ClientError::Timeout),
            Identified::Error(ClientError::Timeout)
        );
    }

    proptest! {
        /// The questions are asked in order, each once, then the check-in
        /// is sent.
        #[test]
        fn the_questions_come_in_order_then_sending(count in 0usize..6) {
            let mut asked = Vec::new();
            let mut next = AfterDetails::after(None, count);
            while let AfterDetails::Question(i) = next {
                prop_assert!(asked.len() <= count);
                asked.push(i);
                next = AfterDetails::after(Some(i), count);
            }
            prop_assert_eq!(asked, (0..count).collect::<Vec<_>>());
        }
    }
}
