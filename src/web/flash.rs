//! One-time messages shown after a redirect ("Pengguna ditambahkan."). They are kept here,
//! keyed by the staff session, never taken from the URL: a link cannot put words into the
//! console in the office's name.

use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashKind {
    Ok,
    Err,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub kind: FlashKind,
    pub text: String,
}

impl Flash {
    pub fn ok(text: impl Into<String>) -> Self {
        Self {
            kind: FlashKind::Ok,
            text: text.into(),
        }
    }

    pub fn err(text: impl Into<String>) -> Self {
        Self {
            kind: FlashKind::Err,
            text: text.into(),
        }
    }

    /// The CSS class the page layout gives the message.
    pub fn class(&self) -> &'static str {
        match self.kind {
            FlashKind::Ok => "ok",
            FlashKind::Err => "err",
        }
    }
}

/// Messages waiting for a session's next page. Bounded: a session that never comes back
/// cannot make the map grow without end.
#[derive(Debug, Default)]
pub struct Flashes {
    /// Per session: when its messages were left (a counter, for eviction) and the messages.
    waiting: Mutex<HashMap<String, (u64, Vec<Flash>)>>,
    next: std::sync::atomic::AtomicU64,
}

/// Sessions with a message waiting, and messages per session, at most.
const MAX_SESSIONS: usize = 256;
const MAX_PER_SESSION: usize = 4;

impl Flashes {
    pub fn push(&self, session_key: &str, flash: Flash) {
        let Ok(mut waiting) = self.waiting.lock() else {
            return;
        };
        if waiting.len() >= MAX_SESSIONS
            && !waiting.contains_key(session_key)
            && let Some(oldest) = waiting
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(k, _)| k.clone())
        {
            // The oldest left is a page nobody came back to: a live page takes its own at
            // once, so its message is never the one to go.
            waiting.remove(&oldest);
        }
        let at = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (left, list) = waiting.entry(session_key.to_string()).or_default();
        *left = at;
        if list.len() >= MAX_PER_SESSION {
            list.remove(0);
        }
        list.push(flash);
    }

    /// The session's messages, removed: each is shown once.
    pub fn take(&self, session_key: &str) -> Vec<Flash> {
        self.waiting
            .lock()
            .ok()
            .and_then(|mut w| w.remove(session_key))
            .map(|(_, list)| list)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_shown_once_and_only_to_its_session() {
        let f = Flashes::default();
        f.push("a", Flash::ok("Tersimpan."));
        assert!(f.take("b").is_empty());
        assert_eq!(f.take("a"), vec![Flash::ok("Tersimpan.")]);
        assert!(f.take("a").is_empty());
    }

    #[test]
    fn bounded_per_session_and_overall() {
        let f = Flashes::default();
        for i in 0..10 {
            f.push("a", Flash::err(format!("{i}")));
        }
        let kept: Vec<String> = f.take("a").into_iter().map(|m| m.text).collect();
        assert_eq!(kept, ["6", "7", "8", "9"]);
        for i in 0..MAX_SESSIONS + 5 {
            f.push(&format!("s{i}"), Flash::ok("x"));
        }
        assert_eq!(f.waiting.lock().map(|w| w.len()).unwrap_or(0), MAX_SESSIONS);
        // The oldest went; the newest is there.
        assert!(f.take("s0").is_empty());
        assert_eq!(
            f.take(&format!("s{}", MAX_SESSIONS + 4)),
            vec![Flash::ok("x")]
        );
    }
}
