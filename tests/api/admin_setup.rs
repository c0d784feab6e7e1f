//! The set-up admin pages (`/admin/sites…`, `/admin/users`): each form
//! makes what it says (checked through the JSON API), refuses what the API
//! refuses in place with nothing changed, and only lets in whom the API
//! lets in.

use crate::support::sites::seed_site;
use guichet::domain::role::Role;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, STAFF_PASSWORD, TestApp};
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::{Value, json};

on_both_backends!(forms_set_up_an_office_and_refuse_bad_input);

const CSRF: &str = "setup-csrf-token-0123456789abcdef";

/// A page's answer: status, where it redirects, and its HTML.
struct Page {
    status: StatusCode,
    location: String,
    html: String,
}

/// A browser that does not follow redirects, holding a session and the
/// CSRF cookie.
struct Browser {
    base: String,
    client: reqwest::Client,
}

impl Browser {
    fn new(app: &TestApp) -> Self {
        let client = reqwest::Client::builder()
            .redirect(Policy::none())
            .build()
            .expect("client");
        Self {
            base: app.base.clone(),
            client,
        }
    }

    async fn read(response: reqwest::Response) -> Page {
        let status = response.status();
        let location = response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let html = response.text().await.expect("body");
        Page {
            status,
            location,
            html,
        }
    }

    async fn get(&self, path: &str, token: Option<&str>) -> Page {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.header("Cookie", format!("guichet_session={token}"));
        }
        Self::read(request.send().await.expect("sent")).await
    }

    /// Posts a form with the CSRF field (unless `csrf` is false).
    async fn post(&self, path: &str, token: &str, fields: &[(&str, &str)], csrf: bool) -> Page {
        let mut fields: Vec<(&str, &str)> = fields.to_vec();
        if csrf {
            fields.push(("csrf", CSRF));
        }
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header(
                "Cookie",
                format!("guichet_session={token}; guichet_csrf={CSRF}"),
            )
            .form(&fields)
            .send()
            .await
            .expect("sent");
        Self::read(response).await
    }
}

fn service_form<'a>(id: &'a str, prefix: &'a str, slot: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("id", id),
        ("prefix", prefix),
        ("name", "Légalisation de signature"),
        ("name_ar", "تصحيح الإمضاء"),
        ("walk_in", "1"),
        ("in_person", "1"),
        ("slot_minutes", slot),
        ("slot_capacity", "2"),
        ("min_notice_minutes", "30"),
        ("horizon_days", "14"),
        ("service_minutes", "6"),
        ("target_wait_minutes", "20"),
        ("processing_days", "3"),
        ("remote_share_percent", "40"),
        ("doc_fr_0", "Carte nationale"),
        ("doc_ar_0", "البطاقة الوطنية"),
        ("doc_fr_1", ""),
        ("doc_ar_1", ""),
        ("doc_fr_2", "Document à signer"),
        ("doc_ar_2", "الوثيقة المراد توقيعها"),
    ]
}

/// Asserts a refused form: shown again with `status`, the error in place
/// and the typed value kept.
fn refused(page: &Page, status: StatusCode, kept: &str) {
    assert_eq!(page.status, status, "{}", page.html);
    assert!(page.html.contains("class=\"form-error\""), "{}", page.html);
    assert!(page.html.contains(kept), "typed value {kept:?} kept");
}

