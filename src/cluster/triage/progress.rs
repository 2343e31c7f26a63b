//! A source's progress: one task of the command layer's observer (items counted, total once known).

/// Shared between a source's task and the code that finishes it.
pub type Bar = std::sync::Arc<dyn crate::observe::Task>;

/// A bar that shows nothing.
pub fn hidden() -> Bar {
    std::sync::Arc::new(crate::observe::Quiet)
}
