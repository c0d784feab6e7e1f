//! Joining the walk-in queue by SMS and leaving it, through signed inbound
//! webhooks as the provider posts them: `FILE P` / `طابور P` / `QUEUE P`,
//! `ANNULER` alone, answered in the language of the keyword; the office
//! named when one number serves two; a burst from one phone on two
//! instances holding one ticket.

use crate::fakes::twilio::FakeTwilio;
use crate::support::office::{Office, phone};
use crate::support::sms::{
    AUTH_TOKEN, Hooked, PUBLIC_URL, office_sending_through, post_form, sign, text_in,
};
use guichet_test_support::{Backend, TestApp, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    citizens_join_and_leave_by_sms_in_their_language,
    the_office_is_named_when_the_number_serves_two,
    a_burst_from_one_phone_on_two_instances_holds_one_ticket,
);

/// The text of the answer's one message (TwiML), unescaped.
fn message(answer: &Hooked) -> String {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let inner = answer.body.split("<Message>").nth(1).unwrap_or_default();
    let inner = inner.split("</Message>").next().unwrap_or_default();
    inner
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// The ticket id of the tracking link in a message.
fn tracked(message: &str) -> String {
    let link = format!("{PUBLIC_URL}/t/");
    let after = message
        .split(&link)
        .nth(1)
        .unwrap_or_else(|| panic!("no link in {message}"));
    after
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// The public view of a ticket.
async fn ticket(app: &TestApp, id: &str) -> Value {
    let seen = app.get(&format!("/api/v1/tickets/{id}"), None).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
    seen.body
}

/// Latin words of a message other than those allowed (the ticket number,
/// the link): an Arabic answer has none.
fn latin_words<'a>(message: &'a str, allowed: &[&str]) -> Vec<&'a str> {
    let without_link = message.split("https://").next().unwrap_or_default();
    let rest = message
        .split("https://")
        .nth(1)
        .map_or("", |r| r.split_once(' ').map_or("", |(_, after)| after));
    [without_link, rest]
        .into_iter()
        .flat_map(|part| part.split(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()) && !allowed.contains(w))
        .collect()
}

/// Monday 09:00 in Casablanca: the office of `office_sending_through` is open.
const MONDAY_9: &str = "2026-11-23T09:00:00Z";

