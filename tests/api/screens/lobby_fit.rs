//! The lobby TV read from a chair: with twelve services every one is shown
//! (a page at a time, in turn) and nothing on the screen is under 28px or
//! cut off, in French and Arabic; the empty recent-calls panel says so in
//! both languages; the announcer says numbers as numbers.

use super::lobby::{called, live, office, wait_until};
use crate::support::browser::{Browser, TV};
use crate::support::tickets::issue;
use guichet_test_support::TestApp;
use guichet_test_support::wait::eventually;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// Ten services more than `office` has (which has `residence` and
/// `signature`): twelve, with the demo's long names.
const MORE: [(&str, &str, &str, &str); 10] = [
    ("copies", "C", "Copie conforme", "مطابقة النسخ لأصولها"),
    ("life", "D", "Certificat de vie", "شهادة الحياة"),
    ("single", "E", "Certificat de célibat", "شهادة العزوبة"),
    (
        "income",
        "F",
        "Certificat de revenu / d'indigence",
        "شهادة الدخل / شهادة الاحتياج",
    ),
    ("passport", "P", "Demande de passeport", "طلب جواز السفر"),
    (
        "birth",
        "G",
        "Extrait d'acte de naissance",
        "نسخة من رسم الولادة",
    ),
    ("marriage", "H", "Acte de mariage", "عقد الزواج"),
    (
        "cin",
        "J",
        "Carte nationale d'identité",
        "البطاقة الوطنية للتعريف",
    ),
    ("works", "K", "Autorisation de travaux", "رخصة الأشغال"),
    ("death", "L", "Déclaration de décès", "التصريح بالوفاة"),
];

/// What one look at the screen finds: the page of services shown, their
/// waiting counts, and every text under 28px, outside the screen or cut
/// off by its panel.
const LOOK: &str = r#"
const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
const problems = [];
for (const el of document.body.querySelectorAll('*')) {
  if (el.tagName === 'SCRIPT') continue;
  const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  if (!own || !visible(el)) continue;
  const r = el.getBoundingClientRect();
  const size = parseFloat(getComputedStyle(el).fontSize);
  const what = el.tagName + ' "' + el.textContent.trim().slice(0, 40) + '"';
  if (size < 28) problems.push(size + 'px: ' + what);
  if (r.left < -1 || r.top < -1 || r.right > innerWidth + 1 || r.bottom > innerHeight + 1)
    problems.push('off the screen: ' + what);
  const panel = el.closest('.lobby-grid > section');
  if (panel) {
    const p = panel.getBoundingClientRect();
    if (r.bottom > p.bottom + 1 || r.top < p.top - 1 || r.right > p.right + 1 || r.left < p.left - 1)
      problems.push('cut off: ' + what);
  }
}
const box = document.getElementById('waiting');
const shown = [...document.querySelectorAll('#services tr')].filter(visible);
return {
  page: box.dataset.page, pages: box.dataset.pages, problems,
  shown: shown.map(r => [r.dataset.service, r.querySelector('.waiting-count').textContent])
};
"#;

