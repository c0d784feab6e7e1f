//! Lobby capsules through the API, on both backends: refused uploads (too
//! big, wrong type, wrong person) keep nothing, in the tables or on disk;
//! a stored file is served with byte ranges, caching and its real type;
//! days and hours decide what the lobby gets; deleting removes the file.

use crate::support::sites::seed_site;
use guichet::domain::role::Role;
use guichet::store::media::MediaStore;
use guichet_test_support::{Backend, TestApp, on_both_backends};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde_json::{Value, json};

on_both_backends!(
    refused_uploads_keep_nothing,
    a_capsule_is_served_by_ranges_and_cached,
    days_and_hours_decide_what_the_lobby_gets,
);

/// The committed test card: a 160×90 PNG.
pub const PNG: &[u8] = include_bytes!("fixtures/capsule.png");

/// `size` bytes that read as an MP4 (an `ftyp` box), then a counting pattern.
pub fn fake_mp4(size: usize) -> Vec<u8> {
    let mut bytes = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2".to_vec();
    bytes.extend((0..size.saturating_sub(bytes.len())).map(|i| (i % 251) as u8));
    bytes
}

/// Uploads `bytes` declared as `content_type` to `site`'s capsules.
pub async fn upload(
    app: &TestApp,
    token: Option<&str>,
    site: &str,
    query: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> guichet_test_support::Answer {
    let mut request = app
        .http
        .post(app.url(&format!("/api/v1/sites/{site}/capsules?{query}")))
        .header(CONTENT_TYPE, content_type)
        .body(bytes);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    app.send(request).await
}

/// Files in the media directory (none at all on the database store).
fn files_on_disk(app: &TestApp) -> Vec<String> {
    match &app.app.media.store {
        MediaStore::Dir(dir) => std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default(),
        MediaStore::Database(_) => Vec::new(),
    }
}

async fn nothing_stored(app: &TestApp) {
    assert_eq!(app.count("capsules").await, 0);
    assert_eq!(app.count("media_objects").await, 0);
    assert_eq!(app.count("media_chunks").await, 0);
    assert_eq!(files_on_disk(app), Vec::<String>::new());
}

async fn refused_uploads_keep_nothing(backend: Backend) {
    let app = TestApp::builder()
        .backend(backend)
        .config(|c| {
            c.media_max_image_mb = 1;
            c.media_max_video_mb = 2;
        })
        .spawn()
        .await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    seed_site(&app, &admin, "maarif").await;
    let boss = app.add_staff("boss", Role::Supervisor, "anfa").await;

    // Too big: 2 MB of image, declared (Content-Length) or streamed.
    let mut big_png = PNG.to_vec();
    big_png.resize(2 << 20, 7);
    let answer = upload(&app, Some(&boss), "anfa", "", "image/png", big_png.clone()).await;
    assert_eq!(
        answer.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        answer.body
    );
    assert_eq!(answer.code(), "too_large");
    let streamed = chunked_upload(&app, &boss, "/api/v1/sites/anfa/capsules", &big_png).await;
    assert!(streamed.starts_with("HTTP/1.1 413"), "{streamed}");
    // A video over its own limit, streamed past the first megabyte chunk.
    let answer = upload(
        &app,
        Some(&boss),
        "anfa",
        "",
        "video/mp4",
        fake_mp4(3 << 20),
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        answer.body
    );
    nothing_stored(&app).await;

    // Wrong type: text named as a video, a PNG declared as a video, SVG,
    // an empty body.
    for (declared, bytes) in [
        ("video/mp4", b"this is a text file, not a video\n".to_vec()),
        ("video/mp4", PNG.to_vec()),
        (
            "image/svg+xml",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec(),
        ),
        ("application/octet-stream", Vec::new()),
    ] {
        let answer = upload(&app, Some(&boss), "anfa", "", declared, bytes).await;
        assert_eq!(
            answer.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{declared}: {}",
            answer.body
        );
        assert_eq!(answer.code(), "unsupported_media_type");
    }
    // Bad schedule: refused before a byte is kept.
    let answer = upload(
        &app,
        Some(&boss),
        "anfa",
        "days=8",
        "image/png",
        PNG.to_vec(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.code(), "invalid_days");
    let answer = upload(
        &app,
        Some(&boss),
        "anfa",
        "from=25:00&until=26:00",
        "image/png",
        PNG.to_vec(),
    )
    .await;
    assert_eq!(answer.code(), "invalid_from");

    // The wrong people: nobody, the site's agent, another site's supervisor.
    let agent = app.add_staff("agent", Role::Agent, "anfa").await;
    let other = app
        .add_staff("boss-maarif", Role::Supervisor, "maarif")
        .await;
    for (token, status) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some(agent.as_str()), StatusCode::FORBIDDEN),
        (Some(other.as_str()), StatusCode::FORBIDDEN),
    ] {
        let answer = upload(&app, token, "anfa", "", "image/png", PNG.to_vec()).await;
        assert_eq!(answer.status, status, "{}", answer.body);
        let list = app.get("/api/v1/sites/anfa/capsules/all", token).await;
        assert_eq!(list.status, status);
    }
    nothing_stored(&app).await;

    // The site's own supervisor may; another site's may not delete it.
    let made = upload(
        &app,
        Some(&boss),
        "anfa",
        "title=Carte",
        "image/png",
        PNG.to_vec(),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let path = format!(
        "/api/v1/sites/anfa/capsules/{}",
        made.body["id"].as_str().unwrap()
    );
    let refused = app
        .call(reqwest::Method::DELETE, &path, Some(&other), None)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = app
        .call(reqwest::Method::DELETE, &path, Some(&agent), None)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("capsules").await, 1);
}

