//! Who is called next at a counter.
//!
//! Due appointment check-ins first, then `priority`, then `normal`, oldest
//! first within a class. Fairness: once a site has called `max_streak`
//! non-normal tickets in a row, the oldest normal ticket goes first if it
//! has waited longer than the head of the priority classes.

use super::ticket::Priority;

/// The head of one class of a counter's queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub id: String,
    pub priority: Priority,
    pub issued_at: i64,
}

/// Picks between the head of the non-normal classes and the head of the
/// normal class; `streak` is the site's count of non-normal calls in a row.
pub fn choose(
    ahead: Option<Head>,
    normal: Option<Head>,
    streak: i64,
    max_streak: i64,
) -> Option<Head> {
    match (ahead, normal) {
        (Some(a), Some(n)) if streak >= max_streak && n.issued_at < a.issued_at => Some(n),
        (Some(a), _) => Some(a),
        (None, n) => n,
    }
}

/// The site's streak after calling a ticket of this class.
pub fn next_streak(streak: i64, called: Priority) -> i64 {
    match called {
        Priority::Normal => 0,
        Priority::Priority | Priority::Appointment => streak + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(id: &str, priority: Priority, issued_at: i64) -> Head {
        Head {
            id: id.into(),
            priority,
            issued_at,
        }
    }

    /// Replays a queue: tickets (id, class, issue time) called one by one.
    fn replay(mut queue: Vec<Head>, max_streak: i64) -> Vec<String> {
        let mut streak = 0;
        let mut order = Vec::new();
        while !queue.is_empty() {
            let oldest = |normal: bool| {
                queue
                    .iter()
                    .filter(|h| (h.priority == Priority::Normal) == normal)
                    .min_by_key(|h| (h.priority != Priority::Appointment, h.issued_at))
                    .cloned()
            };
            let picked = choose(oldest(false), oldest(true), streak, max_streak).unwrap();
            streak = next_streak(streak, picked.priority);
            queue.retain(|h| h.id != picked.id);
            order.push(picked.id);
        }
        order
    }

    #[test]
    fn classes_then_age() {
        let queue = vec![
            head("n1", Priority::Normal, 1),
            head("p1", Priority::Priority, 2),
            head("a1", Priority::Appointment, 3),
            head("n2", Priority::Normal, 4),
        ];
        assert_eq!(replay(queue, 10), ["a1", "p1", "n1", "n2"]);
    }

    #[test]
    fn fairness_lets_a_long_waiting_normal_ticket_through() {
        // A morning of many elderly visitors: normal tickets still move.
        let mut queue = vec![
            head("n1", Priority::Normal, 0),
            head("n2", Priority::Normal, 1),
        ];
        queue.extend((0..7).map(|i| head(&format!("p{i}"), Priority::Priority, 10 + i)));
        let order = replay(queue, 3);
        assert_eq!(
            order,
            ["p0", "p1", "p2", "n1", "p3", "p4", "p5", "n2", "p6"]
        );
    }

    #[test]
    fn fairness_never_jumps_a_newer_normal_ticket_ahead() {
        let queue = vec![
            head("p1", Priority::Priority, 0),
            head("p2", Priority::Priority, 1),
            head("p3", Priority::Priority, 2),
            head("p4", Priority::Priority, 3),
            head("n1", Priority::Normal, 50),
        ];
        assert_eq!(replay(queue, 3), ["p1", "p2", "p3", "p4", "n1"]);
    }

    #[test]
    fn empty_queue() {
        assert_eq!(choose(None, None, 5, 3), None);
    }
}
