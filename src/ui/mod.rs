//! The browser UI (placeholder until the components land).