async fn forms_set_up_an_office_and_refuse_bad_input(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    let web = Browser::new(&app);

    // A site, then its hours and closures.
    let created = web
        .post(
            "/admin/sites/new",
            &admin,
            &[
                ("id", "hay-hassani"),
                ("name", "Annexe Hay Hassani"),
                ("name_ar", "ملحقة الحي الحسني"),
                ("address", "Bd Hay Hassani & rue 12, Casablanca"),
                ("timezone", "Africa/Casablanca"),
            ],
            true,
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    assert_eq!(created.location, "/admin/sites/hay-hassani/hours?created=1");
    let site = app.get("/api/v1/sites/hay-hassani", None).await.body;
    assert_eq!(site["name_ar"], "ملحقة الحي الحسني");
    assert_eq!(site["address"], "Bd Hay Hassani & rue 12, Casablanca");
    assert_eq!(site["address_ar"], Value::Null, "left blank");
    assert_eq!(site["verify_phone"], false, "the box was left unticked");

    let hours = [
        ("mon_from1", "08:30"),
        ("mon_to1", "12:00"),
        ("mon_from2", "14:00"),
        ("mon_to2", "16:30"),
        ("tue_from1", "08:30"),
        ("tue_to1", "16:30"),
        ("wed_from1", "09:00"),
        ("wed_to1", "10:00"),
        ("wed_closed", "1"),
    ];
    let saved = web
        .post("/admin/sites/hay-hassani/hours", &admin, &hours, true)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let closure = [("date", "2026-12-31")];
    let added = web
        .post("/admin/sites/hay-hassani/closures", &admin, &closure, true)
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.html);
    let site = app.get("/api/v1/sites/hay-hassani", None).await.body;
    assert_eq!(
        site["opening_hours"],
        json!({"mon": [["08:30", "12:00"], ["14:00", "16:30"]], "tue": [["08:30", "16:30"]]}),
        "a day ticked closed has no hours"
    );
    assert_eq!(site["closures"], json!(["2026-12-31"]));
    let page = web
        .get("/admin/sites/hay-hassani/hours?saved=1", Some(&admin))
        .await;
    assert!(page.html.contains("value=\"14:00\""), "hours shown again");
    assert!(page.html.contains("class=\"flash\""));

    // A service with two documents (the empty row is left out), a counter.
    let form = service_form("legalisation", "L", "15");
    let made = web
        .post("/admin/sites/hay-hassani/services/new", &admin, &form, true)
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    let service = &app.get("/api/v1/sites/hay-hassani", None).await.body["services"][0];
    assert_eq!(service["prefix"], "L");
    assert_eq!(service["appointment_modes"], json!(["in_person"]));
    assert_eq!(service["target_wait_minutes"], 20);
    assert_eq!(
        (&service["min_notice_minutes"], &service["horizon_days"]),
        (&json!(30), &json!(14)),
        "how late and how early citizens may book"
    );
    assert_eq!(
        service["required_documents"],
        json!([{"name": "Carte nationale", "name_ar": "البطاقة الوطنية"},
               {"name": "Document à signer", "name_ar": "الوثيقة المراد توقيعها"}])
    );
    let counter = [
        ("id", "hh-g1"),
        ("label", "Guichet 1"),
        ("svc_legalisation", "1"),
        ("rank_legalisation", "1"),
    ];
    let made = web
        .post(
            "/admin/sites/hay-hassani/counters/new",
            &admin,
            &counter,
            true,
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    assert_eq!(
        made.location,
        "/admin/sites/hay-hassani/counters/hh-g1?created=1"
    );
    let queue = app.get("/api/v1/sites/hay-hassani/queue", None).await.body;
    assert_eq!(queue["counters"][0]["label"], "Guichet 1", "{queue}");
    let page = web
        .get("/admin/sites/hay-hassani/counters/hh-g1", Some(&admin))
        .await;
    assert!(
        page.html
            .contains("name=\"svc_legalisation\" id=\"svc_legalisation\" value=\"1\" checked")
    );

    // Settings change through the site page.
    let settings = [
        ("name", "Annexe Hay Hassani 2"),
        ("name_ar", "ملحقة الحي الحسني"),
        ("timezone", "Africa/Casablanca"),
        ("verify_phone", "1"),
        ("priority_streak_max", "4"),
        ("min_recalls", "2"),
        ("near_turn_ahead", "3"),
        ("checkin_early_minutes", "15"),
        ("checkin_late_minutes", "30"),
        ("complaint_answer_days", "60"),
        ("travel_margin_minutes", "25"),
        ("remote_grace_minutes", "10"),
    ];
    let saved = web
        .post("/admin/sites/hay-hassani", &admin, &settings, true)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let site = app.get("/api/v1/sites/hay-hassani", None).await.body;
    assert_eq!(
        (site["min_recalls"].clone(), site["verify_phone"].clone()),
        (json!(2), json!(true))
    );
    assert_eq!(
        (
            &site["travel_margin_minutes"],
            &site["remote_grace_minutes"]
        ),
        (&json!(25), &json!(10))
    );
    let page = web.get("/admin/sites/hay-hassani", Some(&admin)).await;
    assert!(
        page.html
            .contains("name=\"travel_margin_minutes\" value=\"25\"")
    );
    // Out of bounds: refused, nothing changed.
    let mut wrong = settings.to_vec();
    wrong[10] = ("travel_margin_minutes", "999");
    let bounded = web
        .post("/admin/sites/hay-hassani", &admin, &wrong, true)
        .await;
    refused(&bounded, StatusCode::UNPROCESSABLE_ENTITY, "999");
    let site = app.get("/api/v1/sites/hay-hassani", None).await.body;
    assert_eq!(site["travel_margin_minutes"], 25);
    // An Arabic name left blank is cleared, on the site and on a service.
    let mut unnamed = settings.to_vec();
    unnamed[1] = ("name_ar", "");
    let saved = web
        .post("/admin/sites/hay-hassani", &admin, &unnamed, true)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let mut form = service_form("legalisation", "L", "15");
    for field in form.iter_mut().filter(|(k, _)| *k == "name_ar") {
        field.1 = "";
    }
    let saved = web
        .post(
            "/admin/sites/hay-hassani/services/legalisation",
            &admin,
            &form,
            true,
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let site = app.get("/api/v1/sites/hay-hassani", None).await.body;
    assert!(site["name_ar"].is_null(), "{site}");
    assert!(site["services"][0]["name_ar"].is_null(), "{site}");
    assert_eq!(site["services"][0]["remote_share_percent"], 40, "{site}");
    assert_eq!(site["services"][0]["horizon_days"], 14);

    // Every refusal: shown in place, nothing changed.
    let before = snapshot(&app).await;
    let bad_site = [
        ("id", "Hay Hassani!"),
        ("name", "X"),
        ("timezone", "Africa/Casablanca"),
    ];
    let page = web.post("/admin/sites/new", &admin, &bad_site, true).await;
    refused(&page, StatusCode::UNPROCESSABLE_ENTITY, "Hay Hassani!");
    assert!(
        page.html.contains("aria-invalid=\"true\""),
        "the id is marked"
    );
    let dup_site = [
        ("id", "hay-hassani"),
        ("name", "Encore"),
        ("timezone", "Africa/Casablanca"),
    ];
    let page = web.post("/admin/sites/new", &admin, &dup_site, true).await;
    refused(&page, StatusCode::CONFLICT, "Encore");
    let bad_zone = [
        ("id", "maarif"),
        ("name", "Maarif"),
        ("timezone", "Africa/Atlantis"),
    ];
    let page = web.post("/admin/sites/new", &admin, &bad_zone, true).await;
    refused(&page, StatusCode::UNPROCESSABLE_ENTITY, "Africa/Atlantis");
    let mut bad_settings = settings.to_vec();
    bad_settings[2] = ("timezone", "Mars/Olympus");
    let page = web
        .post("/admin/sites/hay-hassani", &admin, &bad_settings, true)
        .await;
    refused(&page, StatusCode::UNPROCESSABLE_ENTITY, "Mars/Olympus");
    for (from, to) in [("25:00", "26:00"), ("16:00", "09:00"), ("08:00", "")] {
        let week = [("thu_from1", from), ("thu_to1", to)];
        let page = web
            .post("/admin/sites/hay-hassani/hours", &admin, &week, true)
            .await;
        refused(
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("value=\"{from}\""),
        );
    }
    let bad_date = [("date", "2026-13-45")];
    let page = web
        .post("/admin/sites/hay-hassani/closures", &admin, &bad_date, true)
        .await;
    refused(&page, StatusCode::UNPROCESSABLE_ENTITY, "2026-13-45");
    for (form, status, kept) in [
        (
            service_form("Bad Slug", "M", "15"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Bad Slug",
        ),
        (
            service_form("legalisation", "M", "15"),
            StatusCode::CONFLICT,
            "value=\"M\"",
        ),
        (
            service_form("etat-civil", "m7", "15"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "m7",
        ),
        (
            service_form("etat-civil", "L", "15"),
            StatusCode::CONFLICT,
            "etat-civil",
        ),
        (
            service_form("etat-civil", "E", "0"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "etat-civil",
        ),
    ] {
        let page = web
            .post("/admin/sites/hay-hassani/services/new", &admin, &form, true)
            .await;
        refused(&page, status, kept);
        assert!(page.html.contains("Document à signer"), "documents kept");
    }
    let ghost = [
        ("id", "hh-g2"),
        ("label", "Guichet 2"),
        ("svc_passeport", "1"),
    ];
    let page = web
        .post(
            "/admin/sites/hay-hassani/counters/new",
            &admin,
            &ghost,
            true,
        )
        .await;
    refused(&page, StatusCode::UNPROCESSABLE_ENTITY, "Guichet 2");
    let weak = [
        ("username", "salma"),
        ("role", "agent"),
        ("site", "hay-hassani"),
        ("password", "12345"),
        ("password_again", "12345"),
    ];
    let page = web.post("/admin/users", &admin, &weak, true).await;
    refused(&page, StatusCode::UNPROCESSABLE_ENTITY, "value=\"salma\"");
    let mismatched = [
        ("username", "salma"),
        ("role", "agent"),
        ("site", "hay-hassani"),
        ("password", "Tajine-rouge-42"),
        ("password_again", "Tajine-rouge-43"),
    ];
    let page = web.post("/admin/users", &admin, &mismatched, true).await;
    refused(&page, StatusCode::UNPROCESSABLE_ENTITY, "value=\"salma\"");
    assert!(
        !page.html.contains("Tajine-rouge"),
        "passwords are never sent back"
    );
    // Without the CSRF field nothing happens either.
    let page = web
        .post(
            "/admin/sites/hay-hassani/services/new",
            &admin,
            &service_form("etat-civil", "E", "15"),
            false,
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(
        snapshot(&app).await,
        before,
        "refused forms changed nothing"
    );
    assert_eq!(app.count("services").await, 1);
    assert_eq!(app.count("counters").await, 1);

    // Accounts: created, changed, reset, removed.
    let good = [
        ("username", "salma"),
        ("role", "agent"),
        ("site", "hay-hassani"),
        ("password", "Tajine-rouge-42"),
        ("password_again", "Tajine-rouge-42"),
    ];
    let made = web.post("/admin/users", &admin, &good, true).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    let salma = app.login("salma", "Tajine-rouge-42").await;
    let page = web.post("/admin/users", &admin, &good, true).await;
    refused(&page, StatusCode::CONFLICT, "value=\"salma\"");
    let promoted = [("role", "supervisor"), ("site", "hay-hassani")];
    let page = web
        .post("/admin/users/salma", &admin, &promoted, true)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let gone = app
        .post("/api/v1/auth/logout", Some(&salma), json!({}))
        .await;
    assert_eq!(
        gone.status,
        StatusCode::UNAUTHORIZED,
        "a changed account's sessions end"
    );
    let salma = app.login("salma", "Tajine-rouge-42").await;
    let list = web.get("/admin/users", Some(&salma)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.html.contains("id=\"user-salma\""));
    assert!(
        !list.html.contains("id=\"user-admin\""),
        "a supervisor sees only their site's accounts"
    );
    let reset = [
        ("password", "Couscous-vert-17"),
        ("password_again", "Couscous-vert-17"),
    ];
    let page = web
        .post("/admin/users/salma/password", &admin, &reset, true)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    app.login("salma", "Couscous-vert-17").await;
    let page = web
        .post("/admin/users/salma/remove", &admin, &[], true)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "salma", "password": "Couscous-vert-17"}),
        )
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
}

/// What the API shows of the site, and the rows behind it.
async fn snapshot(app: &TestApp) -> (Value, i64, i64, i64, i64) {
    let site = app.get("/api/v1/sites/hay-hassani", None).await.body;
    (
        site,
        app.count("sites").await,
        app.count("services").await,
        app.count("counter_services").await,
        app.count("users").await,
    )
}

#[tokio::test]
async fn only_the_right_staff_get_in() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    seed_site(&app, &admin, "maarif").await;
    let web = Browser::new(&app);

    let page = web.get("/admin/sites/anfa/services", None).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location,
        "/agent/login?next=%2Fadmin%2Fsites%2Fanfa%2Fservices"
    );

    let agent = app.add_staff("anfa-agent", Role::Agent, "anfa").await;
    let page = web.get("/admin/sites/anfa/counters", Some(&agent)).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = web
        .post(
            "/admin/sites/anfa/counters/new",
            &agent,
            &[("id", "x"), ("label", "X"), ("svc_residence", "1")],
            true,
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    let sup = app.add_staff("anfa-sup", Role::Supervisor, "anfa").await;
    let page = web.get("/admin/sites/maarif/counters", Some(&sup)).await;
    assert_eq!(
        page.status,
        StatusCode::FORBIDDEN,
        "another site's supervisor"
    );
    let page = web
        .post(
            "/admin/sites/maarif/counters/new",
            &sup,
            &[("id", "m-g9"), ("label", "G9"), ("svc_residence", "1")],
            true,
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    // A supervisor: services read-only, no service made; counters yes.
    let page = web.get("/admin/sites/anfa/services", Some(&sup)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("id=\"read-only\"") && !page.html.contains("id=\"new-service\""));
    let services = app.count("services").await;
    let page = web
        .post(
            "/admin/sites/anfa/services/new",
            &sup,
            &service_form("etat-civil", "E", "15"),
            true,
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("services").await, services);
    let page = web.get("/admin/sites/anfa", Some(&sup)).await;
    assert!(
        page.html.contains("<fieldset class=\"plain\" disabled>"),
        "settings read-only"
    );
    let page = web
        .post(
            "/admin/sites/anfa",
            &sup,
            &[("name", "Renamed"), ("timezone", "UTC")],
            true,
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/api/v1/sites/anfa", None).await.body["name"],
        "Annexe anfa"
    );
    let counter = [
        ("id", "anfa-g2"),
        ("label", "Guichet 2"),
        ("svc_signature", "1"),
        ("rank_signature", "2"),
        ("svc_residence", "1"),
        ("rank_residence", "1"),
    ];
    let page = web
        .post("/admin/sites/anfa/counters/new", &sup, &counter, true)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let order = guichet::store::counters::services(&app.app.db, "anfa-g2")
        .await
        .expect("read");
    assert_eq!(order, ["residence", "signature"], "order numbers decide");

    // A supervisor makes agents of their site only.
    let users = app.count("users").await;
    for (role, site) in [("admin", ""), ("supervisor", "anfa"), ("agent", "maarif")] {
        let form = [
            ("username", "nouveau"),
            ("role", role),
            ("site", site),
            ("password", STAFF_PASSWORD),
            ("password_again", STAFF_PASSWORD),
        ];
        let page = web.post("/admin/users", &sup, &form, true).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{role} {site}");
    }
    assert_eq!(app.count("users").await, users);
    let form = [
        ("username", "nouveau"),
        ("role", "agent"),
        ("site", "anfa"),
        ("password", STAFF_PASSWORD),
        ("password_again", STAFF_PASSWORD),
    ];
    let page = web.post("/admin/users", &sup, &form, true).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let page = web.post("/admin/users/admin/remove", &sup, &[], true).await;
    assert_eq!(
        page.status,
        StatusCode::NOT_FOUND,
        "beyond a supervisor's reach"
    );
    assert_eq!(app.count("users").await, users + 1);
}