async fn citizens_join_and_leave_by_sms_in_their_language(backend: Backend) {
    let twilio = FakeTwilio::start().await;
    let office = office_sending_through(backend, Some(&twilio)).await;
    office.set_time(MONDAY_9);
    let app = &office.app;
    // Every place may be taken from afar here.
    let path = format!("/api/v1/sites/{}/services/passport", office.site);
    let all = json!({"remote_share_percent": 100});
    let opened = app.patch(&path, Some(&office.admin), all).await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);

    // French: the number, who is ahead, the wait, the link.
    let said = message(&text_in(app, &phone(1), "FILE P").await);
    assert!(
        said.starts_with("Votre ticket P001 (Passeport). 0 avant vous"),
        "{said}"
    );
    assert!(
        said.contains("attente estimée") && said.contains("min"),
        "{said}"
    );
    assert!(
        said.contains("confirmez votre présence à la borne avec P001"),
        "{said}"
    );
    let first = tracked(&said);
    // The reply is the message: nothing else is queued for the join.
    assert!(
        !office
            .templates(&phone(1))
            .await
            .contains(&"remote_joined".to_owned())
    );
    let seen = ticket(app, &first).await;
    assert_eq!(seen["number"], "P001");
    assert_eq!(seen["status"], "waiting");
    assert_eq!(seen["remote"], true);
    assert_eq!(seen["present"], false);

    // One ticket per phone and office.
    let said = message(&text_in(app, &phone(1), "file passport").await);
    assert!(said.contains("déjà un ticket"), "{said}");

    // Arabic, by the service's Arabic name: answered in Arabic only.
    let said = message(&text_in(app, &phone(2), "طابور جواز السفر").await);
    assert!(
        said.contains("تذكرتكم P002") && said.contains("(جواز السفر)"),
        "{said}"
    );
    assert!(said.contains("أمامكم 1"), "{said}");
    assert_eq!(latin_words(&said, &["P002"]), Vec::<&str>::new(), "{said}");
    let second = tracked(&said);
    assert_eq!(ticket(app, &second).await["remote"], true);

    // English.
    let said = message(&text_in(app, &phone(3), "Queue p").await);
    assert!(
        said.starts_with("Your ticket P003 (Passeport). 2 ahead of you"),
        "{said}"
    );

    // Leaving: `إلغاء` alone, answered in Arabic; again, nothing to leave.
    let said = message(&text_in(app, &phone(2), "إلغاء").await);
    assert_eq!(said, "تم إلغاء تذكرتكم P002. غادرتم الطابور.");
    assert_eq!(ticket(app, &second).await["status"], "cancelled");
    let said = message(&text_in(app, &phone(2), "الغاء").await);
    assert!(said.contains("لا توجد لديكم تذكرة"), "{said}");
    // The place freed, the phone may join again.
    let said = message(&text_in(app, &phone(2), "طابور P").await);
    assert!(
        said.contains("تذكرتكم P004") && said.contains("أمامكم 2"),
        "{said}"
    );

    let said = message(&text_in(app, &phone(1), "annuler").await);
    assert_eq!(said, "Ticket P001 annulé : vous avez quitté la file.");
    assert_eq!(ticket(app, &first).await["status"], "cancelled");
    let said = message(&text_in(app, &phone(1), "CANCEL").await);
    assert_eq!(said, "You hold no ticket waiting in a queue.");

    // A service not understood: the services to choose from, with the keyword.
    let said = message(&text_in(app, &phone(5), "FILE Z").await);
    assert_eq!(
        said,
        "Service inconnu. Envoyez FILE <lettre> : P (Passeport)"
    );
    let said = message(&text_in(app, &phone(5), "طابور").await);
    assert!(
        said.contains("خدمة غير معروفة") && said.contains("P (جواز السفر)"),
        "{said}"
    );
    // Help names the new keyword in the language asked.
    let said = message(&text_in(app, &phone(5), "AIDE").await);
    assert!(said.starts_with("Envoyez FILE <service>"), "{said}");
    let said = message(&text_in(app, &phone(5), "مساعدة").await);
    assert!(said.starts_with("أرسلوا: طابور <الخدمة>"), "{said}");

    // Unsigned or badly signed: refused, no ticket.
    let path = "/hooks/sms/inbound";
    let from = phone(6);
    let fields = [
        ("From", from.as_str()),
        ("To", "+212500000000"),
        ("Body", "FILE P"),
    ];
    let forged = sign("not-the-token", path, &fields);
    for signature in [None, Some(forged)] {
        let answer = post_form(app, path, &fields, signature).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    }
    let said = message(&text_in(app, &phone(7), "FILE P").await);
    assert!(
        said.contains("P005"),
        "{said}: the unsigned text took no number"
    );

    // A closed office takes no remote ticket, and says so.
    office.set_time("2026-11-23T18:00:00Z");
    let said = message(&text_in(app, &phone(8), "FILE P").await);
    assert!(
        said.contains("fermée") || said.contains("fermeture"),
        "{said}"
    );
}

/// A second office (`casa-anfa`, service `residence`, prefix `A`) on the
/// same server, open around the clock.
async fn second_office(office: &Office) {
    let hours = guichet_test_support::around_the_clock();
    let site = json!({"id": "casa-anfa", "name": "Annexe Anfa", "name_ar": "ملحقة أنفا",
        "timezone": "Africa/Casablanca", "opening_hours": hours, "verify_phone": false});
    let created = office
        .app
        .post("/api/v1/sites", Some(&office.admin), site)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let service = json!({"id": "residence", "prefix": "A", "name": "Certificat de résidence",
        "name_ar": "شهادة السكنى", "walk_in": true, "service_minutes": 5,
        "kind": "certificat-residence", "remote_share_percent": 100});
    let path = "/api/v1/sites/casa-anfa/services";
    let created = office.app.post(path, Some(&office.admin), service).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
}

