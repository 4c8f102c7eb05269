"""Tabular Q-learning of the vAMM's operator (netlists/vamm.toml with the
Python operator of vamm_operator.toml, driven through tokenspice.gym).

Every hour the operator feeds the oracle and settles funding whatever it
chose; once a day a policy chooses to hold, repeg the mark to the oracle, or
make the curve deeper or shallower (adjustDepth; k stays within three
levels, vamm_operator.py). It sees two things: the mark-oracle gap (more
than 1% below the oracle, within 1%, more than 1% above) and the sign of the
traders' net position (short, flat, long): 9 states x 4 actions. Its reward
is the change of the protocol's P&L (fees - adjustment costs - traders'
realised P&L) over the day. After training on 30-day episodes (seeds 1000,
1001, ...), the learned policy is compared on held-out seeds 1-10 with a
random policy, with never repegging (hold) and with the rule "repeg past a
1% gap" (qtable.py has the learning loop, shared with qlearning.py).

    .venv/bin/python python/examples/vamm_qlearning.py
"""

import sys
import time

import qtable  # python/examples/qtable.py
import vamm_operator  # python/examples/vamm_operator.py

GAP_PCT = 1.0  # gap buckets: below -1%, within, above +1% (of the oracle)
FLAT_BASE = 10.0  # |net position| under this many base units counts as flat

STATES = [(gap, side) for gap in (-1, 0, 1) for side in (-1, 0, 1)]
ACTION_NAMES = [action.__name__ for action in vamm_operator.ACTIONS]
HOLD, REPEG = ACTION_NAMES.index("hold"), ACTION_NAMES.index("repeg")


def bucket(value, low, high):
    """-1 below `low`, 1 above `high`, else 0."""
    return -1 if value < low else (1 if value > high else 0)


def state(observation):
    gap, imbalance = observation
    return (bucket(gap, -GAP_PCT, GAP_PCT), bucket(imbalance, -FLAT_BASE, FLAT_BASE))


def train(env, episodes=60, seed=0, alpha=None, gamma=0.5, epsilon=0.2):
    """Q-learning over `episodes` daily-decision episodes; returns the table.
    Each value is the mean of its targets (alpha=None): a day's protocol P&L
    swings by about 550 USD around a mean of -300 to -450."""
    return qtable.train(env, state, STATES, episodes, seed=seed, alpha=alpha, gamma=gamma, epsilon=epsilon)


def repeg_past_gap(s):
    """The rule: repeg when the gap is outside the 1% band, else hold."""
    return REPEG if s[0] != 0 else HOLD


def compare(env, q, seeds):
    """Total protocol P&L (USD) of each policy on each of `seeds`."""
    policies = {
        "learned": lambda seed: qtable.greedy(q),
        "random": lambda seed: qtable.random_policy(len(ACTION_NAMES), seed),
        "never repeg": lambda seed: qtable.constant_policy(HOLD),
        "repeg past 1%": lambda seed: repeg_past_gap,
    }
    return {name: [qtable.episode(env, seed, state, make(seed)) for seed in seeds] for name, make in policies.items()}


def main():
    started = time.perf_counter()
    env = vamm_operator.make_env(days=30)
    q = train(env)
    results = compare(env, q, range(1, 11))
    print("Q table (gap, net side): " + ", ".join(ACTION_NAMES) + "  -> greedy choice")
    for s in STATES:
        values = q[s]
        if any(values):
            print(f"  {s}: " + ", ".join(f"{v:9.1f}" for v in values) + f"  -> {ACTION_NAMES[qtable.greedy(q)(s)]}")
    print("protocol P&L over 30 days, mean over seeds 1-10 (USD):")
    for name, totals in results.items():
        print(f"  {name:14s} {sum(totals) / len(totals):10.0f}   (per seed: {', '.join(f'{t:.0f}' for t in totals)})")
    print(f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
