//! The SMTP side (RFC 5321): enough of the protocol for any client to hand
//! over a message — EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT — with
//! every line and message bounded. No relaying, no authentication, no TLS:
//! it listens on loopback for tests and the demo.

use mail_parser::MessageParser;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use crate::inbox::{Inbox, Mail};

/// The largest message accepted (advertised as `SIZE`).
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;
/// RFC 5321 §4.5.3.1.4: a command line is at most 512 octets; a text line
/// at most 1000.
const MAX_LINE: usize = 1000;
const MAX_RECIPIENTS: usize = 100;

/// Accepts connections until the listener fails; one task per client.
pub async fn serve(listener: TcpListener, inbox: Inbox) {
    while let Ok((stream, _)) = listener.accept().await {
        let inbox = inbox.clone();
        tokio::spawn(async move {
            // A client that goes away mid-session loses only its own message.
            let _ = session(stream, inbox).await;
        });
    }
}

async fn session(stream: TcpStream, inbox: Inbox) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 mail-sink ESMTP ready\r\n").await?;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    loop {
        let Some(line) = read_line(&mut lines).await? else {
            return Ok(());
        };
        let Some(line) = line else {
            write.write_all(b"500 line too long\r\n").await?;
            continue;
        };
        let text = String::from_utf8_lossy(&line);
        let (verb, rest) = text.split_once(' ').unwrap_or((&text, ""));
        let reply: &[u8] = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => b"250-mail-sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 1048576\r\n",
            "HELO" => b"250 mail-sink\r\n",
            "MAIL" => match path(rest, "FROM:") {
                Some(p) => {
                    from = Some(p);
                    to.clear();
                    b"250 sender ok\r\n"
                }
                None => b"501 MAIL FROM:<address> expected\r\n",
            },
            "RCPT" if from.is_none() => b"503 MAIL first\r\n",
            "RCPT" if to.len() == MAX_RECIPIENTS => b"452 too many recipients\r\n",
            "RCPT" => match path(rest, "TO:") {
                Some(p) if !p.is_empty() => {
                    to.push(p);
                    b"250 recipient ok\r\n"
                }
                _ => b"501 RCPT TO:<address> expected\r\n",
            },
            "DATA" if to.is_empty() => b"503 RCPT first\r\n",
            "DATA" => {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let Some(message) = read_message(&mut lines).await? else {
                    return Ok(());
                };
                let reply: &[u8] = match message {
                    Some(bytes) => {
                        inbox.push(decode(from.take().unwrap_or_default(), &to, &bytes));
                        b"250 kept\r\n"
                    }
                    None => b"552 message too large\r\n",
                };
                to.clear();
                reply
            }
            "RSET" => {
                from = None;
                to.clear();
                b"250 reset\r\n"
            }
            "NOOP" => b"250 ok\r\n",
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 command not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// The address in `FROM:<a@b> PARAMS` or `TO:<a@b>`.
fn path(rest: &str, prefix: &str) -> Option<String> {
    let head = rest.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = rest[prefix.len()..].trim_start();
    let inner = rest.strip_prefix('<')?;
    let end = inner.find('>')?;
    Some(inner[..end].to_owned())
}

/// One line without its CRLF: `None` at the end of the stream, `Some(None)`
/// for a line over the limit (skipped to its end).
async fn read_line<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
) -> std::io::Result<Option<Option<Vec<u8>>>> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let buf = reader.fill_buf().await?;
        if buf.is_empty() {
            return Ok(None);
        }
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..=i], true),
            None => (buf, false),
        };
        if line.len() + chunk.len() > MAX_LINE + 2 {
            too_long = true;
        } else {
            line.extend_from_slice(chunk);
        }
        let used = chunk.len();
        reader.consume(used);
        if done {
            break;
        }
    }
    if too_long {
        return Ok(Some(None));
    }
    while matches!(line.last(), Some(b'\n' | b'\r')) {
        line.pop();
    }
    Ok(Some(Some(line)))
}

/// The message after DATA up to the lone dot, dots unstuffed: `None` at the
/// end of the stream, `Some(None)` if it grew past the limit (read to its
/// end all the same, so the session can go on).
async fn read_message<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
) -> std::io::Result<Option<Option<Vec<u8>>>> {
    let mut message = Vec::new();
    let mut too_large = false;
    loop {
        let Some(line) = read_line(reader).await? else {
            return Ok(None);
        };
        let line = line.unwrap_or_default();
        if line == b"." {
            return Ok(Some((!too_large).then_some(message)));
        }
        let line = line.strip_prefix(b".").unwrap_or(&line);
        if message.len() + line.len() + 2 > MAX_MESSAGE_BYTES {
            too_large = true;
            message.clear();
        }
        if !too_large {
            message.extend_from_slice(line);
            message.extend_from_slice(b"\r\n");
        }
    }
}

fn decode(from: String, to: &[String], bytes: &[u8]) -> Mail {
    let parsed = MessageParser::default().parse(bytes);
    Mail {
        from,
        to: to.to_vec(),
        subject: parsed
            .as_ref()
            .and_then(|m| m.subject())
            .unwrap_or_default()
            .to_owned(),
        text: parsed
            .as_ref()
            .and_then(|m| m.body_text(0))
            .map(|t| t.into_owned())
            .unwrap_or_else(|| String::from_utf8_lossy(bytes).into_owned()),
    }
}
