//! Sending a queue action from reception: one at a time, with a feedback
//! line saying what happened and, where it makes sense, how to undo it.

use crate::i18n::*;
use crate::pages::staff_gate::{is_signed_out, Desk};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use waitwell_core::client::ClientError;
use waitwell_core::queue::{Action, TicketState};

/// What the last action did, and how to take it back where that makes sense.
#[derive(Debug, Clone, PartialEq)]
pub enum Feedback {
    Working,
    Done { text: String, undo: Option<Action> },
    Failed(ClientError),
}

/// Actions on the queue, shared by the rows.
#[derive(Clone, Copy)]
pub struct Actions {
    pub desk: Desk,
    pub feedback: RwSignal<Option<Feedback>>,
    pub room: RwSignal<String>,
    /// The ticket this desk called last (its code), while the server's last
    /// word on it is "called": what the recall and served keys act on.
    pub current: RwSignal<Option<String>>,
    /// A ticket's id by its code, as the desk's queue has it.
    pub ticket_id: Callback<String, Option<u64>>,
}

impl Actions {
    /// Sends `action`; `describe` words the result for the feedback line.
    pub fn run(
        self,
        action: Action,
        describe: impl Fn(I18nContext<Locale>, &str) -> String + 'static,
        undo: Option<Action>,
    ) {
        if self.feedback.get_untracked() == Some(Feedback::Working) {
            return;
        }
        self.feedback.set(Some(Feedback::Working));
        let adapter = self.desk.adapter.get_value();
        let desk = self.desk;
        let i18n = desk.i18n;
        let calls_next = matches!(action, Action::CallNext { .. });
        desk.spawn(async move {
            let result = adapter.act(&action).await;
            let mut undo = undo;
            if let Ok(reply) = &result {
                // Follows the server's reply, not the live queue, which may
                // not have caught up when the next key comes.
                if reply.status == TicketState::Called {
                    self.current.try_set(Some(reply.ticket.clone()));
                } else if self.current.get_untracked().as_deref() == Some(reply.ticket.as_str()) {
                    self.current.try_set(None);
                }
                // "Call next" by mistake: the called ticket back to the front,
                // as for a call from its row.
                if calls_next && undo.is_none() {
                    undo = self
                        .ticket_id
                        .try_run(reply.ticket.clone())
                        .flatten()
                        .map(|ticket| Action::Requeue { ticket });
                }
            }
            self.report(result.map(|r| describe(i18n, &r.ticket)), undo);
        });
    }

    /// Says on the feedback line how a request for the desk ended: `text`
    /// (with its undo), or the failure; a lost session signs out.
    pub fn report(self, result: Result<String, ClientError>, undo: Option<Action>) {
        match result {
            Ok(text) => {
                self.feedback.try_set(Some(Feedback::Done { text, undo }));
            }
            Err(e) if is_signed_out(&e) => self.desk.session_ended(),
            Err(e) => {
                self.feedback.try_set(Some(Feedback::Failed(e)));
            }
        }
    }
}
