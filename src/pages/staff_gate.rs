//! The gate in front of every staff surface (reception, insights): a PIN
//! opens a short session (an HttpOnly cookie the page never sees), and
//! inactivity signs out. What a staff surface's parts share is [`Desk`].

use crate::api::Adapter;
use crate::components::{error_text, PageHeading};
use crate::i18n::*;
use crate::tasks::spawn_owned;
use crate::time::now_ms;
use leptos::{ev, prelude::*};
use leptos_use::use_interval_fn;
use waitwell_core::client::ClientError;
use waitwell_core::contract::{ErrorCode, SiteConfig};

/// Where the staff member is.
#[derive(Debug, Clone, PartialEq)]
enum Session {
    Checking,
    SignedOut { reason: Option<SignOutReason> },
    SignedIn { idle_seconds: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignOutReason {
    Inactivity,
    Ended,
    ByStaff,
}

/// What the desk's parts share.
#[derive(Clone, Copy)]
pub struct Desk {
    pub adapter: StoredValue<Adapter>,
    pub site: StoredValue<SiteConfig>,
    session: RwSignal<Session>,
    owner: StoredValue<Option<Owner>>,
    pub i18n: leptos_i18n::I18nContext<Locale>,
}

impl Desk {
    /// Runs a request for the desk; it ends with the reception page.
    pub fn spawn(self, task: impl std::future::Future<Output = ()> + 'static) {
        spawn_owned(self.owner.get_value().as_ref(), task);
    }

    /// The session ended on the server (expired or signed out elsewhere).
    pub fn session_ended(self) {
        self.session.set(Session::SignedOut {
            reason: Some(SignOutReason::Ended),
        });
    }
}

/// Whether a failure means the staff session is gone.
pub fn is_signed_out(error: &ClientError) -> bool {
    matches!(error, ClientError::Rejected { status: 401, .. })
}

/// A staff surface: the PIN sign-in until a session exists, then
/// `signed_in`, with sign-out after inactivity.
#[component]
pub fn StaffGate(
    adapter: Adapter,
    site: SiteConfig,
    #[prop(into)] signed_in: ViewFn,
) -> impl IntoView {
    let session = RwSignal::new(Session::Checking);
    let desk = Desk {
        adapter: StoredValue::new(adapter.clone()),
        site: StoredValue::new(site),
        session,
        owner: StoredValue::new(Owner::current()),
        i18n: use_i18n(),
    };
    provide_context(desk);
    leptos::task::spawn_local_scoped_with_cancellation(async move {
        let now = match adapter.staff_session().await {
            Ok(s) => Session::SignedIn {
                idle_seconds: s.idle_seconds,
            },
            Err(_) => Session::SignedOut { reason: None },
        };
        session.try_set(now);
    });
    move || match session.get() {
        Session::Checking => ().into_any(),
        Session::SignedOut { reason } => view! { <SignIn reason=reason /> }.into_any(),
        Session::SignedIn { idle_seconds } => view! {
            <InactivitySignOut idle_seconds=idle_seconds />
            {signed_in.run()}
        }
        .into_any(),
    }
}

#[component]
fn SignIn(reason: Option<SignOutReason>) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let pin = RwSignal::new(String::new());
    let adapter = desk.adapter.get_value();
    let sign_in = Action::new_local(move |typed: &String| {
        let (adapter, typed) = (adapter.clone(), typed.clone());
        async move { adapter.sign_in(&typed).await }
    });
    let error = RwSignal::new(None::<ClientError>);
    Effect::new(move |_| match sign_in.value().get() {
        Some(Ok(session)) => desk.session.set(Session::SignedIn {
            idle_seconds: session.idle_seconds,
        }),
        Some(Err(e)) => {
            pin.set(String::new());
            error.set(Some(e));
        }
        None => {}
    });
    let submit = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        if sign_in.pending().get_untracked() || pin.with_untracked(String::is_empty) {
            return;
        }
        error.set(None);
        sign_in.dispatch_local(pin.get_untracked());
    };
    let message = move || error.get().map(|e| refusal_text(i18n, &e));
    let note = move || reason.map(|r| sign_out_text(i18n, r));
    view! {
        <PageHeading>{t!(i18n, reception.sign_in_title)}</PageHeading>
        <p class="note" role="status">{note}</p>
        <form class="sign-in" on:submit=submit>
            <label for="staff-pin" class="field">
                {t!(i18n, reception.pin)}
            </label>
            <input
                id="staff-pin"
                class="typed pin"
                type="password"
                inputmode="numeric"
                autocomplete="off"
                maxlength="12"
                aria-describedby="pin-error"
                prop:value=move || pin.get()
                on:input=move |ev| pin.set(event_target_value(&ev))
            />
            <p id="pin-error" class="field-rule" role="alert">
                {message}
            </p>
            <button type="submit" class="primary" disabled=move || sign_in.pending().get()>
                {t!(i18n, reception.sign_in)}
            </button>
        </form>
    }
}

/// Why a sign-in failed, in staff's words.
fn refusal_text(i18n: leptos_i18n::I18nContext<Locale>, error: &ClientError) -> String {
    match error {
        ClientError::Rejected {
            code,
            retry_after_seconds,
            ..
        } if *code == ErrorCode::LockedOut => {
            let minutes = retry_after_seconds.unwrap_or(60).div_ceil(60);
            t_string!(i18n, reception.locked_out, minutes = minutes).to_string()
        }
        ClientError::Rejected { status: 401, .. } => {
            t_string!(i18n, reception.wrong_pin).to_string()
        }
        other => error_text(i18n, other),
    }
}

/// Why the last session ended.
fn sign_out_text(i18n: leptos_i18n::I18nContext<Locale>, reason: SignOutReason) -> String {
    match reason {
        SignOutReason::Inactivity => t_string!(i18n, reception.signed_out_idle),
        SignOutReason::Ended => t_string!(i18n, reception.session_ended),
        SignOutReason::ByStaff => t_string!(i18n, reception.signed_out),
    }
    .to_string()
}

/// Signs the staff member out after the session's idle time without a touch
/// or key on this screen (the live feed alone does not count as activity).
#[component]
fn InactivitySignOut(idle_seconds: u64) -> impl IntoView {
    let desk = expect_context::<Desk>();
    let last = StoredValue::new(now_ms());
    let touched = move || last.set_value(now_ms());
    let on_pointer = window_event_listener(ev::pointerdown, move |_| touched());
    let on_key = window_event_listener(ev::keydown, move |_| touched());
    let limit = idle_seconds as f64 * 1000.0;
    // Signing out replaces this component, which ends the interval.
    use_interval_fn(
        move || {
            // A tick that comes after this screen is gone does nothing.
            let (Some(last), Some(adapter)) = (last.try_get_value(), desk.adapter.try_get_value())
            else {
                return;
            };
            if now_ms() - last < limit {
                return;
            }
            desk.session.set(Session::SignedOut {
                reason: Some(SignOutReason::Inactivity),
            });
            leptos::task::spawn_local(async move {
                let _ = adapter.sign_out().await;
            });
        },
        1_000,
    );
    on_cleanup(move || {
        on_pointer.remove();
        on_key.remove();
    });
}

/// Signs out now.
pub fn sign_out(desk: Desk) {
    let adapter = desk.adapter.get_value();
    desk.session.set(Session::SignedOut {
        reason: Some(SignOutReason::ByStaff),
    });
    leptos::task::spawn_local(async move {
        let _ = adapter.sign_out().await;
    });
}
