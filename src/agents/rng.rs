//! The run's random numbers: a small, fixed algorithm (SplitMix64 seeding a
//! xoshiro256**), so outputs depend only on the seed, never on a crate's
//! version. Each agent derives its own stream from the run seed and its
//! name, so adding an agent does not change another agent's draws.

use alloy_primitives::keccak256;

/// A seeded random stream.
#[derive(Debug, Clone)]
pub struct SimRng {
    state: [u64; 4],
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl SimRng {
    /// A stream seeded by a number.
    pub fn new(seed: u64) -> Self {
        let mut s = seed;
        Self { state: [splitmix(&mut s), splitmix(&mut s), splitmix(&mut s), splitmix(&mut s)] }
    }

    /// The stream of the agent (or purpose) `name` within a run seeded by `seed`.
    pub fn derive(seed: u64, name: &str) -> Self {
        let hash = keccak256(format!("{seed}:{name}"));
        let mut word = [0u8; 8];
        word.copy_from_slice(&hash[..8]);
        Self::new(u64::from_le_bytes(word))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.state[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.state[1] << 17;
        self.state[2] ^= self.state[0];
        self.state[3] ^= self.state[1];
        self.state[1] ^= self.state[2];
        self.state[0] ^= self.state[3];
        self.state[2] ^= t;
        self.state[3] = self.state[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in [0, n); `n` must be positive.
    pub fn below(&mut self, n: usize) -> usize {
        (self.uniform() * n as f64) as usize % n.max(1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Shuffle a slice in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_names_separate_streams() {
        let a: Vec<u64> = (0..5)
            .map({
                let mut r = SimRng::derive(7, "alice");
                move |_| r.next_u64()
            })
            .collect();
        let mut again = SimRng::derive(7, "alice");
        assert!(a.iter().all(|v| *v == again.next_u64()));
        let mut bob = SimRng::derive(7, "bob");
        assert_ne!(a[0], bob.next_u64());
        let mut other_seed = SimRng::derive(8, "alice");
        assert_ne!(a[0], other_seed.next_u64());
    }

    #[test]
    fn uniform_is_in_range_and_roughly_fair() {
        let mut rng = SimRng::new(1);
        let draws: Vec<f64> = (0..10_000).map(|_| rng.uniform()).collect();
        assert!(draws.iter().all(|x| (0.0..1.0).contains(x)));
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
        let mut items: Vec<u32> = (0..10).collect();
        rng.shuffle(&mut items);
        let mut sorted = items.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
    }
}
