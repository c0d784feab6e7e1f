//! Tamazight on the office's screens: the site's switch and the services'
//! Tifinagh names (bounded; a refused change changes nothing), and the
//! clips an office records for saying calls (type read from the content,
//! size bounded, admin only; the lobby gets them only with the full set).

use crate::support::sites::seed_site;
use guichet::domain::role::Role;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    the_site_switch_and_tifinagh_names_are_set_and_bounded,
    clips_are_checked_by_content_and_size,
    the_lobby_says_tamazight_only_with_the_full_set,
);

/// A real Ogg clip (one of the lobby's own French words).
pub(crate) fn ogg() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/displays/static/sounds/fr-n-1.ogg"
    );
    std::fs::read(path).expect("clip")
}

/// Uploads `bytes` as the clip `name` of `site`: the status and the body.
pub(crate) async fn put_clip(
    app: &TestApp,
    token: Option<&str>,
    site: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let url = format!("{}/api/v1/sites/{site}/voice/{name}", app.base);
    let mut request = app.http.put(url).body(bytes);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let answer = request.send().await.expect("upload");
    let status = answer.status();
    (status, answer.json().await.unwrap_or(Value::Null))
}

async fn site(app: &TestApp) -> Value {
    let answer = app.get("/api/v1/sites/anfa", None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body
}

async fn the_site_switch_and_tifinagh_names_are_set_and_bounded(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    let before = site(&app).await;
    assert_eq!(before["tamazight"], false);
    assert!(before["services"][0]["name_zgh"].is_null());

    // Only an admin turns it on.
    let supervisor = app.add_staff("boss", Role::Supervisor, "anfa").await;
    let on = json!({"tamazight": true});
    let refused = app
        .patch("/api/v1/sites/anfa", Some(&supervisor), on.clone())
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let wrong = app
        .patch(
            "/api/v1/sites/anfa",
            Some(&admin),
            json!({"tamazight": "yes"}),
        )
        .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.body
    );
    assert_eq!(site(&app).await["tamazight"], false);
    let done = app.patch("/api/v1/sites/anfa", Some(&admin), on).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["tamazight"], true);

    // A Tifinagh name: 120 characters at most; a longer one changes nothing,
    // not even the other fields of the same change.
    let path = "/api/v1/sites/anfa/services/residence";
    let long = "ⵣ".repeat(121);
    let refused = app
        .patch(
            path,
            Some(&admin),
            json!({"name": "Autre", "name_zgh": long}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.code(), "invalid_name_zgh");
    let unchanged = site(&app).await;
    assert_eq!(unchanged["services"][0]["name"], "Service residence");
    assert!(unchanged["services"][0]["name_zgh"].is_null());

    let name = "ⴰⵙⵍⴽⵉⵏ ⵏ ⵜⵉⵣⴷⵖⵜ";
    let set = app
        .patch(path, Some(&admin), json!({"name_zgh": format!(" {name} ")}))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.body["name_zgh"], name);
    let created = app
        .post(
            "/api/v1/sites/anfa/services",
            Some(&admin),
            json!({"id": "birth", "prefix": "C", "name": "Naissance", "name_zgh": "ⵜⵉⵍⴰⵍⵜ"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["name_zgh"], "ⵜⵉⵍⴰⵍⵜ");
    // Blank clears it.
    let cleared = app
        .patch(path, Some(&admin), json!({"name_zgh": " "}))
        .await;
    assert!(cleared.body["name_zgh"].is_null(), "{}", cleared.body);
}

async fn clips_are_checked_by_content_and_size(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    let listed = async || {
        let answer = app.get("/api/v1/sites/anfa/voice", Some(&admin)).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer.body
    };
    assert_eq!(listed().await["clips"], json!([]));

    // Not audio, whatever it claims to be: refused, nothing stored.
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>".to_vec();
    let (status, body) = put_clip(&app, Some(&admin), "anfa", "ticket", svg).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "invalid_audio", "{body}");
    // Too big: refused.
    let big = [ogg(), vec![0; 600 * 1024]].concat();
    let (status, body) = put_clip(&app, Some(&admin), "anfa", "ticket", big).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "invalid_clip", "{body}");
    // A name that is no clip, an anonymous caller, a supervisor: refused.
    let (status, body) = put_clip(&app, Some(&admin), "anfa", "..%2Fx", ogg()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = put_clip(&app, None, "anfa", "ticket", ogg()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let supervisor = app.add_staff("boss", Role::Supervisor, "anfa").await;
    let (status, _) = put_clip(&app, Some(&supervisor), "anfa", "ticket", ogg()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = put_clip(&app, Some(&admin), "nowhere", "ticket", ogg()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let now = listed().await;
    assert_eq!(now["clips"], json!([]), "{now}");
    assert_eq!(now["complete"], false);

    // A real Ogg clip is kept and played back as it was sent.
    let (status, body) = put_clip(&app, Some(&admin), "anfa", "ticket", ogg()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["content_type"], "audio/ogg");
    let played = app
        .http
        .get(format!("{}/api/v1/sites/anfa/voice/ticket", app.base))
        .send()
        .await
        .expect("clip");
    assert_eq!(played.status(), StatusCode::OK);
    assert_eq!(played.headers()["content-type"], "audio/ogg");
    assert_eq!(played.bytes().await.expect("bytes").to_vec(), ogg());
    let now = listed().await;
    assert_eq!(now["clips"][0]["name"], "ticket");
    // Two words, ten digits, the letters A and B.
    assert_eq!(now["required"].as_array().map(Vec::len), Some(14));
    assert_eq!(now["missing"].as_array().map(Vec::len), Some(13));

    let gone = app
        .call(
            reqwest::Method::DELETE,
            "/api/v1/sites/anfa/voice/ticket",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert_eq!(listed().await["clips"], json!([]));
}

/// The lobby page's data: the announcer's sound clips by name.
async fn lobby_sounds(app: &TestApp) -> Value {
    let page = app
        .http
        .get(format!("{}/display/anfa", app.base))
        .send()
        .await
        .expect("lobby")
        .text()
        .await
        .expect("page");
    let start = page.find(r#"id="lobby-data">"#).expect("data") + 16;
    let end = start + page[start..].find("</script>").expect("end");
    let data: Value = serde_json::from_str(&page[start..end]).expect("json");
    data["sounds"].clone()
}

async fn the_lobby_says_tamazight_only_with_the_full_set(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    let on = json!({"tamazight": true});
    let answer = app.patch("/api/v1/sites/anfa", Some(&admin), on).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let names: Vec<String> = ["ticket", "counter", "letter-a", "letter-b"]
        .into_iter()
        .map(String::from)
        .chain((0..10).map(|d| format!("digit-{d}")))
        .collect();
    for name in &names[..13] {
        let (status, body) = put_clip(&app, Some(&admin), "anfa", name, ogg()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // One missing (digit-9): no Tamazight clips for the lobby.
    let sounds = lobby_sounds(&app).await;
    assert!(sounds.get("fr-ticket").is_some());
    assert!(sounds.get("zgh-ticket").is_none(), "{sounds}");
    let (status, _) = put_clip(&app, Some(&admin), "anfa", &names[13], ogg()).await;
    assert_eq!(status, StatusCode::OK);
    let sounds = lobby_sounds(&app).await;
    for name in &names {
        let url = sounds[format!("zgh-{name}")].as_str().expect(name);
        assert!(url.starts_with(&format!("/api/v1/sites/anfa/voice/{name}?v=")));
    }
    // With Tamazight off, none either.
    let off = json!({"tamazight": false});
    app.patch("/api/v1/sites/anfa", Some(&admin), off).await;
    assert!(lobby_sounds(&app).await.get("zgh-ticket").is_none());
}
