//! The open core's acceptance tests: netlists that model a mechanism from
//! TOML alone, run once each, checked against independent references with
//! exact numbers; `tsp check` errors; `--set` on every path; invariants,
//! KPIs, generic agents' funding.

#[path = "../support/balancer_ref.rs"]
mod balancer_ref;
#[path = "../support/v4_ref.rs"]
mod v4_ref;

mod check_errors;
mod common;
mod generic_agents;
mod invariants;
mod overrides;
mod scenario_v3;
mod scenario_v4;
