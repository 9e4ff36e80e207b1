//! What the Redis transports (Pub/Sub and Streams) share: the publisher's reconnecting
//! connection, its pipelined send, and the subscriber's reconnect loop with exponential
//! backoff.

use std::time::Duration;

use redis::aio::ConnectionManager;

use super::PublishError;

/// A publisher's connection: reconnects by itself, 2 s connect and response timeouts.
pub(crate) async fn publisher_connection(
    client: redis::Client,
) -> redis::RedisResult<ConnectionManager> {
    client
        .get_connection_manager_with_config(
            redis::aio::ConnectionManagerConfig::new()
                .set_connection_timeout(Some(Duration::from_secs(2)))
                .set_response_timeout(Some(Duration::from_secs(2)))
                .set_number_of_retries(1),
        )
        .await
}

/// Sends a pipeline of publishes in one round trip, once more if the connection had
/// dropped (see [`super::retry_once`]: receivers drop repeated ids).
pub(crate) async fn send(
    conn: &ConnectionManager,
    pipe: &redis::Pipeline,
) -> Result<(), PublishError> {
    super::retry_once(|| {
        let mut conn = conn.clone();
        async move { pipe.exec_async(&mut conn).await }
    })
    .await
    .map_err(PublishError::Redis)
}

/// Runs `session` (connect, then consume until the connection dies) forever. After a
/// session that connected, the next attempt waits `min`; each failed attempt doubles the
/// wait, up to `max`.
pub(crate) async fn reconnect_forever<F, Fut>(min: Duration, max: Duration, mut session: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Connected>,
{
    let mut backoff = min;
    loop {
        if session().await == Connected::Yes {
            backoff = min;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(max);
    }
}

/// Whether a subscriber's session got connected (which resets the backoff).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Connected {
    Yes,
    No,
}
