//! Mail to people over SMTP (lettre): the one other thing the core sends
//! over the network besides back-channel logouts. What a mail says is the
//! caller's (the pages' catalog); this module only delivers it.

use std::time::Duration;

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::EmailSettings;

/// A relay that does not answer within this is given up on (the mail is
/// lost and logged, never retried against the person's will).
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

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
        })
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
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|e| MailError::Transport(e.to_string()))
    }
}