/// Sends `bytes` chunked (no `Content-Length`) over a plain socket, as a
/// client streaming a file of unknown length; returns the answer's head.
async fn chunked_upload(app: &TestApp, token: &str, path: &str, bytes: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.base.trim_start_matches("http://").to_owned();
    let mut socket = tokio::net::TcpStream::connect(&host)
        .await
        .expect("connects");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: image/png\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    socket.write_all(head.as_bytes()).await.expect("head sent");
    for chunk in bytes.chunks(64 * 1024) {
        let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
        framed.extend_from_slice(chunk);
        framed.extend_from_slice(b"\r\n");
        // The server may answer and close before the end: that is the point.
        if socket.write_all(&framed).await.is_err() {
            break;
        }
    }
    let _ = socket.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = socket.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

async fn get_with(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = app.http.get(app.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("an answer");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.expect("a body").to_vec();
    (status, headers, body)
}

async fn a_capsule_is_served_by_ranges_and_cached(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    // 2.5 MB: three chunks in the database, a range across their border.
    let video = fake_mp4(5 << 19);
    let made = upload(
        &app,
        Some(&admin),
        "anfa",
        "title=Quartier%20Anfa",
        "video/mp4",
        video.clone(),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    assert_eq!(made.body["kind"], "video");
    assert_eq!(made.body["content_type"], "video/mp4");
    let url = made.body["url"].as_str().expect("a URL").to_owned();
    let shown = app.get("/api/v1/sites/anfa/capsules", None).await;
    assert_eq!(shown.body["capsules"][0]["url"], url.as_str());

    let (status, headers, body) = get_with(&app, &url, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, video);
    assert_eq!(headers["content-type"], "video/mp4");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["accept-ranges"], "bytes");
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let etag = headers["etag"].to_str().unwrap().to_owned();

    let (status, _, body) = get_with(&app, &url, &[("if-none-match", &etag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());

    let border = 1 << 20;
    let range = format!("bytes={}-{}", border - 10, border + 9);
    for (asked, start, end) in [
        ("bytes=0-9".to_owned(), 0, 9),
        (range, border - 10, border + 9),
        ("bytes=-5".to_owned(), video.len() - 5, video.len() - 1),
        (
            format!("bytes={}-", 2 * border + 3),
            2 * border + 3,
            video.len() - 1,
        ),
    ] {
        let (status, headers, body) = get_with(&app, &url, &[("range", &asked)]).await;
        assert_eq!(status, StatusCode::PARTIAL_CONTENT, "{asked}");
        assert_eq!(
            headers["content-range"],
            format!("bytes {start}-{end}/{}", video.len()).as_str()
        );
        assert_eq!(body, video[start..=end], "{asked}");
        assert_eq!(headers["content-type"], "video/mp4");
    }
    for asked in [format!("bytes={}-", video.len()), "bytes=9-3".to_owned()] {
        let (status, headers, _) = get_with(&app, &url, &[("range", &asked)]).await;
        assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE, "{asked}");
        assert_eq!(
            headers["content-range"],
            format!("bytes */{}", video.len()).as_str()
        );
    }
    let (status, _, _) = get_with(&app, "/api/v1/media/nothing-here", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Deleted: the file goes, its address answers 404.
    let path = format!(
        "/api/v1/sites/anfa/capsules/{}",
        made.body["id"].as_str().unwrap()
    );
    let deleted = app
        .call(reqwest::Method::DELETE, &path, Some(&admin), None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(get_with(&app, &url, &[]).await.0, StatusCode::NOT_FOUND);
    nothing_stored(&app).await;
    let openapi = app.get("/api/v1/openapi.json", None).await.body;
    assert!(openapi["paths"]["/api/v1/media/{id}"]["get"].is_object());
    assert!(openapi["paths"]["/api/v1/sites/{site}/capsules"]["post"].is_object());
}

async fn days_and_hours_decide_what_the_lobby_gets(backend: Backend) {
    // Monday 1 June 2026, 11:00 in Casablanca (UTC+1).
    let (app, time) = TestApp::builder()
        .backend(backend)
        .spawn_at("2026-06-01T10:00:00Z")
        .await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    let made = upload(
        &app,
        Some(&admin),
        "anfa",
        "title=Afternoons&from=14:00&until=16:00",
        "image/png",
        PNG.to_vec(),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    assert_eq!(made.body["from"], "14:00");
    let id = made.body["id"].as_str().unwrap().to_owned();
    let showing = async |app: &TestApp| -> Value {
        app.get("/api/v1/sites/anfa/capsules", None).await.body["capsules"].clone()
    };
    assert_eq!(showing(&app).await, json!([]));
    let all = app
        .get("/api/v1/sites/anfa/capsules/all", Some(&admin))
        .await;
    assert_eq!(
        all.body["capsules"][0]["days"],
        json!([1, 2, 3, 4, 5, 6, 7])
    );

    time.set("2026-06-01T14:30:00Z".parse().unwrap());
    assert_eq!(showing(&app).await[0]["id"], id.as_str());

    // Tuesdays only: gone on this Monday.
    let path = format!("/api/v1/sites/anfa/capsules/{id}");
    let changed = app
        .call(
            reqwest::Method::PUT,
            &path,
            Some(&admin),
            Some(json!({"title": "Mardi", "days": "2"})),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["days"], json!([2]));
    assert_eq!(changed.body["from"], Value::Null);
    assert_eq!(showing(&app).await, json!([]));
    let refused = app
        .call(
            reqwest::Method::PUT,
            &path,
            Some(&admin),
            Some(json!({"days": "lundi"})),
        )
        .await;
    assert_eq!(refused.code(), "invalid_days");
    let unknown = app
        .call(
            reqwest::Method::PUT,
            "/api/v1/sites/anfa/capsules/nope",
            Some(&admin),
            Some(json!({})),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
