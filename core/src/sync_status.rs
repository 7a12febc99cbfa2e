//! What the sync status in every surface's app bar says: all sent, sending
//! N, offline since a time, N need attention, or storage failed. Counts and
//! a time only, never what the entries are.

/// The status shown, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SyncShown {
    /// The device cannot store new entries.
    StorageFailed,
    /// Entries the server refused, waiting for staff.
    Attention(usize),
    /// The backend cannot be reached since `since` (ms); `waiting` entries
    /// are kept until it can.
    Offline {
        since: f64,
        waiting: usize,
    },
    Sending(usize),
    AllSent,
}

impl SyncShown {
    /// The most urgent thing to say about the outbox.
    pub fn of(
        storage_failed: bool,
        parked: usize,
        offline_since: Option<f64>,
        backlog: usize,
    ) -> SyncShown {
        if storage_failed {
            SyncShown::StorageFailed
        } else if parked > 0 {
            SyncShown::Attention(parked)
        } else if let Some(since) = offline_since {
            SyncShown::Offline {
                since,
                waiting: backlog,
            }
        } else if backlog > 0 {
            SyncShown::Sending(backlog)
        } else {
            SyncShown::AllSent
        }
    }

    /// Its kind, for styling: `attention`, `offline`, `sending` or `sent`.
    pub fn kind(self) -> &'static str {
        match self {
            SyncShown::StorageFailed | SyncShown::Attention(_) => "attention",
            SyncShown::Offline { .. } => "offline",
            SyncShown::Sending(_) => "sending",
            SyncShown::AllSent => "sent",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_urgent_state_wins() {
        assert_eq!(
            SyncShown::of(true, 3, Some(1.0), 4),
            SyncShown::StorageFailed
        );
        assert_eq!(
            SyncShown::of(false, 3, Some(1.0), 4),
            SyncShown::Attention(3)
        );
        assert_eq!(
            SyncShown::of(false, 0, Some(1.0), 4),
            SyncShown::Offline {
                since: 1.0,
                waiting: 4
            }
        );
        assert_eq!(SyncShown::of(false, 0, None, 4), SyncShown::Sending(4));
        assert_eq!(SyncShown::of(false, 0, None, 0), SyncShown::AllSent);
        assert_eq!(SyncShown::StorageFailed.kind(), "attention");
        assert_eq!(SyncShown::AllSent.kind(), "sent");
    }
}
