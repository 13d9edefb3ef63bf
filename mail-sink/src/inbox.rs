//! What the sink received, newest last, and a way to wait for a mail.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

/// The sink keeps this many mails; older ones make room.
const KEEP: usize = 1000;

/// One received message, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// The envelope sender (`MAIL FROM`).
    pub from: String,
    /// The envelope recipients (`RCPT TO`).
    pub to: Vec<String>,
    /// The `Subject` header, decoded.
    pub subject: String,
    /// The first text body, decoded.
    pub text: String,
}

impl Mail {
    /// The first link in the text that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> Option<&str> {
        let at = self.text.find(prefix)?;
        let rest = &self.text[at..];
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '>' || c == '"')
            .unwrap_or(rest.len());
        Some(&rest[..end])
    }
}

/// The received mails, shared by the SMTP sessions and their readers.
#[derive(Clone, Default)]
pub struct Inbox {
    mails: Arc<Mutex<VecDeque<Mail>>>,
    arrived: Arc<Notify>,
}

impl Inbox {
    pub(crate) fn push(&self, mail: Mail) {
        let mut mails = self.lock();
        if mails.len() == KEEP {
            mails.pop_front();
        }
        mails.push_back(mail);
        drop(mails);
        self.arrived.notify_waiters();
    }

    /// Every kept mail, oldest first.
    pub fn mails(&self) -> Vec<Mail> {
        self.lock().iter().cloned().collect()
    }

    /// The mails sent to `address`, oldest first.
    pub fn to(&self, address: &str) -> Vec<Mail> {
        self.lock()
            .iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .cloned()
            .collect()
    }

    /// Waits until `address` has received more than `seen` mails and
    /// returns the newest, or `None` after `timeout`.
    pub async fn wait_for(&self, address: &str, seen: usize, timeout: Duration) -> Option<Mail> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Registered before the check, so a mail arriving in between
            // still wakes this waiter.
            let arrived = self.arrived.notified();
            let mails = self.to(address);
            if mails.len() > seen {
                return mails.last().cloned();
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return None;
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Mail>> {
        // Every change is one push or pop: a poisoned lock holds whole mails.
        self.mails.lock().unwrap_or_else(|p| p.into_inner())
    }
}
