//! kforensic's integration tests, as one test binary: one module per area, shared helpers in
//! `support`. Run one area with `cargo test --test it <module>::`, e.g. `cargo test --test it cli::`.

mod support;

mod agent_containerd;
mod agent_docker;
mod agent_pod;
mod analyze_bundle;
mod analyze_checkpoint;
mod analyze_deleted;
mod analyze_diff;
mod analyze_fuzz_smoke;
mod analyze_hostile;
mod analyze_runtimes;
mod checkpoint;
mod checkpoint_fleet;
mod checkpoint_freeze_pod;
mod checkpoint_hostile_tree;
mod checkpoint_kubelet_archive;
mod cli;
mod collect_triage;
mod decrypt;
mod docs;
mod encryption;
mod evidence_fuzz_smoke;
mod evidence_large;
mod evidence_s3;
mod evidence_verify;
mod faults;
mod faults_s3;
mod image;
mod isolate_cluster;
mod kubelet_tls;
mod memory_capture;
mod preflight;
mod rig;
mod sign_agent;
mod terminal;
mod triage;
