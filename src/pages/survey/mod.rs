//! `/survey` on the exit tablet: one tap rates the visit (and is sent at
//! once); optional follow-ups, one per screen, each skippable; after a low
//! rating, an offer to talk to someone, which alerts reception. Anonymous
//! unless the patient chooses to give a first name. Which step comes next
//! is `waitwell_core::survey`'s decision; each step here is a view.

mod done;
mod follow_ups;
mod rate;

use crate::api::provide_in_flight;
use crate::components::{IdleGuard, PatientSession, WithSite};
use crate::i18n::*;
use crate::offline::{use_sync, OutboxSync, StoreError};
use leptos::prelude::*;
use waitwell_core::contract::{SiteConfig, SurveyResponse};
use waitwell_core::outbox::Write;
use waitwell_core::survey::{SurveyPlan, SurveyStep};

/// Saves each new state of the response in the kiosk's outbox, which
/// delivers it (the whole response, under its id) whenever it can. Saving
/// is not tied to the screen: the patient walking away must not lose what
/// they already answered.
#[derive(Clone, Copy)]
pub(super) struct Sender {
    sync: Option<OutboxSync>,
    /// The last save could not be stored on this kiosk.
    pub status: RwSignal<Option<StoreError>>,
}

impl Sender {
    fn send(self, id: String, response: SurveyResponse) {
        let status = self.status;
        let sync = self.sync;
        let key = crate::tasks::new_idempotency_key();
        leptos::task::spawn_local(async move {
            let result = match (sync, key) {
                (Some(sync), Some(key)) => sync
                    .enqueue(key, Write::Survey { id, response })
                    .await
                    .map(|_| ()),
                _ => Err(StoreError::Unavailable),
            };
            status.try_set(result.err());
        });
    }
}

#[component]
pub fn SurveyPage() -> impl IntoView {
    let i18n = use_i18n();
    provide_in_flight();
    view! {
        <section class="surface survey-kiosk" data-surface="survey">
            <WithSite
                title=Signal::derive(move || t_string!(i18n, survey.title).to_string())
                ready=|_, site| view! { <SurveyKiosk site=site /> }.into_any()
                see_reception=true
            />
        </section>
    }
}

#[component]
fn SurveyKiosk(site: SiteConfig) -> impl IntoView {
    let idle = site.idle;
    let sender = Sender {
        sync: use_sync(),
        status: RwSignal::new(None),
    };
    let site = StoredValue::new(site);
    let session = PatientSession::start();
    // When the last response began (ms), for the cool-down between two.
    let last_response = StoredValue::new(None::<f64>);
    view! {
        <IdleGuard timings=idle active=session.active on_reset=session.restart />
        {move || {
            session.patient.track();
            view! {
                <SurveyFlow
                    site=site
                    sender=sender
                    in_flow=session.in_flow
                    restart=session.restart
                    last_response=last_response
                />
            }
        }}
    }
}

/// One response under way, shared by its steps.
#[derive(Clone, Copy)]
struct Survey {
    site: StoredValue<SiteConfig>,
    sender: Sender,
    step: RwSignal<SurveyStep>,
    /// The response's id, made at the first tap.
    id: StoredValue<Option<String>>,
    response: RwSignal<Option<SurveyResponse>>,
    plan: StoredValue<SurveyPlan>,
    restart: Callback<()>,
}

impl Survey {
    /// Whether `step` is the one on screen (a second tap on an old step
    /// does nothing).
    fn at(self, step: SurveyStep) -> bool {
        self.step.get_untracked() == step
    }

    /// Moves on from `from` to the step the plan says comes next.
    fn next(self, from: SurveyStep) {
        if self.at(from) {
            self.step.set(self.plan.with_value(|p| p.after(from)));
        }
    }

    /// Changes the response and saves it as it stands now.
    fn update(self, change: impl FnOnce(&mut SurveyResponse)) {
        self.response.update(|r| {
            if let Some(r) = r.as_mut() {
                change(r);
            }
        });
        if let (Some(id), Some(r)) = (self.id.get_value(), self.response.get_untracked()) {
            self.sender.send(id, r);
        }
    }

    /// Starts a response with `rating` under a new id.
    fn start(self, rating: u8) -> bool {
        let Some(new_id) = crate::tasks::new_idempotency_key() else {
            return false;
        };
        self.id.set_value(Some(new_id));
        self.response.set(Some(SurveyResponse {
            rating,
            recommend: None,
            better: Vec::new(),
            went_well: Vec::new(),
            comment: None,
            thanks: None,
            talk_to_someone: false,
            first_name: None,
        }));
        self.plan.set_value(
            self.site
                .with_value(|s| SurveyPlan::for_rating(&s.survey, rating)),
        );
        self.update(|_| {});
        self.next(SurveyStep::Rate);
        true
    }
}

#[component]
fn SurveyFlow(
    site: StoredValue<SiteConfig>,
    sender: Sender,
    in_flow: RwSignal<bool>,
    restart: Callback<()>,
    last_response: StoredValue<Option<f64>>,
) -> impl IntoView {
    let survey = Survey {
        site,
        sender,
        step: RwSignal::new(SurveyStep::Rate),
        id: StoredValue::new(None),
        response: RwSignal::new(None),
        plan: StoredValue::new(SurveyPlan::default()),
        restart,
    };
    provide_context(survey);
    Effect::new(move |_| in_flow.set(survey.step.get() != SurveyStep::Rate));
    move || {
        let body = match survey.step.get() {
            SurveyStep::Rate => view! { <rate::RateStep last_response=last_response /> }.into_any(),
            SurveyStep::TalkToSomeone => view! { <follow_ups::TalkStep /> }.into_any(),
            SurveyStep::FirstName => view! { <follow_ups::FirstNameStep /> }.into_any(),
            SurveyStep::Recommend => view! { <follow_ups::RecommendStep /> }.into_any(),
            SurveyStep::Themes => view! { <follow_ups::ThemesStep /> }.into_any(),
            SurveyStep::Comment => view! { <follow_ups::CommentStep /> }.into_any(),
            SurveyStep::Thanks => view! { <follow_ups::ThanksStep /> }.into_any(),
            SurveyStep::Done => view! { <done::Done /> }.into_any(),
        };
        view! { <div class="step">{body}</div> }
    }
}

/// "Skip": on to the next planned step.
#[component]
fn Skip(from: SurveyStep) -> impl IntoView {
    let i18n = use_i18n();
    let survey = expect_context::<Survey>();
    view! {
        <button type="button" on:click=move |_| survey.next(from)>
            {t!(i18n, survey.skip)}
        </button>
    }
}
