//! What a crash in the middle of an upload leaves in the media store (a
//! `*.part` file and a file never recorded beside the SQLite database;
//! chunks with no row in PostgreSQL) is removed by the sweep once it has
//! been seen for longer than any upload may last, and never before; the
//! capsules the lobby shows keep their bytes.

use crate::capsules::{PNG, upload};
use crate::support::sites::seed_site;
use guichet::app::media::{LEFTOVER_AGE_MS, sweep};
use guichet::store::media::MediaStore;
use guichet_test_support::{Backend, TestApp, on_both_backends};
use reqwest::StatusCode;

on_both_backends!(crash_leftovers_are_swept_once_old_and_capsules_stay);

/// Leaves what a crash mid-upload would: two files, or chunks of an
/// object never recorded. Returns how many leftovers it made.
async fn crash_in_mid_upload(app: &TestApp) -> usize {
    match &app.app.media.store {
        MediaStore::Dir(dir) => {
            std::fs::create_dir_all(dir).expect("media dir");
            std::fs::write(dir.join("crashed-while-writing.part"), b"half a video")
                .expect("a part file");
            std::fs::write(dir.join("crashed-before-its-row"), b"a whole file")
                .expect("a file with no row");
            2
        }
        MediaStore::Database(db) => {
            let mut tx = db.begin().await.expect("tx");
            for n in 0..2_i64 {
                guichet_test_support::write!(&mut tx, |c| sqlx::query(
                    "INSERT INTO media_chunks (media_id, n, data) VALUES ('crashed', $1, $2)"
                )
                .bind(n)
                .bind(vec![7_u8; 1024])
                .execute(c)
                .await
                .map(|done| done.rows_affected()))
                .expect("a chunk");
            }
            tx.commit().await.expect("commit");
            1
        }
    }
}

/// Bytes of the store in place: files in the directory, or chunk rows.
async fn stored_pieces(app: &TestApp) -> usize {
    match &app.app.media.store {
        MediaStore::Dir(dir) => std::fs::read_dir(dir).expect("media dir").count(),
        MediaStore::Database(_) => app.count("media_chunks").await as usize,
    }
}

async fn crash_leftovers_are_swept_once_old_and_capsules_stay(backend: Backend) {
    let (app, time) = TestApp::builder()
        .backend(backend)
        .spawn_at("2026-12-07T10:00:00Z")
        .await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    let made = upload(
        &app,
        Some(&admin),
        "anfa",
        "title=Anfa",
        "image/png",
        PNG.to_vec(),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let url = made.body["url"].as_str().expect("a URL").to_owned();
    let kept = stored_pieces(&app).await;
    let made_left = crash_in_mid_upload(&app).await;
    assert!(stored_pieces(&app).await > kept);

    // Just seen: an upload may still be writing them.
    assert_eq!(sweep(&app.app, LEFTOVER_AGE_MS).await.expect("a sweep"), 0);
    time.set(time.now() + jiff::SignedDuration::from_mins(90));
    assert_eq!(sweep(&app.app, LEFTOVER_AGE_MS).await.expect("a sweep"), 0);
    assert!(
        stored_pieces(&app).await > kept,
        "still there after 90 minutes"
    );

    // Seen for two hours: no upload lasts that long, they go.
    time.set(time.now() + jiff::SignedDuration::from_mins(31));
    assert_eq!(
        sweep(&app.app, LEFTOVER_AGE_MS).await.expect("a sweep"),
        made_left
    );
    assert_eq!(stored_pieces(&app).await, kept);
    assert_eq!(sweep(&app.app, LEFTOVER_AGE_MS).await.expect("a sweep"), 0);

    // The capsule the lobby shows is whole.
    let served = app.http.get(app.url(&url)).send().await.expect("served");
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.bytes().await.expect("its bytes").as_ref(), PNG);
    let shown = app.get("/api/v1/sites/anfa/capsules", None).await;
    assert_eq!(shown.body["capsules"][0]["url"], url.as_str());
}