async fn the_office_is_named_when_the_number_serves_two(backend: Backend) {
    let twilio = FakeTwilio::start().await;
    let office = office_sending_through(backend, Some(&twilio)).await;
    office.set_time(MONDAY_9);
    second_office(&office).await;
    let app = &office.app;

    let said = message(&text_in(app, &phone(1), "FILE P").await);
    assert_eq!(
        said,
        "Précisez l'annexe : FILE <annexe> <service>. Annexes : casa-anfa, rabat-agdal"
    );
    let said = message(&text_in(app, &phone(1), "طابور A").await);
    assert!(
        said.starts_with("حددوا الملحقة: طابور <الملحقة> <الخدمة>"),
        "{said}"
    );

    // The office in either place, the service by letter, id or kind.
    let said = message(&text_in(app, &phone(1), "FILE rabat-agdal P").await);
    assert!(said.starts_with("Votre ticket P001 (Passeport)"), "{said}");
    let said = message(&text_in(app, &phone(1), "FILE certificat-residence casa-anfa").await);
    assert!(
        said.starts_with("Votre ticket A001 (Certificat de résidence)"),
        "{said}"
    );
    // One per phone and office: the same phone holds one in each.
    let said = message(&text_in(app, &phone(1), "FILE casa-anfa residence").await);
    assert!(said.contains("déjà un ticket"), "{said}");
    let said = message(&text_in(app, &phone(2), "طابور casa-anfa A").await);
    assert!(
        said.contains("تذكرتكم A002") && said.contains("شهادة السكنى"),
        "{said}"
    );
    // A service of the other office is not this one's.
    let said = message(&text_in(app, &phone(3), "FILE casa-anfa P").await);
    assert_eq!(
        said,
        "Service inconnu. Envoyez FILE casa-anfa <lettre> : A (Certificat de résidence)"
    );
}

async fn a_burst_from_one_phone_on_two_instances_holds_one_ticket(backend: Backend) {
    let twilio = FakeTwilio::start().await;
    let office = office_sending_through(backend, Some(&twilio)).await;
    office.set_time(MONDAY_9);
    let first = &office.app;
    // No cap on the remote share: the one-per-phone rule alone decides.
    let path = format!("/api/v1/sites/{}/services/passport", office.site);
    let all = json!({"remote_share_percent": 100});
    let opened = first.patch(&path, Some(&office.admin), all).await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
    let second = TestApp::builder()
        .join(&first.database_url)
        .clock(first.app.clock.clone())
        .config(|config| {
            config.public_url = Some(PUBLIC_URL.into());
            config.sms = guichet::config::SmsTransport::Twilio;
            config.twilio_account_sid = Some("AC0123".into());
            config.twilio_auth_token = Some(AUTH_TOKEN.parse().unwrap());
            config.twilio_from = Some("+212500000000".into());
            config.twilio_api_base = twilio.base.clone();
        })
        .spawn()
        .await;
    let from = phone(1);
    let texts = (0..8).map(|n| {
        let app = if n % 2 == 0 { first } else { &second };
        let from = from.clone();
        async move { message(&text_in(app, &from, "FILE P").await) }
    });
    let said = futures::future::join_all(texts).await;
    let joined: Vec<&String> = said
        .iter()
        .filter(|s| s.starts_with("Votre ticket P001"))
        .collect();
    let already = said.iter().filter(|s| s.contains("déjà un ticket")).count();
    assert_eq!((joined.len(), already), (1, 7), "{said:#?}");
    let id = tracked(joined[0]);
    assert_eq!(ticket(&second, &id).await["number"], "P001");
}
