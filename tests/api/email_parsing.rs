//! E-mails as a real mail server gets them: aiosmtpd (Debian's
//! `python3-aiosmtpd`, run as a child process on a free port, saving each
//! message to a Maildir) receives the "your document is ready" e-mails of
//! a French and an Arabic request, and Python's `email` package
//! (`policy=email.policy.default`) parses them back: no defect, the headers
//! receiving servers expect, a text part and an HTML part in the citizen's
//! language with the office's name, address and the reference.
//!
//! `#[ignore]`d like the PostgreSQL and browser tests, since it needs an
//! installed program; `tests/services.sh` installs it.

use guichet::domain::role::Role;
use guichet_test_support::wait::until_some;
use guichet_test_support::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

#[tokio::test]
#[ignore = "needs python3-aiosmtpd (tests/services.sh)"]
async fn ready_emails_parse_without_defects_sqlite() {
    ready_emails_parse_without_defects(Backend::Sqlite).await;
}

#[tokio::test]
#[ignore = "needs python3-aiosmtpd and PostgreSQL (tests/services.sh)"]
async fn ready_emails_parse_without_defects_postgres() {
    ready_emails_parse_without_defects(Backend::Postgres).await;
}

/// The Python with Debian's packages: the system's, not a user's own.
fn python() -> &'static str {
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

/// aiosmtpd listening on a free port of 127.0.0.1, killed on drop.
struct Aiosmtpd {
    child: Child,
    port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl Aiosmtpd {
    async fn start() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let maildir = dir.path().join("mail");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .spawn()
            .expect("aiosmtpd started (python3-aiosmtpd, see tests/services.sh)");
        let server = Self {
            child,
            port,
            maildir,
            _dir: dir,
        };
        until_some(Duration::from_secs(10), "aiosmtpd to listen", async || {
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .ok()
        })
        .await;
        server
    }

    /// The files of the messages received so far.
    fn messages(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.maildir.join("new"))
            .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort();
        files
    }
}

impl Drop for Aiosmtpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Parses each file with Python's `email` package: its headers in order,
/// every defect found (of the message, its parts and its headers), its
/// content type and its leaf parts.
const PARSE: &str = r#"
import email, email.policy, json, sys
out = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    defects = []
    parts = []
    for part in msg.walk():
        defects += [repr(d) for d in part.defects]
        for _, value in part.items():
            defects += [repr(d) for d in getattr(value, "defects", ())]
        if not part.is_multipart():
            parts.append({"type": part.get_content_type(),
                          "charset": part.get_content_charset(),
                          "content": part.get_content()})
    out.append({"headers": [[k, str(v)] for k, v in msg.items()],
                "type": msg.get_content_type(),
                "date_parsed": msg["Date"] is not None and msg["Date"].datetime is not None,
                "defects": defects, "parts": parts})
print(json.dumps(out))
"#;

fn parse(files: &[PathBuf]) -> Vec<Value> {
    let output = Command::new(python())
        .args(["-c", PARSE])
        .args(files)
        .output()
        .expect("python3 ran");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let parsed: Value = serde_json::from_slice(&output.stdout).expect("JSON from python");
    parsed.as_array().expect("a list").clone()
}

/// The value of header `name` (the first one), or "".
fn header<'a>(mail: &'a Value, name: &str) -> &'a str {
    let headers = mail["headers"].as_array().expect("headers");
    headers
        .iter()
        .find(|h| h[0].as_str().is_some_and(|k| k.eq_ignore_ascii_case(name)))
        .and_then(|h| h[1].as_str())
        .unwrap_or("")
}

