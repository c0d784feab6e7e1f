//! Processing times of document requests per agent and per service: a
//! scripted set of requests at known instants whose figures are computed
//! by hand, in the API, its CSV and the supervision pages; agents and the
//! public never see them.

use crate::support::desk::{AMINA, Desk, desk};
use crate::support::office::text;
use crate::support::pages::{page, row};
use guichet::domain::role::Role;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, STAFF_PASSWORD};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(per_agent_processing_matches_a_scripted_set_of_requests);

const ONE: &str = "agdal-agent";
const TWO: &str = "agdal-agent2";
const RANGE: &str = "from=2026-11-27&to=2026-12-03";

/// Files a request for `service` at `at`, at the counter by `ONE` or
/// online (`by_agent` false); its reference and promised day.
async fn file(desk: &Desk, service: &str, at: &str, by_agent: bool) -> (String, String) {
    desk.set_time(at);
    let agent = desk.app.login(ONE, STAFF_PASSWORD).await;
    let body = json!({"service": service, "name": "Amina Alaoui", "phone": AMINA});
    let path = format!("/api/v1/sites/{}/requests", desk.site);
    let filed = desk
        .app
        .post(&path, by_agent.then_some(agent.as_str()), body)
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    let promised = text(&filed, "expected_ready_on").to_owned();
    (text(&filed, "reference").to_owned(), promised)
}

/// `who` moves `reference` to `status` at `at` (logging in that day).
async fn step(desk: &Desk, who: &str, reference: &str, status: &str, at: &str) {
    desk.set_time(at);
    let token = desk.app.login(who, STAFF_PASSWORD).await;
    let mut body = json!({"status": status});
    if status == "rejected" {
        body["reason"] = json!("Pièce manquante");
    }
    let path = format!("/api/v1/requests/{reference}/status");
    let moved = desk.app.post(&path, Some(&token), body).await;
    assert_eq!(moved.status, StatusCode::OK, "{status}: {}", moved.body);
}

fn processing(v: &Value) -> Value {
    json!({"handled": v["handled"], "median_seconds": v["median_seconds"],
        "p90_seconds": v["p90_seconds"], "within_delay": v["within_delay"],
        "within_delay_share": v["within_delay_share"]})
}

fn expected(handled: i64, median: f64, p90: f64, within: i64, share: f64) -> Value {
    json!({"handled": handled, "median_seconds": median, "p90_seconds": p90,
        "within_delay": within, "within_delay_share": share})
}

