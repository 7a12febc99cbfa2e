//! The gate in front of every staff surface (reception, insights): a
//! person signs in with their own account (name and passphrase) to a short
//! session (an HttpOnly cookie the page never sees). Inactivity locks it:
//! at an enrolled reception desk the person's PIN opens it again; elsewhere
//! it signs out. What a staff surface's parts share is [`Desk`].

use crate::api::Adapter;
use crate::components::{error_text, PageHeading};
use crate::i18n::*;
use crate::tasks::spawn_owned;
use crate::time::now_ms;
use leptos::{ev, prelude::*};
use leptos_use::use_interval_fn;
use waitwell_core::client::ClientError;
use waitwell_core::contract::{
    DeviceStatus, ErrorCode, SessionState, SiteConfig, StaffRole, StaffSession, PIN_DIGITS,
};

/// How often a staff page asks for the tablets' health again.
const TABLETS_MILLIS: u32 = 30_000;

/// Where the staff member is.
#[derive(Debug, Clone, PartialEq)]
enum Session {
    Checking,
    SignedOut {
        reason: Option<SignOutReason>,
    },
    SignedIn(StaffSession),
    /// Idle at an enrolled desk: the person's PIN opens it.
    Locked(StaffSession),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignOutReason {
    Inactivity,
    Ended,
    ByStaff,
    /// Too many wrong PINs while locked.
    PinLockout,
}

/// Which screen a [`Session`] shows (what changes it rebuilds the page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Checking,
    SignedOut,
    SignedIn,
    Locked,
}

impl Session {
    fn stage(&self) -> Stage {
        match self {
            Session::Checking => Stage::Checking,
            Session::SignedOut { .. } => Stage::SignedOut,
            Session::SignedIn(_) => Stage::SignedIn,
            Session::Locked(_) => Stage::Locked,
        }
    }

    fn from_server(session: StaffSession) -> Session {
        match session.state {
            SessionState::Active => Session::SignedIn(session),
            SessionState::Locked => Session::Locked(session),
        }
    }
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

    /// A request was refused for want of a session: the server locked it
    /// (idle) or ended it. Asks which, and shows the PIN or the sign-in.
    pub fn session_ended(self) {
        let adapter = self.adapter.get_value();
        let session = self.session;
        leptos::task::spawn_local(async move {
            let now = match adapter.staff_session().await {
                Ok(s) if s.state == SessionState::Locked => Session::Locked(s),
                _ => Session::SignedOut {
                    reason: Some(SignOutReason::Ended),
                },
            };
            session.try_set(now);
        });
    }

    /// The signed-in person's session, while active.
    pub fn who(self) -> Option<StaffSession> {
        match self.session.get() {
            Session::SignedIn(s) => Some(s),
            _ => None,
        }
    }

    /// Whether the signed-in person is a manager.
    pub fn is_manager(self) -> bool {
        self.who().is_some_and(|s| s.role == StaffRole::Manager)
    }

    /// The clinic's tablets, asked for now and every [`TABLETS_MILLIS`]
    /// while the calling component lives; a refusal for want of a session
    /// ends it here (as the desk's live feed does at reception).
    pub fn tablets(self) -> LocalResource<Result<Vec<DeviceStatus>, ClientError>> {
        let devices = LocalResource::new(move || {
            let adapter = self.adapter.get_value();
            async move { adapter.devices().await }
        });
        use_interval_fn(move || devices.refetch(), u64::from(TABLETS_MILLIS));
        Effect::new(move |_| {
            if devices.with(|r| matches!(r, Some(Err(e)) if is_signed_out(e))) {
                self.session_ended();
            }
        });
        devices
    }

    /// Changes what the page knows of the active session (a PIN set, this
    /// browser enrolled as a desk).
    pub fn update(self, change: impl FnOnce(&mut StaffSession)) {
        self.session.update(|s| {
            if let Session::SignedIn(session) = s {
                change(session);
            }
        });
    }
}

/// Whether a failure means the staff session is gone (or locked).
pub fn is_signed_out(error: &ClientError) -> bool {
    matches!(error, ClientError::Rejected { status: 401, .. })
}

