//! Benchmark scenarios, shared by `tsp bench` and `cargo bench`. Each times
//! a workload, checks a sanity condition on the result, and reports rates
//! and ratios against a reference run in the same process. Scenarios on a
//! model's contracts live with the model (`crate::models`).

mod attack;
mod engine;
mod erc20;
mod rpc;
mod scale;
mod study;

pub use attack::{attack_speed, AttackBenchReport};
pub use engine::{engine_run, peak_rss_mib, EngineReport};
pub use erc20::{erc20_transfers, Erc20Report};
pub use rpc::{embedded_vs_rpc, install_anvil, RpcReport};
pub use scale::{scale, ScalePoint, ScaleReport};
pub use study::{study_speed, StudyReport};