/// Watches the screen through its pages of services until each service
/// was seen; fails on the first look that finds a problem. Saves a
/// screenshot of each page. Returns the waiting count each service showed.
async fn every_service(tv: &Browser, lang: &str, all: usize) -> BTreeMap<String, String> {
    let mut seen = BTreeMap::new();
    let mut pages = BTreeSet::new();
    eventually(
        Duration::from_secs(90),
        &format!("every service shown on the {lang} screen"),
        async || {
            let look = tv.eval(LOOK).await;
            assert_eq!(look["problems"], json!([]), "{lang} screen: {look}");
            let page = look["page"].as_str().unwrap_or_default().to_owned();
            for row in look["shown"].as_array().into_iter().flatten() {
                seen.insert(
                    row[0].as_str().unwrap_or_default().to_owned(),
                    row[1].as_str().unwrap_or_default().to_owned(),
                );
            }
            if pages.insert(page.clone()) {
                // Once the page has faded in.
                wait_until(
                    tv,
                    "document.getElementById('services').getAnimations().length === 0",
                    Duration::from_secs(2),
                )
                .await;
                tv.screenshot(&format!("lobby-12-services-{lang}-page-{page}"))
                    .await;
            }
            seen.len() == all
        },
    )
    .await;
    seen
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn twelve_services_all_show_in_turn_in_big_type_in_french_and_arabic() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let (agents, kiosk) = office(&app).await;
    let admin = app.admin().await;
    for (id, prefix, name, name_ar) in MORE {
        let body = json!({"id": id, "prefix": prefix, "name": name, "name_ar": name_ar,
            "service_minutes": 5});
        let answer = app
            .post("/api/v1/sites/anfa/services", Some(&admin), body)
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }
    for service in ["passport", "passport", "income", "residence"] {
        issue(&app, &kiosk, "anfa", json!({"service": service})).await;
    }
    called(&app, &agents[0], "anfa-g1").await;

    let fr = Browser::open(TV).await;
    let ar = Browser::open(TV).await;
    fr.goto(&format!("{}/display/anfa?lang=fr", app.base)).await;
    ar.goto(&format!("{}/display/anfa?lang=ar", app.base)).await;
    live(&fr).await;
    live(&ar).await;
    let (on_fr, on_ar) = tokio::join!(every_service(&fr, "fr", 12), every_service(&ar, "ar", 12));
    for seen in [&on_fr, &on_ar] {
        assert_eq!(seen["passport"], "2", "{seen:?}");
        assert_eq!(seen["income"], "1", "{seen:?}");
        assert_eq!(seen["death"], "0", "{seen:?}");
    }
    // The page number shows by the heading when there are several.
    let pages = fr
        .eval("return document.getElementById('waiting').dataset.pages")
        .await;
    let count: usize = pages.as_str().unwrap_or("0").parse().unwrap_or(0);
    assert!(count > 1, "{pages}");
    assert!(
        fr.text("#service-pages")
            .await
            .ends_with(&format!("/{count}")),
        "no page number"
    );
    fr.close().await;
    ar.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn an_empty_recent_calls_panel_says_so_in_both_languages() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let (agents, kiosk) = office(&app).await;
    for _ in 0..2 {
        issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    }
    let tv = Browser::open(TV).await;
    tv.goto(&format!("{}/display/anfa", app.base)).await;
    live(&tv).await;
    let empty = tv.text("#recent-empty").await;
    assert!(empty.contains("Aucun autre appel"), "{empty}");
    assert!(empty.contains("لا توجد مناداة أخرى"), "{empty}");
    // The first call is the latest: the list under it is still empty.
    called(&app, &agents[0], "anfa-g1").await;
    tv.wait_for_text("#now-number", "A001", Duration::from_secs(1))
        .await;
    assert!(tv.text("#recent-empty").await.contains("Aucun autre appel"));
    // A second call moves the first into the list, and the words go.
    called(&app, &agents[1], "anfa-g2").await;
    tv.wait_for_text("#recent", "A001", Duration::from_secs(1))
        .await;
    assert_eq!(
        tv.eval("return document.getElementById('recent-empty').hidden")
            .await,
        true
    );
    // Served with a call in the list, the page does not say it is empty.
    tv.goto(&format!("{}/display/anfa?lang=ar", app.base)).await;
    assert_eq!(
        tv.eval("return document.getElementById('recent-empty').hidden")
            .await,
        true
    );
    tv.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_announcer_says_numbers_as_numbers_in_french_and_arabic() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let (agents, kiosk) = office(&app).await;
    issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    let tv = Browser::open(TV).await;
    tv.goto(&format!("{}/display/anfa", app.base)).await;
    live(&tv).await;
    called(&app, &agents[1], "anfa-g2").await;
    wait_until(
        &tv,
        "window.guichetAnnouncements.length === 1",
        Duration::from_secs(10),
    )
    .await;
    let record = tv.eval("return window.guichetAnnouncements[0]").await;
    assert_eq!(
        record["said"],
        json!({"fr": "Ticket numéro A un, Guichet deux",
               "ar": "رقم التذكرة إيه واحد، الشباك رقم اثنان"})
    );
    // Said with the clips of each word, not the browser's voice.
    assert_eq!(record["clips"], json!({"fr": true, "ar": true}), "{record}");

    let say = async |number: &str, counter: &str, lang: &str| -> Value {
        let call = json!({"number": number, "counter_label": counter});
        tv.eval(&format!(
            "return window.guichetSpeechText({call}, '{lang}')"
        ))
        .await
    };
    assert_eq!(
        say("A012", "Guichet 3", "fr").await,
        "Ticket numéro A douze, Guichet trois"
    );
    assert_eq!(
        say("A012", "Guichet 3", "ar").await,
        "رقم التذكرة إيه اثنا عشر، الشباك رقم ثلاثة"
    );
    assert_eq!(
        say("B071", "Guichet 12", "fr").await,
        "Ticket numéro B soixante et onze, Guichet douze"
    );
    assert_eq!(
        say("B071", "Guichet 12", "ar").await,
        "رقم التذكرة بي واحد وسبعون، الشباك رقم اثنا عشر"
    );
    assert_eq!(
        say("C342", "Accueil", "fr").await,
        "Ticket numéro C trois cent quarante-deux, Accueil"
    );
    assert_eq!(
        say("C342", "Accueil", "ar").await,
        "رقم التذكرة سي ثلاثمئة واثنان وأربعون، Accueil"
    );
    tv.close().await;
}
