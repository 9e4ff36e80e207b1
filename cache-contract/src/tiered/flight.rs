//! Single-flight: concurrent misses of one key (under one lease) run one load.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

enum State<T> {
    Running,
    Done(Arc<T>),
    Failed,
}

impl<T> Clone for State<T> {
    fn clone(&self) -> Self {
        match self {
            State::Running => State::Running,
            State::Done(v) => State::Done(v.clone()),
            State::Failed => State::Failed,
        }
    }
}

/// In-flight loads by lease id.
pub(crate) struct Flights<T> {
    map: Mutex<HashMap<String, watch::Receiver<State<T>>>>,
}

/// The role a caller gets for a key.
pub(crate) enum Role<'a, T> {
    /// Run the load, then [`Leader::complete`].
    Leader(Leader<'a, T>),
    /// Wait for the leader.
    Follower(Follower<T>),
}

/// The caller that runs the load. Dropping it without completing (an error, a cancelled
/// future) releases the followers, who retry.
pub(crate) struct Leader<'a, T> {
    flights: &'a Flights<T>,
    id: String,
    tx: watch::Sender<State<T>>,
}

/// A caller waiting for a leader.
pub(crate) struct Follower<T> {
    rx: watch::Receiver<State<T>>,
}

impl<T> Flights<T> {
    pub(crate) fn new() -> Self {
        Flights {
            map: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn join(&self, id: String) -> Role<'_, T> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(rx) = map.get(&id) {
            return Role::Follower(Follower { rx: rx.clone() });
        }
        let (tx, rx) = watch::channel(State::Running);
        map.insert(id.clone(), rx);
        Role::Leader(Leader {
            flights: self,
            id,
            tx,
        })
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.lock().unwrap().len()
    }
}

impl<T> Leader<'_, T> {
    /// Hands the loaded value to the followers.
    pub(crate) fn complete(self, value: Arc<T>) {
        self.tx.send_replace(State::Done(value));
    }
}

impl<T> Drop for Leader<'_, T> {
    fn drop(&mut self) {
        self.flights
            .map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.id);
        if matches!(*self.tx.borrow(), State::Running) {
            self.tx.send_replace(State::Failed);
        }
    }
}

impl<T> Follower<T> {
    /// The leader's value, or `None` if it failed (the caller retries).
    pub(crate) async fn wait(mut self) -> Option<Arc<T>> {
        let state = self
            .rx
            .wait_for(|s| !matches!(s, State::Running))
            .await
            .ok()?
            .clone();
        match state {
            State::Done(v) => Some(v),
            State::Running | State::Failed => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn followers_get_the_leaders_value_or_retry() {
        let f = Flights::<u32>::new();
        let Role::Leader(leader) = f.join("k".into()) else {
            panic!("first caller leads")
        };
        let Role::Follower(follower) = f.join("k".into()) else {
            panic!("second follows")
        };
        leader.complete(Arc::new(7));
        assert_eq!(follower.wait().await.as_deref(), Some(&7));
        assert_eq!(f.len(), 0);

        let Role::Leader(leader) = f.join("k".into()) else {
            panic!("new flight")
        };
        let Role::Follower(follower) = f.join("k".into()) else {
            panic!("follows")
        };
        drop(leader);
        assert_eq!(follower.wait().await, None);
        assert_eq!(f.len(), 0);
    }
}