async fn ready_emails_parse_without_defects(backend: Backend) {
    let smtp = Aiosmtpd::start().await;
    let port = smtp.port;
    let (app, _time) = TestApp::builder()
        .backend(backend)
        .config(move |config| {
            config.smtp_url = Some(format!("smtp://127.0.0.1:{port}").parse().unwrap());
            config.smtp_from = Some("guichet@berkane.ma".into());
            config.public_url = Some("https://guichet.berkane.ma".into());
        })
        .spawn_at("2026-11-26T09:00:00Z")
        .await;
    let admin = app.admin().await;
    let open = json!([["08:30", "16:30"]]);
    let site = json!({"id": "berkane", "name": "Annexe « numérique » & accueil",
        "name_ar": "الملحقة الإدارية الرقمية", "timezone": "Africa/Casablanca",
        "opening_hours": {"mon": open, "tue": open, "wed": open, "thu": open, "fri": open},
        "verify_phone": false, "address": "Bd Mohammed V & rue 3, Berkane",
        "address_ar": "شارع محمد الخامس، بركان"});
    let created = app.post("/api/v1/sites", Some(&admin), site).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["address"], "Bd Mohammed V & rue 3, Berkane");
    let service = json!({"id": "residence", "prefix": "A", "name": "Certificat de résidence",
        "name_ar": "شهادة السكنى", "processing_days": 3});
    let created = app
        .post("/api/v1/sites/berkane/services", Some(&admin), service)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let agent = app.add_staff("berkane-agent", Role::Agent, "berkane").await;
    let mut references = Vec::new();
    for (lang, address) in [("fr", "amina@example.ma"), ("ar", "karim@example.ma")] {
        let body = json!({"service": "residence", "name": "Amina Alaoui",
            "phone": "+212612345678", "email": address, "lang": lang});
        let filed = app
            .post("/api/v1/sites/berkane/requests", Some(&agent), body)
            .await;
        assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
        let reference = filed.body["reference"].as_str().expect("a reference");
        let path = format!("/api/v1/requests/{reference}/status");
        let ready = app
            .post(&path, Some(&agent), json!({"status": "ready"}))
            .await;
        assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
        references.push(reference.to_owned());
    }
    // Each citizen gets two: the acknowledgement of receipt, then "ready".
    let files = until_some(Duration::from_secs(15), "four e-mails", async || {
        let files = smtp.messages();
        (files.len() >= 4).then_some(files)
    })
    .await;
    assert_eq!(files.len(), 4, "{files:?}");
    let mails = parse(&files);
    let to = |mail: &Value| header(mail, "To").to_owned();
    let text = |mail: &Value| {
        mail["parts"][0]["content"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    };
    let ready = |address: &str, says: &str| {
        let found = mails
            .iter()
            .find(|m| to(m) == address && text(m).contains(says));
        found.unwrap_or_else(|| panic!("no \"ready\" e-mail to {address}: {mails:#?}"))
    };
    let french = ready("amina@example.ma", "est prête");
    let arabic = ready("karim@example.ma", "سحبه");

    for mail in &mails {
        let reference = match to(mail).as_str() {
            "amina@example.ma" => &references[0],
            _ => &references[1],
        };
        assert_eq!(mail["defects"], json!([]), "{mail:#}");
        assert_eq!(header(mail, "MIME-Version"), "1.0", "{mail:#}");
        assert_eq!(mail["date_parsed"], true, "{mail:#}");
        let id = header(mail, "Message-ID");
        assert!(
            id.starts_with('<') && id.ends_with("@guichet.berkane.ma>"),
            "{id}"
        );
        assert_eq!(header(mail, "Auto-Submitted"), "auto-generated");
        assert_eq!(header(mail, "From"), "guichet@berkane.ma");
        assert!(header(mail, "Subject").contains(reference.as_str()));
        assert_eq!(mail["type"], "multipart/alternative", "{mail:#}");
        let parts = mail["parts"].as_array().expect("parts");
        let kinds: Vec<(&str, &str)> = parts
            .iter()
            .map(|p| (p["type"].as_str().unwrap(), p["charset"].as_str().unwrap()))
            .collect();
        assert_eq!(kinds, [("text/plain", "utf-8"), ("text/html", "utf-8")]);
        let (text, html) = (
            parts[0]["content"].as_str().unwrap(),
            parts[1]["content"].as_str().unwrap(),
        );
        assert!(text.contains(reference.as_str()), "{text}");
        assert!(html.contains(reference.as_str()), "{html}");
        for remote in ["<img", "src=", "<link", "<script", "url("] {
            assert!(!html.contains(remote), "{remote} in {html}");
        }
        assert!(html.len() < 2_000, "a small part: {html}");
    }
    let french_html = french["parts"][1]["content"].as_str().unwrap();
    assert!(
        french_html.contains("<html lang=\"fr\" dir=\"ltr\">"),
        "{french_html}"
    );
    assert!(
        french_html.contains("Annexe « numérique » &amp; accueil"),
        "{french_html}"
    );
    assert!(
        french_html.contains("Bd Mohammed V &amp; rue 3, Berkane"),
        "{french_html}"
    );
    assert!(french_html.contains("est prête"), "{french_html}");
    let arabic_html = arabic["parts"][1]["content"].as_str().unwrap();
    assert!(
        arabic_html.contains("<html lang=\"ar\" dir=\"rtl\">"),
        "{arabic_html}"
    );
    assert!(
        arabic_html.contains("الملحقة الإدارية الرقمية"),
        "{arabic_html}"
    );
    assert!(
        arabic_html.contains("شارع محمد الخامس، بركان"),
        "{arabic_html}"
    );
    assert!(arabic_html.contains("جاهز"), "{arabic_html}");
    let arabic_text = arabic["parts"][0]["content"].as_str().unwrap();
    assert!(arabic_text.contains("جاهز"), "{arabic_text}");
}
