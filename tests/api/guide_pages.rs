//! The guide of procedures as citizens read it without JavaScript: the
//! portal's `/guide` pages in French, Arabic and English (title,
//! description, canonical address, cache headers, no cookie), the kiosk's
//! guide reached from its home, and the lobby's slide.

use crate::support::forms::open;
use crate::support::guides::{office_with_guide, page};
use crate::support::tickets::kiosk;
use guichet_test_support::{Backend, TestApp, on_both_backends};
use reqwest::StatusCode;

async fn the_guide_pages_read_without_javascript_in_three_languages(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    office_with_guide(&app).await;
    let (status, _, home) = page(&app, "/?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("href=\"/guide?lang=en\""), "{home}");

    let expected = [
        (
            "fr",
            "ltr",
            "Guide des démarches",
            "Atteste votre adresse.",
            "Tout résident majeur.",
            "2 jours ouvrables",
            "CIN",
        ),
        (
            "ar",
            "rtl",
            "دليل المساطر الإدارية",
            "تثبت عنوانكم.",
            "كل قاطن راشد.",
            "يوما عمل",
            "البطاقة الوطنية",
        ),
        (
            "en",
            "ltr",
            "Guide to procedures",
            "Proves your address.",
            "Any adult resident.",
            "2 working days",
            "CIN",
        ),
    ];
    for (lang, dir, title, summary, who, delay, document) in expected {
        let (status, headers, html) = page(&app, &format!("/guide?lang={lang}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")),
            "{html}"
        );
        assert!(
            html.contains(&format!("<title>{title} · Guichet</title>")),
            "{html}"
        );
        assert!(html.contains("<meta name=\"description\""), "{html}");
        assert!(html.contains(&format!("/guide?lang={lang}\">")), "{html}");
        assert!(
            html.contains(&format!("href=\"/guide/anfa/residence?lang={lang}\"")),
            "{html}"
        );
        assert!(html.contains(summary), "{html}");
        assert_eq!(headers["cache-control"], "public, max-age=300");
        assert!(headers.get("set-cookie").is_none(), "{headers:?}");
        assert!(!html.contains("<script"), "{html}");

        let path = format!("/guide/anfa/residence?lang={lang}");
        let (status, headers, html) = page(&app, &path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")),
            "{html}"
        );
        assert!(
            html.contains(&format!("· {title} · Guichet</title>")),
            "{html}"
        );
        assert!(
            html.contains(&format!(
                "<meta name=\"description\" content=\"{summary}\">"
            )),
            "{html}"
        );
        assert!(
            html.contains(&format!(
                "<link rel=\"canonical\" href=\"{}{path}\">",
                app.app.links.public_url
            )),
            "{html}"
        );
        assert!(html.contains("hreflang=\"ar\""), "{html}");
        assert!(
            html.contains("<meta name=\"csrf-token\" content=\"\">"),
            "{html}"
        );
        for text in [summary, who, delay, document] {
            assert!(html.contains(text), "{text} missing: {html}");
        }
        assert_eq!(headers["cache-control"], "public, max-age=300");
        assert!(!html.contains("<script"), "{html}");
    }
    let (_, _, arabic) = page(&app, "/guide/anfa/residence?lang=ar").await;
    assert!(arabic.contains("<li>البطاقة الوطنية</li>"), "{arabic}");
    assert!(arabic.contains("<li>قدموا وثائقكم.</li>"), "{arabic}");
    assert!(arabic.contains("<li>عبر الإنترنت</li>"), "{arabic}");

    // A service without a guide still shows its documents and delay.
    let (status, _, html) = page(&app, "/guide/anfa/signature?lang=fr").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("pas encore rédigé") && html.contains("CIN"),
        "{html}"
    );

    for unknown in ["/guide/anfa/nothing", "/guide/nowhere/residence"] {
        let (status, headers, html) = page(&app, unknown).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{unknown}");
        assert!(
            headers
                .get("cache-control")
                .is_none_or(|v| v != "public, max-age=300")
        );
        assert!(html.contains("<html lang="), "{html}");
    }
}

async fn the_kiosk_and_the_lobby_show_the_guide(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = office_with_guide(&app).await;
    let token = kiosk(&app, &admin, "anfa").await;
    let home = open(&app, Some(&token), "/kiosk/anfa").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        home.html.contains("href=\"/kiosk/anfa/guide\""),
        "{}",
        home.html
    );
    let list = open(&app, Some(&token), "/kiosk/anfa/guide").await;
    assert!(
        list.html.contains("href=\"/kiosk/anfa/guide/residence\""),
        "{}",
        list.html
    );
    let shown = open(&app, Some(&token), "/kiosk/anfa/guide/residence?lang=ar").await;
    assert_eq!(shown.status, StatusCode::OK);
    for text in [
        "تثبت عنوانكم.",
        "Atteste votre adresse.",
        "البطاقة الوطنية",
        "CIN",
        "مجانا",
        "يوما عمل",
    ] {
        assert!(shown.html.contains(text), "{text} missing: {}", shown.html);
    }
    assert!(shown.html.contains("dir=\"rtl\""), "{}", shown.html);
    let unknown = open(&app, Some(&token), "/kiosk/anfa/guide/nothing").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let stranger = open(&app, None, "/kiosk/anfa/guide/residence").await;
    assert_eq!(stranger.status, StatusCode::FORBIDDEN);

    let lobby = open(&app, None, "/display/anfa").await;
    assert_eq!(lobby.status, StatusCode::OK);
    let slide = "Guide des démarches · Service residence : Atteste votre adresse. Pièces à fournir : CIN. Délai : 2 jours ouvrables.";
    assert!(lobby.html.contains(slide), "{}", lobby.html);
    assert!(lobby.html.contains("\"guides\":[{"), "{}", lobby.html);
}

on_both_backends!(
    the_guide_pages_read_without_javascript_in_three_languages,
    the_kiosk_and_the_lobby_show_the_guide,
);
