//! Mail to people over SMTP (lettre): the one other thing the core sends
//! over the network besides back-channel logouts. What a mail says is the
//! caller's (the pages' catalog); this module only delivers it.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::EmailSettings;

/// A relay that does not answer within this is given up on (the mail is
/// lost and logged, never retried against the person's will).
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// Mails being sent at once, at most: each holds a relay connection and a
/// task, so a flood of sign-ups or reset requests from many addresses
/// cannot grow them without bound (beyond it a mail is dropped, logged and
/// counted).
pub const MAX_IN_FLIGHT: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("{0} is not an address mail can be sent to")]
    Address(String),
    #[error("the mail could not be built: {0}")]
    Build(String),
    #[error("the mail server did not take the mail: {0}")]
    Transport(String),
}

/// One mail: plain text, to one person.
#[derive(Debug, Clone)]
pub struct Letter {
    pub to: String,
    pub subject: String,
    pub text: String,
}

/// Sends letters through the configured relay; cheap to clone (each send
/// opens its own connection).
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    in_flight: Arc<Semaphore>,
}

/// Room for one mail in flight ([`Mailer::slot`]), given back when dropped.
pub struct MailSlot {
    _permit: OwnedSemaphorePermit,
}

impl Mailer {
    pub fn new(settings: &EmailSettings) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(settings.smtp_url())
            .map_err(|e| MailError::Transport(e.to_string()))?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        Ok(Self {
            transport,
            from: settings.from.clone(),
            in_flight: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
        })
    }

    /// Room for one more mail in flight, or `None` when [`MAX_IN_FLIGHT`]
    /// are (the mail is then dropped and counted).
    pub fn slot(&self) -> Option<MailSlot> {
        match self.in_flight.clone().try_acquire_owned() {
            Ok(permit) => Some(MailSlot { _permit: permit }),
            Err(_) => {
                crate::metrics::global()
                    .mails
                    .with_label_values(&["dropped"])
                    .inc();
                None
            }
        }
    }

    pub async fn send(&self, letter: Letter) -> Result<(), MailError> {
        let to: Mailbox = letter
            .to
            .parse()
            .map_err(|_| MailError::Address(letter.to.clone()))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(letter.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(letter.text)
            .map_err(|e| MailError::Build(e.to_string()))?;
        let sent = self.transport.send(message).await;
        let outcome = if sent.is_ok() { "sent" } else { "failed" };
        crate::metrics::global()
            .mails
            .with_label_values(&[outcome])
            .inc();
        sent.map(drop)
            .map_err(|e| MailError::Transport(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mails_in_flight_are_bounded() {
        let settings = crate::config::Settings::demo(&Default::default()).unwrap();
        let mailer = Mailer::new(settings.email.as_ref().unwrap()).unwrap();
        let held: Vec<MailSlot> = (0..MAX_IN_FLIGHT).map(|_| mailer.slot().unwrap()).collect();
        assert!(mailer.slot().is_none(), "one more than the bound");
        drop(held);
        assert!(mailer.slot().is_some(), "slots come back");
    }
}