/// A staff surface: the sign-in until a session exists, then
/// `signed_in`; locked (PIN) or signed out after inactivity.
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
            Ok(s) => Session::from_server(s),
            Err(_) => Session::SignedOut { reason: None },
        };
        session.try_set(now);
    });
    // The signed-in view stays while the session merely changes (a PIN
    // set); it is rebuilt only when someone signs in, locks or unlocks.
    let stage = Memo::new(move |_| session.with(Session::stage));
    move || match stage.get() {
        Stage::Checking => ().into_any(),
        Stage::SignedIn => {
            let idle_seconds = session
                .with_untracked(|s| match s {
                    Session::SignedIn(s) => Some(s.idle_seconds),
                    _ => None,
                })
                .unwrap_or(60);
            view! {
                <InactivityLock idle_seconds=idle_seconds />
                {signed_in.run()}
            }
            .into_any()
        }
        Stage::Locked => match session.get_untracked() {
            Session::Locked(s) => view! { <Unlock session=s /> }.into_any(),
            _ => ().into_any(),
        },
        Stage::SignedOut => {
            let reason = session.with_untracked(|s| match s {
                Session::SignedOut { reason } => *reason,
                _ => None,
            });
            view! { <SignIn reason=reason /> }.into_any()
        }
    }
}

#[component]
fn SignIn(reason: Option<SignOutReason>) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let name = RwSignal::new(String::new());
    let passphrase = RwSignal::new(String::new());
    let adapter = desk.adapter.get_value();
    let sign_in = Action::new_local(move |typed: &(String, String)| {
        let (adapter, (name, passphrase)) = (adapter.clone(), typed.clone());
        async move { adapter.sign_in(&name, &passphrase).await }
    });
    let error = RwSignal::new(None::<ClientError>);
    Effect::new(move |_| match sign_in.value().get() {
        Some(Ok(session)) => desk.session.set(Session::from_server(session)),
        Some(Err(e)) => {
            passphrase.set(String::new());
            error.set(Some(e));
        }
        None => {}
    });
    let submit = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        if sign_in.pending().get_untracked()
            || name.with_untracked(|n| n.trim().is_empty())
            || passphrase.with_untracked(String::is_empty)
        {
            return;
        }
        error.set(None);
        sign_in.dispatch_local((name.get_untracked(), passphrase.get_untracked()));
    };
    let message = move || error.get().map(|e| refusal_text(i18n, &e));
    let note = move || reason.map(|r| sign_out_text(i18n, r));
    view! {
        <PageHeading>{t!(i18n, reception.sign_in_title)}</PageHeading>
        <p class="note" role="status">{note}</p>
        <form class="sign-in" on:submit=submit>
            <label for="staff-name" class="field">
                {t!(i18n, reception.account_name)}
            </label>
            <input
                id="staff-name"
                class="typed small"
                type="text"
                autocomplete="username"
                autocapitalize="words"
                spellcheck="false"
                maxlength="40"
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))
            />
            <label for="staff-passphrase" class="field">
                {t!(i18n, reception.passphrase)}
            </label>
            <input
                id="staff-passphrase"
                class="typed small"
                type="password"
                autocomplete="current-password"
                maxlength="256"
                aria-describedby="sign-in-error"
                prop:value=move || passphrase.get()
                on:input=move |ev| passphrase.set(event_target_value(&ev))
            />
            <p id="sign-in-error" class="field-rule" role="alert">
                {message}
            </p>
            <button type="submit" class="primary" disabled=move || sign_in.pending().get()>
                {t!(i18n, reception.sign_in)}
            </button>
        </form>
    }
}

