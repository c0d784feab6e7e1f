//! The demo office as a newcomer opens it: four weeks of an ordinary past,
//! so the figures pages show something on the first click.

use guichet::domain::role::Role;
use guichet_test_support::TestApp;
use reqwest::StatusCode;

#[tokio::test]
async fn the_demo_office_has_weeks_of_visits_to_show() {
    let app = TestApp::builder().spawn().await;
    let seeded = guichet::app::demo::seed(&app.app).await.expect("seeded");
    assert!(seeded.is_some());
    let today = app.get("/api/v1/sites/casa-anfa/queue", None).await;
    assert_eq!(today.status, StatusCode::OK);
    let waiting: i64 = today.body["services"]
        .as_array()
        .expect("services")
        .iter()
        .map(|s| s["waiting"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(waiting, 0, "the past leaves nobody waiting today");

    let figures = app.get("/api/v1/sites/casa-anfa/public-stats", None).await;
    assert_eq!(figures.status, StatusCode::OK, "{}", figures.body);
    let services = figures.body["services"].as_array().expect("services");
    let residence = services
        .iter()
        .find(|s| s["id"] == "residence")
        .expect("residence");
    assert_eq!(residence["wait"]["enough_data"], true, "{residence}");
    let median = residence["wait"]["median_minutes"]
        .as_i64()
        .expect("median");
    let p90 = residence["wait"]["p90_minutes"].as_i64().expect("p90");
    assert!(
        median >= 1 && p90 > median,
        "a real office waits: {residence}"
    );
    assert_eq!(residence["processing"]["enough_data"], true, "{residence}");
    assert!(
        services.iter().all(|s| s["wait"]["enough_data"] == true),
        "every service has been asked for: {}",
        figures.body
    );
    // Some joined from a phone: they waited mostly at home.
    let places = &figures.body["home_and_lobby"];
    assert_eq!(places["enough_data"], true, "{places}");
    let home = places["remote_home_median_minutes"].as_i64().expect("home");
    let lobby = places["remote_lobby_median_minutes"]
        .as_i64()
        .expect("lobby");
    let everyone = places["lobby_median_minutes"].as_i64().expect("everyone");
    assert!(home > lobby && everyone > lobby, "{places}");
    // Supervisors see them among the channels, and those who never came.
    let chef = app
        .add_staff("casa-chef", Role::Supervisor, "casa-anfa")
        .await;
    let stats = app.get("/api/v1/sites/casa-anfa/stats", Some(&chef)).await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.body);
    let remote = &stats.body["remote"];
    let count = |key: &str| remote[key].as_i64().unwrap_or(0);
    assert!(
        count("issued") > count("present") && count("present") > 0 && count("lapsed") > 0,
        "{remote}"
    );
    let channels: Vec<i64> = stats.body["channels"]
        .as_array()
        .expect("channels")
        .iter()
        .map(|c| c["issued"].as_i64().unwrap_or(0))
        .collect();
    assert!(channels[..3].iter().all(|n| *n > 0), "{channels:?}");
}
