//! [`Design`]: which market mechanism a set of system contracts implements.

/// Which market design a run simulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Design {
    /// Ocean Market V3: datatoken factory, Balancer weighted pools.
    V3,
    /// Ocean V4 / V4.1: factory with the one-sided staking bot; V4.1 is V4 with its parameters set.
    V4,
}
