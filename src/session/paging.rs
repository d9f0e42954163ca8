//! Paging the server cards: with many servers the page shows [`CARDS_PER_PAGE`] cards at a time,
//! which keeps the DOM small with 1,000 servers. The page follows the selection, so the keyboard's
//! ↑ and ↓ page as they select, and the pager's buttons select the first server of their page.

/// How many server cards are shown at once.
pub const CARDS_PER_PAGE: usize = 24;

/// The servers whose cards are shown: indices `start..end` of `total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    /// The first server shown.
    pub start: usize,
    /// One past the last server shown.
    pub end: usize,
    /// How many servers there are.
    pub total: usize,
}

impl Page {
    /// The page holding the `selected` server (the first page if none is) among `total`.
    pub fn of(selected: Option<usize>, total: usize) -> Page {
        let at = selected.unwrap_or(0).min(total.saturating_sub(1));
        let start = at / CARDS_PER_PAGE * CARDS_PER_PAGE;
        Page {
            start,
            end: (start + CARDS_PER_PAGE).min(total),
            total,
        }
    }

    /// Whether there are more servers than one page shows (so a pager is needed).
    pub fn is_paged(&self) -> bool {
        self.total > CARDS_PER_PAGE
    }

    /// The first server of the previous page, if there is one.
    pub fn previous(&self) -> Option<usize> {
        (self.start > 0).then(|| self.start.saturating_sub(CARDS_PER_PAGE))
    }

    /// The first server of the next page, if there is one.
    pub fn next(&self) -> Option<usize> {
        (self.end < self.total).then_some(self.end)
    }
}