/// In Rabat (UTC+0), office open Monday to Friday, closed Monday 30
/// November; `residence` is promised in 3 working days, `signature` in 1.
/// Filed on Thursday 26 November (residence promised Wednesday 2 December,
/// signature Friday 27 November), made ready (times from filing):
///
/// | req | service   | filed | ready             | by  | seconds | in time |
/// | A   | residence | 09:00 | Fri 27 10:00      | ONE |  90,000 | yes |
/// | B   | residence | 09:30 | Wed 2 15:00       | TWO | 538,200 | yes |
/// | C   | residence | 10:00 | Thu 3 09:00       | ONE | 601,200 | no  |
/// | D   | signature | 10:30 | Thu 26 14:30      | ONE |  14,400 | (before the range) |
/// | E   | signature | 11:00 | Tue 1 11:00       | TWO | 432,000 | no  |
/// | J   | residence | 13:00 | Tue 1 10:00       | ONE | 421,200 | yes |
///
/// F (residence, 11:30) is taken into processing by TWO and never ready;
/// G (signature, 12:00, filed online) is never touched; H (residence) is
/// rejected; L (signature) is filed on Thursday 3 December, promised
/// Friday 4, and stays open; I (signature) is filed and made ready on
/// Friday 4 December, after the range. Read on Tuesday 8 December.
async fn per_agent_processing_matches_a_scripted_set_of_requests(backend: Backend) {
    let desk = desk(backend, false).await;
    let signature = json!({"id": "signature", "prefix": "B", "name": "Légalisation de signature",
        "name_ar": "تصحيح الإمضاء", "walk_in": true, "processing_days": 1});
    let path = format!("/api/v1/sites/{}/services", desk.site);
    let created = desk.app.post(&path, Some(&desk.admin), signature).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    desk.app.add_staff(TWO, Role::Agent, &desk.site).await;

    let day = |d: &str, hm: &str| format!("2026-{d}T{hm}:00Z");
    let (a, promised) = file(&desk, "residence", &day("11-26", "09:00"), true).await;
    assert_eq!(promised, "2026-12-02");
    let (b, _) = file(&desk, "residence", &day("11-26", "09:30"), true).await;
    let (c, _) = file(&desk, "residence", &day("11-26", "10:00"), true).await;
    let (d, promised) = file(&desk, "signature", &day("11-26", "10:30"), true).await;
    assert_eq!(promised, "2026-11-27");
    let (e, _) = file(&desk, "signature", &day("11-26", "11:00"), true).await;
    let (f, _) = file(&desk, "residence", &day("11-26", "11:30"), true).await;
    let (g, _) = file(&desk, "signature", &day("11-26", "12:00"), false).await;
    let (h, _) = file(&desk, "residence", &day("11-26", "12:30"), true).await;
    let (j, _) = file(&desk, "residence", &day("11-26", "13:00"), true).await;
    step(&desk, ONE, &d, "ready", &day("11-26", "14:30")).await;
    step(&desk, ONE, &h, "rejected", &day("11-26", "15:00")).await;
    step(&desk, TWO, &f, "processing", &day("11-26", "16:00")).await;
    step(&desk, ONE, &a, "ready", &day("11-27", "10:00")).await;
    step(&desk, ONE, &j, "ready", &day("12-01", "10:00")).await;
    step(&desk, TWO, &e, "ready", &day("12-01", "11:00")).await;
    step(&desk, TWO, &b, "ready", &day("12-02", "15:00")).await;
    let (l, promised) = file(&desk, "signature", &day("12-03", "09:00"), true).await;
    assert_eq!(promised, "2026-12-04");
    step(&desk, ONE, &c, "ready", &day("12-03", "09:00")).await;
    let (i, _) = file(&desk, "signature", &day("12-04", "09:00"), true).await;
    step(&desk, ONE, &i, "ready", &day("12-04", "10:00")).await;
    step(&desk, ONE, &a, "delivered", &day("12-04", "11:00")).await;

    desk.set_time(&day("12-08", "12:00"));
    let chef = desk
        .app
        .add_staff("agdal-chef", Role::Supervisor, &desk.site)
        .await;
    let stats_path = format!("/api/v1/sites/{}/stats?{RANGE}", desk.site);
    let answer = desk.app.get(&stats_path, Some(&chef)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let p = &answer.body["processing"];

    // All five in the range: 90,000 421,200 432,000 538,200 601,200:
    // median rank 3, p90 rank ⌈4.5⌉ = 5; A, J and B in time.
    assert_eq!(
        processing(&p["totals"]),
        expected(5, 432_000.0, 601_200.0, 3, 0.6)
    );
    let services = p["services"].as_array().expect("services");
    let ids: Vec<&str> = services
        .iter()
        .map(|s| s["service"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["residence", "signature"]);
    // Residence: 90,000 421,200 538,200 601,200: median rank 2, p90 rank 4.
    assert_eq!(
        processing(&services[0]),
        expected(4, 421_200.0, 601_200.0, 3, 0.75)
    );
    assert_eq!(
        (&services[0]["processing_days"], &services[0]["overdue"]),
        (&json!(3), &json!(1))
    );
    assert_eq!(
        processing(&services[1]),
        expected(1, 432_000.0, 432_000.0, 0, 0.0)
    );
    assert_eq!(
        (&services[1]["processing_days"], &services[1]["overdue"]),
        (&json!(1), &json!(1))
    );
    // ONE made A, J and C ready: 90,000 421,200 601,200 (median rank 2,
    // p90 rank 3), two in time; TWO made E and B ready: 432,000 538,200
    // (median rank 1, p90 rank 2), one in time.
    let agents = p["agents"].as_array().expect("agents");
    let names: Vec<&str> = agents
        .iter()
        .map(|a| a["agent"].as_str().unwrap())
        .collect();
    assert_eq!(names, [ONE, TWO]);
    assert_eq!(
        processing(&agents[0]),
        expected(3, 421_200.0, 601_200.0, 2, 0.667)
    );
    assert_eq!(
        processing(&agents[1]),
        expected(2, 432_000.0, 538_200.0, 1, 0.5)
    );
    // Open past their promised day by the range's end: G (promised 27
    // November, 11 days ago) then F (2 December, 6 days ago); L is promised
    // on 4 December, after the range.
    assert_eq!(p["overdue_count"], 2);
    assert_eq!(
        p["overdue"],
        json!([
            {"reference": g, "service": "signature", "status": "submitted",
             "filed_at": "2026-11-26T12:00:00+00:00", "expected_ready_on": "2026-11-27",
             "days_late": 11, "agent": null},
            {"reference": f, "service": "residence", "status": "processing",
             "filed_at": "2026-11-26T11:30:00+00:00", "expected_ready_on": "2026-12-02",
             "days_late": 6, "agent": TWO},
        ])
    );

    // Up to today, D and I count too, and L is overdue.
    let default = format!("/api/v1/sites/{}/stats", desk.site);
    let recent = desk.app.get(&default, Some(&chef)).await;
    assert_eq!(recent.status, StatusCode::OK, "{}", recent.body);
    assert_eq!(recent.body["processing"]["totals"]["handled"], 7);
    assert_eq!(recent.body["processing"]["overdue_count"], 3);
    assert_eq!(
        recent.body["processing"]["overdue"][2]["reference"],
        json!(l)
    );

    csv_holds_the_same_figures(&desk, &chef, &answer.body).await;
    pages_show_them(&desk, &chef, &g).await;
    nobody_else_sees_them(&desk, &g, &f).await;
}

async fn csv_holds_the_same_figures(desk: &Desk, chef: &str, stats: &Value) {
    let url = format!(
        "{}/api/v1/sites/{}/stats?{RANGE}&format=csv",
        desk.app.base, desk.site
    );
    let response = desk.app.http.get(url).bearer_auth(chef).send().await;
    let text = response.expect("CSV answered").text().await.expect("CSV");
    let (columns, rows) = crate::support::forms::csv_table(&text);
    let find = |section: &str, key: &str| -> Value {
        let row = rows
            .iter()
            .find(|r| r[0] == section && r[1] == key)
            .unwrap_or_else(|| panic!("no {section} {key} row in {text}"));
        let cells = columns.iter().zip(row).map(|(c, v)| {
            let value = match v.parse::<f64>() {
                Ok(n) => json!(n),
                Err(_) if v.is_empty() => Value::Null,
                Err(_) => json!(v),
            };
            (c.clone(), value)
        });
        Value::Object(cells.collect())
    };
    let figures = |row: &Value| {
        json!({"handled": row["handled"], "median_seconds": row["median_processing_seconds"],
            "p90_seconds": row["p90_processing_seconds"], "within_delay": row["within_delay"],
            "within_delay_share": row["within_delay_share"]})
    };
    let as_floats = |v: Value| -> Value {
        let object = v.as_object().expect("an object").iter();
        Value::Object(
            object
                .map(|(k, v)| (k.clone(), v.as_f64().map_or(v.clone(), |n| json!(n))))
                .collect(),
        )
    };
    let p = &stats["processing"];
    let total = find("requests_total", "");
    assert_eq!(figures(&total), as_floats(processing(&p["totals"])));
    assert_eq!(total["overdue"], json!(2.0));
    for s in p["services"].as_array().expect("services") {
        let row = find("requests_service", s["service"].as_str().unwrap());
        assert_eq!(figures(&row), as_floats(processing(s)));
        assert_eq!(row["overdue"].as_f64(), s["overdue"].as_f64());
        assert_eq!(row["name"], s["name"]);
    }
    for a in p["agents"].as_array().expect("agents") {
        let row = find("requests_agent", a["agent"].as_str().unwrap());
        assert_eq!(figures(&row), as_floats(processing(a)));
    }
    for o in p["overdue"].as_array().expect("overdue") {
        let row = find("overdue", o["reference"].as_str().unwrap());
        assert_eq!(
            (
                &row["name"],
                &row["status"],
                &row["expected_ready_on"],
                &row["agent"]
            ),
            (
                &o["service"],
                &o["status"],
                &o["expected_ready_on"],
                &o["agent"]
            )
        );
        assert_eq!(row["days_late"].as_f64(), o["days_late"].as_f64());
    }
    let sections = [
        "requests_total",
        "requests_service",
        "requests_agent",
        "overdue",
    ];
    let count = rows
        .iter()
        .filter(|r| sections.contains(&r[0].as_str()))
        .count();
    assert_eq!(count, 1 + 2 + 2 + 2, "{text}");
}

/// The statistics page and the monthly report, read by the supervisor.
async fn pages_show_them(desk: &Desk, chef: &str, g: &str) {
    let path = format!("/admin/stats/{}?{RANGE}", desk.site);
    let (status, html, _) = page(&desk.app, &path, Some(chef)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    // 421,200 s is 4.9 days, 601,200 s 7.0; two of three is 66.7 %,
    // written as French does.
    let one = row(&html, &format!("processing-agent-{ONE}"));
    for cell in [">3<", ">4,9<", ">7<", ">2<", ">66,7 %<"] {
        assert!(one.contains(cell), "{cell} in {one}");
    }
    let all = row(&html, "processing-all");
    for cell in [">5<", ">5<", ">7<", ">3<", ">60 %<", ">2<"] {
        assert!(all.contains(cell), "{cell} in {all}");
    }
    let late = row(&html, &format!("overdue-{g}"));
    for cell in ["Légalisation de signature", "Déposée", "2026-11-27", ">11<"] {
        assert!(late.contains(cell), "{cell} in {late}");
    }
    // November: D and A ready (14,400 s and 90,000 s), both by ONE; only
    // G was overdue by its end. Arabic writes 0.2 with a comma too.
    let path = format!("/admin/report/{}?month=2026-11&lang=ar", desk.site);
    let (status, html, _) = page(&desk.app, &path, Some(chef)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let one = row(&html, &format!("processing-agent-{ONE}"));
    assert!(
        one.contains(">2<") && one.contains(">0,2<") && one.contains(">1<"),
        "{one}"
    );
    let late = row(&html, &format!("overdue-{g}"));
    assert!(late.contains("تصحيح الإمضاء"), "{late}");
    assert!(html.contains("الطلبات المتأخرة (1)"), "{html}");
}

/// Agents get 403; the public figures name no agent and no request.
async fn nobody_else_sees_them(desk: &Desk, g: &str, f: &str) {
    let agent = desk.app.login(ONE, STAFF_PASSWORD).await;
    let stats = format!("/api/v1/sites/{}/stats?{RANGE}", desk.site);
    let refused = desk.app.get(&stats, Some(&agent)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let csv = format!("{stats}&format=csv");
    let refused = desk.app.get(&csv, Some(&agent)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let (status, _, _) = page(
        &desk.app,
        &format!("/admin/stats/{}", desk.site),
        Some(&agent),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let public = format!("/api/v1/sites/{}/public-stats", desk.site);
    let answer = desk.app.get(&public, None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let (_, html, _) = page(&desk.app, &format!("/stats/{}", desk.site), None).await;
    for text in [answer.body.to_string(), html] {
        for secret in [ONE, g, f, "overdue", "within_delay"] {
            assert!(
                !text.contains(secret),
                "{secret} in the public figures: {text}"
            );
        }
    }
}
