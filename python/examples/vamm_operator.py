"""The vAMM's operator in Python (vamm_operator.toml, included into
netlists/vamm.toml in place of its TOML operator).

Every tick the operator feeds the oracle and settles funding, as the TOML
operator does; on top of that it may move the curve. The moves a policy
chooses among are the `ACTIONS`: hold, repeg the mark to the oracle, make
the curve deeper (both reserves x 1.25, so k x 1.5625) or shallower (the
inverse), within three levels of k: 0.64, 1 and 1.5625 times its start.
`ThresholdOperator` is the TOML operator's rule written in Python (repeg
once a day past a gap); `make_env` hands the seat to a policy through
tokenspice.gym, deciding once a day (vamm_qlearning.py).
"""

from pathlib import Path

import gymnasium

import tokenspice
import tokenspice.gym

ROOT = Path(__file__).resolve().parents[2]
VAMM = ROOT / "netlists" / "vamm.toml"

# --set values that put this file's operator into netlists/vamm.toml: the
# Python agent is included, the netlist's own operator renamed and idle.
PYTHON_OPERATOR = {
    "include": [str(Path(__file__).with_name("vamm_operator.toml").resolve())],
    "agent.operator.name": "toml_operator",
    "agent.toml_operator.behaviour": [],
}

WAD = 10**18
DEEPER = WAD * 5 // 4  # adjustDepth's scale (18 decimals): reserves x 1.25
SHALLOWER = WAD * 4 // 5  # its inverse
TICKS_PER_DAY = 24  # netlists/vamm.toml ticks hourly
START_K = 20000 * 20000 * WAD * WAD  # netlists/vamm.toml's virtual reserves x * y at the start


def feed(world):
    """The operator's every-tick work: the oracle's price, then one funding period."""
    world.transact("vamm", "setOracle", [world.series("oracle")])
    world.transact("vamm", "settleFunding")


def repeg_to_oracle(world):
    """Set the peg so that the mark equals the oracle (the TOML operator's repeg)."""
    peg, oracle, mark = (world.call("vamm", f) for f in ("peg", "oraclePrice", "markPrice"))
    return world.transact("vamm", "repeg", [peg * oracle // mark])


# The moves: each feeds first, then returns what its transaction returned
# (a falsy `Reverted` when the contract refused, e.g. an adjustment costing
# more than half the fee pool).
def hold(world):
    feed(world)
    return True


def repeg(world):
    feed(world)
    return repeg_to_oracle(world)


def depth(world):
    """k = x * y over its value at the start: trades keep it, adjustDepth scales it."""
    return world.call("vamm", "baseReserve") * world.call("vamm", "quoteReserve") / START_K


def deepen(world):
    feed(world)
    if depth(world) > 1.5:  # the deepest level, k x 1.5625, already
        return False
    return world.transact("vamm", "adjustDepth", [DEEPER])


def shallow(world):
    feed(world)
    if depth(world) < 0.9:  # the shallowest level, k x 0.64, already
        return False
    return world.transact("vamm", "adjustDepth", [SHALLOWER])


ACTIONS = [hold, repeg, deepen, shallow]

# What the policy observes: the mark-oracle gap (% of the oracle) and the
# traders' net position (base: long - short open interest).
OBSERVATIONS = ["vamm.gap_pct", "vamm.imbalance"]
REWARD = "vamm.protocol_pnl"  # fees - adjustment costs - traders' realised P&L, USD


class ThresholdOperator(tokenspice.Agent):
    """Feeds the oracle and settles funding every tick; once a day repegs
    when the mark is more than `repeg_threshold` away from the oracle."""

    def __init__(self, name, params):
        super().__init__(name, params)
        self.threshold = float(params.get("repeg_threshold", 0.02))

    def step(self, world):
        feed(world)
        if world.tick % TICKS_PER_DAY == 0:
            mark, oracle = world.call("vamm", "markPrice"), world.call("vamm", "oraclePrice")
            if abs(mark / oracle - 1.0) > self.threshold:
                repeg_to_oracle(world)


class DailyDecisions(gymnasium.Wrapper):
    """An hourly environment deciding once a day: the chosen action at the
    day's first tick, `rest` (hold) at the others; the reward is the day's."""

    def __init__(self, env, ticks=TICKS_PER_DAY, rest=0):
        super().__init__(env)
        self.ticks, self.rest = int(ticks), int(rest)

    def step(self, action):
        observation, total, done, truncated, info = self.env.step(action)
        for _ in range(self.ticks - 1):
            if done:
                break
            observation, reward, done, truncated, info = self.env.step(self.rest)
            total += reward
        return observation, total, done, truncated, info


def make_env(days=30, decide_every=TICKS_PER_DAY, actions=ACTIONS):
    """The vAMM of netlists/vamm.toml for `days`, its operator's seat driven
    by a policy choosing one of `actions` every `decide_every` ticks (the
    first action, hold, at the ticks between)."""
    env = tokenspice.gym.make(
        VAMM,
        agent="operator",
        obs=OBSERVATIONS,
        actions=actions,
        reward=REWARD,
        set={**PYTHON_OPERATOR, "sim.duration": f"{days}d"},
    )
    return DailyDecisions(env, ticks=decide_every)
