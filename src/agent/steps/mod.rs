//! The capture steps' producers: inspect, diff (overlay upper layer), export (the merged root
//! through /proc, as tar), volatile state (processes, sockets). Each writes into a stream the
//! capture hands it; none knows where the bytes go.

pub mod diff;
pub mod export;
pub mod history;
pub mod inspect;
pub mod mask;
pub mod sockets;
pub mod tarwriter;
pub mod volatile;
pub mod walk;
