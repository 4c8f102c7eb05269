"""Tabular Q-learning of the dip buyer's seat in curve_market.toml.

The policy sees two things — whether retail's mood index is at or above 1
(retail then buys) and whether it holds tokens — and chooses to hold, buy
with a fifth of its cash, or sell all its tokens. Its reward is the change of
its net worth in USD (cash plus what selling its tokens would give) over a tick.
No deep-learning framework: a table of 4 states x 3 actions (qtable.py).

    .venv/bin/python python/examples/qlearning.py
"""

import sys
from pathlib import Path

import qtable  # python/examples/qtable.py: the Q-learning loop, shared with vamm_qlearning.py
import tokenspice.gym

NETLIST = Path(__file__).with_name("curve_market.toml")
# Net worth in USD: cash plus what selling every token would give now.
WORTH = 'from_wei(balance(@usd, @trader)) + from_wei(view(@curve, "quoteSell", balance(@curve, @trader)))'


def hold(world):
    pass


def buy(world):
    ticket = world.balance_units("usd") // 5
    if ticket > 0:
        world.transact("curve", "buy", [ticket, 0], approve=[("usd", ticket)])


def sell(world):
    tokens = world.balance_units("curve")
    if tokens > 0:
        world.transact("curve", "sell", [tokens, 0])


ACTIONS = [hold, buy, sell]


def make_env(days=30):
    return tokenspice.gym.make(
        NETLIST,
        agent="trader",
        obs=['series("mood")', "from_wei(balance(@curve, @trader))"],
        actions=ACTIONS,
        reward=WORTH,
        set={"sim.duration": f"{days}d"},
    )


def state(observation):
    return (int(observation[0] >= 1.0), int(observation[1] > 0))


STATES = [(mood_up, holds) for mood_up in (0, 1) for holds in (0, 1)]


def episode(env, seed, choose):
    """Play one episode; returns its total reward."""
    return qtable.episode(env, seed, state, choose)


def train(env, episodes=40, seed=0, alpha=0.2, gamma=0.95, epsilon=0.2):
    """Q-learning over `episodes` episodes (seeds 1000, 1001, ...); returns the table."""
    return qtable.train(env, state, STATES, episodes, seed=seed, alpha=alpha, gamma=gamma, epsilon=epsilon)


greedy = qtable.greedy


def random_policy(seed=0):
    return qtable.random_policy(len(ACTIONS), seed)


def main():
    env = make_env()
    q = train(env)
    seeds = range(1, 11)
    learned = [episode(env, s, greedy(q)) for s in seeds]
    randomly = [episode(env, s, random_policy(s)) for s in seeds]
    print("Q table (mood>=1, holds tokens): hold, buy, sell")
    for s, values in sorted(q.items()):
        print(f"  {s}: " + ", ".join(f"{v:8.2f}" for v in values))
    print(f"mean return over seeds 1-10: learned {sum(learned) / len(learned):.2f} USD, random {sum(randomly) / len(randomly):.2f} USD")
    return 0


if __name__ == "__main__":
    sys.exit(main())