/// The locked screen: the person's PIN opens it; anyone else signs in.
#[component]
fn Unlock(session: StaffSession) -> impl IntoView {
    let i18n = use_i18n();
    let desk = expect_context::<Desk>();
    let pin = RwSignal::new(String::new());
    let adapter = desk.adapter.get_value();
    let unlock = Action::new_local(move |typed: &String| {
        let (adapter, typed) = (adapter.clone(), typed.clone());
        async move { adapter.unlock(&typed).await }
    });
    let error = RwSignal::new(None::<ClientError>);
    Effect::new(move |_| match unlock.value().get() {
        Some(Ok(session)) => desk.session.set(Session::from_server(session)),
        Some(Err(e)) if e.code() == Some(ErrorCode::SessionLocked) => {
            pin.set(String::new());
            error.set(Some(e));
        }
        // Out of tries: a full sign-in, saying why.
        Some(Err(e)) if e.code() == Some(ErrorCode::LockedOut) => {
            desk.session.set(Session::SignedOut {
                reason: Some(SignOutReason::PinLockout),
            });
        }
        // The session is over for another reason (its shift, the desk
        // revoked, the account disabled).
        Some(Err(ClientError::Rejected { status: 401, .. })) => {
            desk.session.set(Session::SignedOut {
                reason: Some(SignOutReason::Ended),
            });
        }
        Some(Err(e)) => {
            pin.set(String::new());
            error.set(Some(e));
        }
        None => {}
    });
    let submit = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        if unlock.pending().get_untracked() || pin.with_untracked(String::is_empty) {
            return;
        }
        error.set(None);
        unlock.dispatch_local(pin.get_untracked());
    };
    let message = move || {
        error.get().map(|e| match e.code() {
            Some(ErrorCode::SessionLocked) => t_string!(i18n, reception.wrong_pin).to_string(),
            _ => error_text(i18n, &e),
        })
    };
    let name = session.name.clone();
    let someone_else = move |_| {
        let adapter = desk.adapter.get_value();
        desk.session.set(Session::SignedOut { reason: None });
        leptos::task::spawn_local(async move {
            let _ = adapter.sign_out().await;
        });
    };
    view! {
        <PageHeading>{t!(i18n, reception.locked_title)}</PageHeading>
        <p class="note">{move || t_string!(i18n, reception.locked_help, name = name.clone()).to_string()}</p>
        <form class="sign-in unlock" on:submit=submit>
            <label for="staff-pin" class="field">
                {t!(i18n, reception.pin)}
            </label>
            <input
                id="staff-pin"
                class="typed pin"
                type="password"
                inputmode="numeric"
                autocomplete="off"
                maxlength=PIN_DIGITS.end().to_string()
                aria-describedby="pin-error"
                prop:value=move || pin.get()
                on:input=move |ev| pin.set(event_target_value(&ev))
            />
            <p id="pin-error" class="field-rule" role="alert">
                {message}
            </p>
            <button type="submit" class="primary" disabled=move || unlock.pending().get()>
                {t!(i18n, reception.unlock)}
            </button>
        </form>
        <button type="button" class="secondary" on:click=someone_else>
            {t!(i18n, reception.someone_else)}
        </button>
    }
}

/// Why a sign-in (or another step that checks a passphrase) failed, in
/// staff's words.
pub(crate) fn refusal_text(i18n: leptos_i18n::I18nContext<Locale>, error: &ClientError) -> String {
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
            t_string!(i18n, reception.wrong_sign_in).to_string()
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
        SignOutReason::PinLockout => t_string!(i18n, reception.pin_lockout),
    }
    .to_string()
}

/// After the session's idle time without a touch or key on this screen
/// (the live feed alone does not count as activity): locks the screen where
/// the person's PIN can open it again (an enrolled desk, a PIN set), signs
/// out elsewhere. The server does the same on its own clock.
#[component]
fn InactivityLock(idle_seconds: u64) -> impl IntoView {
    let desk = expect_context::<Desk>();
    let last = StoredValue::new(now_ms());
    let touched = move || last.set_value(now_ms());
    let on_pointer = window_event_listener(ev::pointerdown, move |_| touched());
    let on_key = window_event_listener(ev::keydown, move |_| touched());
    let limit = idle_seconds as f64 * 1000.0;
    // Locking or signing out replaces this component, which ends the
    // interval.
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
            let current = desk.session.get_untracked();
            if let Session::SignedIn(session) = current {
                if session.unlock_by_pin() {
                    desk.session.set(Session::Locked(StaffSession {
                        state: SessionState::Locked,
                        ..session
                    }));
                    leptos::task::spawn_local(async move {
                        let _ = adapter.lock().await;
                    });
                    return;
                }
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
