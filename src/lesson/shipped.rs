//! The lessons that ship in the bundle: JSON files beside this one, compiled in, in course
//! order. Each is an ordinary lesson file (`lbsim lesson ID` plays it, the tests check them all).

use super::format::Lesson;

/// A shipped lesson: its id and its file.
pub struct Shipped {
    /// Its id (the file's `id`; a test keeps them equal).
    pub id: &'static str,
    /// The lesson file.
    pub json: &'static str,
}

impl Shipped {
    /// The lesson. Shipped files are valid (the tests check every one).
    pub fn lesson(&self) -> Lesson {
        Lesson::from_json(self.json).expect("a shipped lesson is valid")
    }

    /// The lesson's title, read without the rest of the file: the lesson menu lists every
    /// shipped lesson, and reading them all in full was a sixth of the page's start-up.
    pub fn title(&self) -> String {
        /// The one field the menu needs; serde passes over the others.
        #[derive(serde::Deserialize)]
        struct Head {
            title: String,
        }
        serde_json::from_str::<Head>(self.json)
            .expect("a shipped lesson is valid")
            .title
    }
}

/// A shipped lesson from `shipped/{id}.json`.
macro_rules! lesson {
    ($id:literal) => {
        Shipped {
            id: $id,
            json: include_str!(concat!("shipped/", $id, ".json")),
        }
    };
}

/// Every shipped lesson, in course order.
pub const LESSONS: &[Shipped] = &[
    lesson!("round-robin"),
    lesson!("least-connections"),
    lesson!("weighted-least-connections"),
    lesson!("ip-hash-and-sticky-sessions"),
    lesson!("power-of-two-choices"),
    lesson!("response-time"),
    lesson!("health-checks"),
    lesson!("passive-checks"),
    lesson!("circuit-breaker"),
    lesson!("retries"),
    lesson!("consistent-hashing"),
    lesson!("capacity-planning"),
    lesson!("rate-limiting"),
    lesson!("autoscaling"),
    lesson!("layer4-and-layer7"),
];

/// The shipped lesson with this id.
pub fn shipped(id: &str) -> Option<&'static Shipped> {
    LESSONS.iter().find(|l| l.id == id)
}
