//! The exit survey's steps: after the one-tap rating, which follow-ups a
//! site asks, in which order, and where each leads. The page shows one
//! step at a time; every decision about which comes next is made here.

use crate::contract::SurveyConfig;

/// A rating at or below this is unhappy: the patient is offered someone
/// to talk to, and reception is alerted if they accept.
pub const LOW_RATING: u8 = 2;

/// One screen of the survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SurveyStep {
    /// The faces; every response starts here.
    Rate,
    /// After a low rating: would they like someone to come and talk?
    TalkToSomeone,
    /// Only after saying yes to talking: an optional first name.
    FirstName,
    Recommend,
    Themes,
    Comment,
    Thanks,
    /// The thank-you screen, then back to the faces.
    Done,
}

/// The follow-ups one response will go through, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SurveyPlan {
    steps: Vec<SurveyStep>,
}

impl SurveyPlan {
    /// The follow-ups `config` asks after `rating`.
    pub fn for_rating(config: &SurveyConfig, rating: u8) -> Self {
        let wanted = [
            (SurveyStep::TalkToSomeone, rating <= LOW_RATING),
            (SurveyStep::Recommend, config.ask_recommend),
            (SurveyStep::Themes, config.ask_themes),
            (SurveyStep::Comment, config.ask_comment),
            (SurveyStep::Thanks, !config.staff.is_empty()),
        ];
        SurveyPlan {
            steps: wanted
                .into_iter()
                .filter_map(|(step, asked)| asked.then_some(step))
                .collect(),
        }
    }

    /// The planned follow-ups, in order.
    pub fn steps(&self) -> &[SurveyStep] {
        &self.steps
    }

    /// Where moving on (or skipping) from `from` leads. The first name
    /// belongs to "talk to someone": after it comes what follows that.
    pub fn after(&self, from: SurveyStep) -> SurveyStep {
        let next = match from {
            SurveyStep::Rate => self.steps.first().copied(),
            SurveyStep::Done => Some(SurveyStep::Done),
            SurveyStep::FirstName => self.following(SurveyStep::TalkToSomeone),
            current => self.following(current),
        };
        next.unwrap_or(SurveyStep::Done)
    }

    /// Where saying yes to "talk to someone" leads.
    pub fn after_yes_to_talk(&self) -> SurveyStep {
        SurveyStep::FirstName
    }

    fn following(&self, step: SurveyStep) -> Option<SurveyStep> {
        let i = self.steps.iter().position(|s| *s == step)?;
        self.steps.get(i + 1).copied()
    }
}

/// Whole seconds left of the cool-down between two responses on one
/// device, `last_ms` being when the last one began.
pub fn cooldown_left(last_ms: Option<f64>, cooldown_seconds: u32, now_ms: f64) -> u32 {
    let Some(last) = last_ms.filter(|t| t.is_finite()) else {
        return 0;
    };
    let left = ((last + f64::from(cooldown_seconds) * 1000.0 - now_ms) / 1000.0).ceil();
    if left.is_finite() && left > 0.0 {
        // At most the cool-down itself, whatever the clock did.
        (left as u32).min(cooldown_seconds)
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::StaffMember;
    use proptest::prelude::*;
    use SurveyStep::*;

    fn config(recommend: bool, themes: bool, comment: bool, staff: bool) -> SurveyConfig {
        SurveyConfig {
            ask_recommend: recommend,
            ask_themes: themes,
            ask_comment: comment,
            staff: if staff {
                vec![StaffMember {
                    id: "lee".into(),
                    name: "Dr. Lee".into(),
                }]
            } else {
                vec![]
            },
            cooldown_seconds: 10,
        }
    }

    #[test]
    fn a_low_rating_is_offered_someone_to_talk_to_first() {
        let all = config(true, true, true, true);
        let low = SurveyPlan::for_rating(&all, 2);
        assert_eq!(
            low.steps(),
            [TalkToSomeone, Recommend, Themes, Comment, Thanks]
        );
        assert_eq!(low.after(Rate), TalkToSomeone);
        assert_eq!(low.after_yes_to_talk(), FirstName);
        assert_eq!(low.after(FirstName), Recommend);
        assert_eq!(low.after(TalkToSomeone), Recommend);
        assert_eq!(low.after(Thanks), Done);
        let happy = SurveyPlan::for_rating(&all, 3);
        assert_eq!(happy.steps(), [Recommend, Themes, Comment, Thanks]);
    }

    #[test]
    fn a_site_that_asks_nothing_goes_straight_to_thanks() {
        let none = SurveyPlan::for_rating(&config(false, false, false, false), 4);
        assert!(none.steps().is_empty());
        assert_eq!(none.after(Rate), Done);
        assert_eq!(none.after(Done), Done);
    }

    #[test]
    fn the_cool_down_counts_down_whole_seconds() {
        assert_eq!(cooldown_left(None, 10, 5_000.0), 0);
        assert_eq!(cooldown_left(Some(1_000.0), 10, 1_000.0), 10);
        assert_eq!(cooldown_left(Some(1_000.0), 10, 1_001.0), 10);
        assert_eq!(cooldown_left(Some(1_000.0), 10, 10_001.0), 1);
        assert_eq!(cooldown_left(Some(1_000.0), 10, 11_000.0), 0);
        // A clock that jumped back does not lengthen it.
        assert_eq!(cooldown_left(Some(1_000_000.0), 10, 0.0), 10);
        assert_eq!(cooldown_left(Some(f64::NAN), 10, 0.0), 0);
    }

    proptest! {
        /// Whatever the site asks and the rating, walking on from the faces
        /// visits each planned step once, in order, and ends at Done.
        #[test]
        fn every_walk_ends_and_visits_the_plan(
            recommend: bool, themes: bool, comment: bool, staff: bool,
            rating in 1u8..=4, talk: bool,
        ) {
            let plan = SurveyPlan::for_rating(&config(recommend, themes, comment, staff), rating);
            prop_assert_eq!(plan.steps().contains(&TalkToSomeone), rating <= LOW_RATING);
            prop_assert!(!plan.steps().iter().any(|s| matches!(s, Rate | FirstName | Done)));
            let mut seen = Vec::new();
            let mut step = plan.after(Rate);
            while step != Done {
                prop_assert!(seen.len() < 8, "no end: {:?}", seen);
                seen.push(step);
                step = if step == TalkToSomeone && talk {
                    plan.after_yes_to_talk()
                } else {
                    plan.after(step)
                };
            }
            let without_name: Vec<_> = seen.iter().copied().filter(|s| *s != FirstName).collect();
            prop_assert_eq!(without_name.as_slice(), plan.steps());
        }
    }
}
