//! A local SMTP receiver: plaintext, no AUTH, no STARTTLS; just enough of
//! RFC 5321 for lettre's async client (and a hand-typed session).

use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::{CancellationToken, DropGuard};

/// One mail as received.
#[derive(Clone, Debug)]
pub struct Mail {
    /// The envelope sender (`MAIL FROM`), without angle brackets.
    pub from: String,
    /// The envelope recipients (`RCPT TO`), in order.
    pub to: Vec<String>,
    /// The DATA section, dot-unstuffed, lines ending in CRLF, without the
    /// final "." line.
    pub data: String,
}

pub struct FakeSmtp {
    /// "smtp://127.0.0.1:PORT".
    pub url: String,
    mails: Arc<Mutex<Vec<Mail>>>,
    _stop: DropGuard,
}

impl FakeSmtp {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake smtp: bind");
        let addr = listener.local_addr().expect("fake smtp: local address");
        let mails = Arc::new(Mutex::new(Vec::new()));
        let stop = CancellationToken::new();
        let (task_mails, task_stop) = (mails.clone(), stop.clone());
        tokio::spawn(task_stop.clone().run_until_cancelled_owned(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let session = session(stream, task_mails.clone());
                tokio::spawn(task_stop.clone().run_until_cancelled_owned(session));
            }
        }));
        FakeSmtp {
            url: format!("smtp://{addr}"),
            mails,
            _stop: stop.drop_guard(),
        }
    }

    /// Every mail so far, in the order their DATA ended.
    pub fn received(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    /// Waits until at least `n` mails arrived or `within` has passed, then
    /// returns `received()`.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Mail> {
        super::poll_until(n, within, || self.received()).await
    }
}

/// One connection: any number of mails, until QUIT or the client leaves.
async fn session(stream: TcpStream, mails: Arc<Mutex<Vec<Mail>>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    write.write_all(b"220 fake ESMTP\r\n").await?;
    let (mut from, mut to) = (None::<String>, Vec::new());
    while let Some(line) = read_line(&mut read).await? {
        let (verb, arg) = line.split_once(' ').unwrap_or((&line, ""));
        let reply = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => "250-fake\r\n250-SMTPUTF8\r\n250 8BITMIME",
            "HELO" | "NOOP" => "250 OK",
            "RSET" => {
                (from, to) = (None, Vec::new());
                "250 OK"
            }
            "MAIL" => {
                from = Some(address(arg));
                to.clear();
                "250 OK"
            }
            "RCPT" if from.is_some() => {
                to.push(address(arg));
                "250 OK"
            }
            "DATA" if !to.is_empty() => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let Some(data) = read_data(&mut read).await? else {
                    return Ok(());
                };
                let mail = Mail {
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut to),
                    data,
                };
                mails.lock().unwrap().push(mail);
                "250 OK"
            }
            "RCPT" | "DATA" => "503 Bad sequence of commands",
            "QUIT" => {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            }
            _ => "502 Command not implemented",
        };
        write.write_all(format!("{reply}\r\n").as_bytes()).await?;
    }
    Ok(())
}

/// `FROM:<a@b> BODY=8BITMIME` → "a@b" (parameters dropped).
fn address(arg: &str) -> String {
    let arg = arg
        .split_once(':')
        .map_or(arg, |(_, rest)| rest)
        .trim_start();
    match (arg.find('<'), arg.find('>')) {
        (Some(open), Some(close)) if open < close => arg[open + 1..close].to_string(),
        _ => arg.split_whitespace().next().unwrap_or("").to_string(),
    }
}

/// The DATA lines up to the lone ".", unstuffed; `None` if the client left.
async fn read_data(read: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<Option<String>> {
    let mut data = String::new();
    while let Some(line) = read_line(read).await? {
        if line == "." {
            return Ok(Some(data));
        }
        data.push_str(line.strip_prefix('.').unwrap_or(&line));
        data.push_str("\r\n");
    }
    Ok(None)
}

/// One line without its line ending; `None` at end of stream.
async fn read_line(read: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<Option<String>> {
    let mut line = Vec::new();
    if read.read_until(b'\n', &mut line).await? == 0 {
        return Ok(None);
    }
    let line = String::from_utf8_lossy(&line);
    Ok(Some(line.trim_end_matches(['\r', '\n']).to_string()))
}

#[tokio::test]
async fn fake_smtp_receives_mails_from_lettre() {
    use base64::Engine as _;
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

    let smtp = FakeSmtp::start().await;
    let port: u16 = smtp.url.rsplit(':').next().unwrap().parse().unwrap();
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(port)
        .build();
    let subject = "موعدك";
    let first = Message::builder()
        .from("Guichet <guichet@example.org>".parse().unwrap())
        .to("amina@example.org".parse().unwrap())
        .cc("office@example.org".parse().unwrap())
        .subject(subject)
        .body("Bonjour,\n.this line starts with a dot\n..and this one with two\nFin".to_string())
        .unwrap();
    let second = Message::builder()
        .from("guichet@example.org".parse().unwrap())
        .to("karim@example.org".parse().unwrap())
        .subject("Second")
        .body("Deuxieme".to_string())
        .unwrap();
    transport.send(first).await.unwrap();
    transport.send(second).await.unwrap();

    let mails = smtp.wait_for(2, Duration::from_secs(2)).await;
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[0].from, "guichet@example.org");
    assert_eq!(mails[0].to, ["amina@example.org", "office@example.org"]);
    assert!(
        mails[0]
            .data
            .contains("\r\n.this line starts with a dot\r\n..and this one with two\r\n")
    );
    let encoded = base64::engine::general_purpose::STANDARD.encode(subject);
    assert!(
        mails[0]
            .data
            .to_lowercase()
            .contains(&format!("subject: =?utf-8?b?{}?=", encoded.to_lowercase()))
    );
    assert_eq!(mails[1].to, ["karim@example.org"]);
    assert!(mails[1].data.ends_with("\r\nDeuxieme\r\n"));
}

#[tokio::test]
async fn fake_smtp_takes_several_mails_on_one_connection() {
    let smtp = FakeSmtp::start().await;
    let stream = TcpStream::connect(smtp.url.trim_start_matches("smtp://"))
        .await
        .unwrap();
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let script = "EHLO me\r\nMAIL FROM:<a@x> BODY=8BITMIME\r\nRCPT TO:<b@x>\r\nDATA\r\n..one\r\n.\r\n\
                  NOOP\r\nMAIL FROM:<c@x>\r\nRCPT TO:<d@x>\r\nDATA\r\ntwo\r\n.\r\nQUIT\r\n";
    write.write_all(script.as_bytes()).await.unwrap();
    let mut replies = Vec::new();
    while let Some(line) = read_line(&mut read).await.unwrap() {
        replies.push(line[..4].to_string());
    }
    let expected = [
        "220 ", "250-", "250-", "250 ", "250 ", "250 ", "354 ", "250 ", "250 ", "250 ", "250 ",
        "354 ", "250 ", "221 ",
    ];
    assert_eq!(replies, expected);
    let mails = smtp.received();
    assert_eq!(
        (
            mails[0].from.as_str(),
            mails[0].to.as_slice(),
            mails[0].data.as_str()
        ),
        ("a@x", &["b@x".to_string()][..], ".one\r\n")
    );
    assert_eq!(
        (mails[1].from.as_str(), mails[1].data.as_str()),
        ("c@x", "two\r\n")
    );
}
