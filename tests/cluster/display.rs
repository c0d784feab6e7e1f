//! A lobby or counter screen: a real WebSocket (tokio-tungstenite) opened
//! through nginx, read all along in its own task as a screen would, until
//! the site's log reaches the `seq` it is told.

use futures::StreamExt;
use serde_json::Value;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// How long a screen may wait for its next message once the work is done.
const PATIENCE: Duration = Duration::from_secs(20);

pub struct Display {
    pub path: String,
    until: watch::Sender<Option<i64>>,
    task: JoinHandle<Vec<Value>>,
}

impl Display {
    /// Opens `path` (`/ws/…`) at `base` (http://…) with an optional device
    /// token, and keeps reading it. Every message is kept, the first being
    /// the snapshot.
    pub async fn open(base: &str, path: &str, token: Option<&str>) -> Self {
        let url = format!("{}{path}", base.replacen("http", "ws", 1));
        let mut request = url.into_client_request().expect("WebSocket request");
        if let Some(token) = token {
            let value = format!("Bearer {token}").parse().expect("header value");
            request.headers_mut().insert("authorization", value);
        }
        let (mut stream, response) = tokio_tungstenite::connect_async(request)
            .await
            .unwrap_or_else(|e| panic!("{path} through nginx: {e}"));
        assert_eq!(response.status().as_u16(), 101, "{path} upgraded");
        // The snapshot comes once the instance follows the site for this
        // screen: from then on, it counts among its subscribers.
        let snapshot = loop {
            let message = tokio::time::timeout(PATIENCE, stream.next())
                .await
                .unwrap_or_else(|_| panic!("{path}: no snapshot"));
            match message {
                Some(Ok(Message::Text(text))) => {
                    break serde_json::from_str::<Value>(&text).expect("JSON snapshot");
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                other => panic!("{path}: {other:?} instead of a snapshot"),
            }
        };
        let (until, mut target) = watch::channel(None::<i64>);
        let task = tokio::spawn(async move {
            let mut last = snapshot["seq"].as_i64().unwrap_or(0);
            let mut seen: Vec<Value> = vec![snapshot];
            loop {
                if target.borrow().is_some_and(|t| last >= t) {
                    return seen;
                }
                let message = tokio::select! {
                    message = stream.next() => message,
                    changed = target.changed() => {
                        if changed.is_err() {
                            return seen;
                        }
                        continue;
                    }
                };
                match message {
                    Some(Ok(Message::Text(text))) => {
                        let value: Value = serde_json::from_str(&text).expect("JSON message");
                        last = value["seq"].as_i64().unwrap_or(last);
                        seen.push(value);
                    }
                    Some(Ok(Message::Close(frame))) => {
                        seen.push(
                            serde_json::json!({"type": "closed", "frame": format!("{frame:?}")}),
                        );
                        return seen;
                    }
                    Some(Ok(_)) => continue,
                    None | Some(Err(_)) => return seen,
                }
            }
        });
        Self {
            path: path.to_owned(),
            until,
            task,
        }
    }

    /// Everything the screen received up to and including `seq`; what it had
    /// when its stream went quiet for too long or ended otherwise.
    pub async fn received_until(self, seq: i64) -> Vec<Value> {
        self.until.send_replace(Some(seq));
        let mut task = self.task;
        match tokio::time::timeout(PATIENCE, &mut task).await {
            Ok(seen) => seen.expect("screen task"),
            Err(_) => {
                task.abort();
                panic!("{}: no event {seq} within {PATIENCE:?}", self.path)
            }
        }
    }
}
