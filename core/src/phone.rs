//! A patient's phone following their ticket (`/t/{token}`): the link's
//! token, and when the phone buzzes. It buzzes once when the patient is
//! nearly up, and once for each call (again after being sent back to the
//! line and called again).

use crate::board::Standing;

/// The token of a follow link's path (`/t/{token}`, a trailing `/`
/// allowed): 32 lower-case hex digits, as the server makes them. Anything
/// else is no link, and is never sent to the server.
pub fn link_token(path: &str) -> Option<&str> {
    let token = path.strip_prefix("/t/")?;
    let token = token.strip_suffix('/').unwrap_or(token);
    (token.len() == 32
        && token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
    .then_some(token)
}

/// "Nearly up": this many people ahead of the patient, or fewer.
pub const NEAR_AHEAD: u32 = 3;

/// Something worth a buzz.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nudge {
    /// [`NEAR_AHEAD`] or fewer ahead.
    Near,
    /// Called to this room.
    Called { room: String },
}

/// What the phone has buzzed about so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Nudges {
    near: bool,
    called: bool,
}

impl Nudges {
    /// The buzz `standing` is worth, if it is news; remembers it.
    pub fn after(&mut self, standing: &Standing) -> Option<Nudge> {
        match standing {
            Standing::Called { room } => {
                let news = !self.called;
                self.called = true;
                self.near = true;
                news.then(|| Nudge::Called { room: room.clone() })
            }
            Standing::Waiting { position, .. } => {
                // Back in the line after a call: the next call is news.
                self.called = false;
                let near = position.saturating_sub(1) <= NEAR_AHEAD;
                let news = near && !self.near;
                self.near |= near;
                news.then_some(Nudge::Near)
            }
            Standing::Unknown => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wait::WaitRange;
    use proptest::prelude::*;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn a_link_token_is_32_lower_case_hex_digits_after_t() {
        assert_eq!(link_token(&format!("/t/{TOKEN}")), Some(TOKEN));
        assert_eq!(link_token(&format!("/t/{TOKEN}/")), Some(TOKEN));
        for path in [
            String::new(),
            "/t/".to_owned(),
            format!("/t/{}", &TOKEN[1..]),
            format!("/t/{TOKEN}0"),
            format!("/t/{}", TOKEN.to_uppercase()),
            format!("/t/{TOKEN}/x"),
            format!("/t/x/{TOKEN}"),
            format!("/board/t/{TOKEN}"),
            format!("/t/{}g", &TOKEN[1..]),
        ] {
            assert_eq!(link_token(&path), None, "{path}");
        }
    }

    proptest! {
        #[test]
        fn every_token_the_server_makes_is_taken(token in "[0-9a-f]{32}") {
            let path = format!("/t/{token}");
            prop_assert_eq!(link_token(&path), Some(token.as_str()));
        }

        #[test]
        fn a_token_with_anything_else_in_it_is_no_link(
            before in "[0-9a-f]{0,31}",
            odd in "[^0-9a-f/]",
            after in "[0-9a-f]{0,31}",
        ) {
            let path = format!("/t/{before}{odd}{after}");
            prop_assert_eq!(link_token(&path), None);
        }
    }

    fn waiting(position: u32) -> Standing {
        Standing::Waiting {
            position,
            wait: WaitRange {
                low_minutes: 5,
                high_minutes: 10,
            },
            promised_by: None,
        }
    }

    fn called(room: &str) -> Standing {
        Standing::Called { room: room.into() }
    }

    #[test]
    fn buzzes_once_when_three_are_ahead_and_once_when_called() {
        let mut nudges = Nudges::default();
        let seen: Vec<_> = [
            waiting(9),
            waiting(5),
            waiting(4),
            waiting(3),
            waiting(1),
            called("Room 2"),
            called("Room 2"),
        ]
        .iter()
        .map(|s| nudges.after(s))
        .collect();
        assert_eq!(
            seen,
            [
                None,
                None,
                Some(Nudge::Near),
                None,
                None,
                Some(Nudge::Called {
                    room: "Room 2".into()
                }),
                None
            ]
        );
    }

    #[test]
    fn opened_late_or_called_again_it_still_says_so() {
        // Opened when already second: nearly up at once.
        let mut nudges = Nudges::default();
        assert_eq!(nudges.after(&waiting(2)), Some(Nudge::Near));
        // Called straight away, without a near first.
        let mut nudges = Nudges::default();
        assert!(matches!(
            nudges.after(&called("Room 1")),
            Some(Nudge::Called { .. })
        ));
        // Sent back to the line, then called again: a second buzz, and no
        // second "nearly up".
        assert_eq!(nudges.after(&waiting(1)), None);
        assert_eq!(
            nudges.after(&called("Room 3")),
            Some(Nudge::Called {
                room: "Room 3".into()
            })
        );
        // Nothing known (an older snapshot, a finished ticket): no buzz.
        assert_eq!(nudges.after(&Standing::Unknown), None);
    }
}
