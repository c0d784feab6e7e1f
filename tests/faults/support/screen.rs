//! A lobby screen as the display script behaves: it follows
//! `/ws/sites/{site}`, and whenever the socket closes or breaks it
//! reconnects with `?since=` the last `seq` it showed, to the next
//! instance in its list if its own is gone. It records every event's
//! `seq`, and whether it ever had to start over from a new snapshot.

use futures::StreamExt;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

pub struct Screen {
    log: Arc<Mutex<ScreenLog>>,
    stop: CancellationToken,
}

#[derive(Default, Clone, Debug)]
pub struct ScreenLog {
    /// The `seq` of the first snapshot.
    pub start: Option<i64>,
    /// Every event's `seq`, in the order received.
    pub seqs: Vec<i64>,
    /// Connections after the first.
    pub reconnects: usize,
    /// Snapshots received when resuming (the events were not replayed).
    pub fresh_snapshots: usize,
}

impl ScreenLog {
    pub fn last(&self) -> Option<i64> {
        self.seqs.last().copied().or(self.start)
    }

    /// Whether the events are exactly `start + 1 ..= last`, in order.
    pub fn is_complete_up_to(&self, last: i64) -> bool {
        let Some(start) = self.start else {
            return false;
        };
        self.fresh_snapshots == 0 && self.seqs == (start + 1..=last).collect::<Vec<_>>()
    }
}

impl Screen {
    /// Follows `path` on the first of `bases` (`http://…`), moving along
    /// the list when an instance stops answering. Returns once the first
    /// snapshot has arrived.
    pub async fn follow(bases: Vec<String>, path: &str) -> Self {
        let log = Arc::new(Mutex::new(ScreenLog::default()));
        let stop = CancellationToken::new();
        let urls: Vec<String> = bases
            .iter()
            .map(|base| format!("{}{path}", base.replacen("http", "ws", 1)))
            .collect();
        tokio::spawn(run(urls, log.clone(), stop.clone()));
        let screen = Self { log, stop };
        super::eventually(Duration::from_secs(10), "first snapshot", || async {
            screen.log().start.is_some()
        })
        .await;
        screen
    }

    pub fn log(&self) -> ScreenLog {
        self.log.lock().unwrap().clone()
    }

    /// Waits until the screen has shown `seq` (or `within` passed), then
    /// returns what it saw.
    pub async fn until(&self, seq: i64, within: Duration) -> ScreenLog {
        guichet_test_support::holds_within(within, async || self.log().last() >= Some(seq)).await;
        self.log()
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn run(urls: Vec<String>, log: Arc<Mutex<ScreenLog>>, stop: CancellationToken) {
    let mut which = 0;
    let mut connected_before = false;
    loop {
        let since = log.lock().unwrap().last();
        let url = match since {
            Some(seq) => format!("{}?since={seq}", urls[which]),
            None => urls[which].clone(),
        };
        let connect = tokio::time::timeout(
            Duration::from_secs(5),
            tokio_tungstenite::connect_async(url),
        );
        let mut stream = tokio::select! {
            _ = stop.cancelled() => return,
            connected = connect => match connected {
                Ok(Ok((stream, _))) => stream,
                _ => {
                    // That instance is gone: try the next one, after a
                    // moment as the display script does.
                    which = (which + 1) % urls.len();
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            },
        };
        if connected_before {
            log.lock().unwrap().reconnects += 1;
        }
        connected_before = true;
        loop {
            let message = tokio::select! {
                _ = stop.cancelled() => return,
                message = stream.next() => message,
            };
            let text = match message {
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => continue,
            };
            let Ok(value) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            let Some(seq) = value["seq"].as_i64() else {
                continue;
            };
            let mut log = log.lock().unwrap();
            if value["type"] == "snapshot" {
                if log.start.is_none() {
                    log.start = Some(seq);
                } else if since.is_some() {
                    // Resuming gave a snapshot: whatever came between
                    // was never shown as events.
                    log.fresh_snapshots += 1;
                }
            } else {
                log.seqs.push(seq);
            }
        }
        // Like the display script: a moment, then reconnect.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
