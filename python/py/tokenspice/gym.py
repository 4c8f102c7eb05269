"""A Gymnasium environment over a netlist: one agent's actions come from a
policy, every other agent of the netlist runs as usual.

    env = tokenspice.gym.make(
        "python/examples/curve_market.toml", agent="trader",
        obs=['series("mood")', "agent.trader.curve"],
        actions=[hold, buy, sell],            # callables taking the world
        reward="agent_worth",                # a KPI expression or column
    )
    obs, info = env.reset(seed=1)
    obs, reward, terminated, truncated, info = env.step(1)

A step runs one tick (``ticks_per_step`` ticks): the controlled agent,
which must be ``type = "python"`` in the netlist, performs the chosen
action at its turn in the tick's shuffled order. Observations are KPI
columns of the netlist or expressions as a ``[[kpi]]`` would write them;
the reward is the change of a KPI (or expression) over the step. The
netlist's system is deployed once; ``reset(seed)`` forks that deployed
state, so episodes are cheap and the same seed gives the same episode.
``reset`` runs the first tick without an action (agents are funded at their
first step), so the first observation shows every agent funded.
"""

from __future__ import annotations

import re
import weakref
from typing import Callable, Optional, Sequence, Union

import gymnasium
import numpy as np

from . import _core, _register_class, _sets

__all__ = ["make", "TokenspiceEnv"]

_COLUMN = re.compile(r"^[A-Za-z0-9_.\-]+$")


def make(netlist, agent: str, obs: Sequence[str], actions: Sequence[Callable], reward: str, **kwargs) -> "TokenspiceEnv":
    """A :class:`TokenspiceEnv` (see the module's documentation)."""
    return TokenspiceEnv(netlist, agent, obs, actions, reward, **kwargs)


class TokenspiceEnv(gymnasium.Env):
    """One agent of a netlist driven by a policy (Gymnasium API)."""

    metadata = {"render_modes": []}

    def __init__(
        self,
        netlist,
        agent: str,
        obs: Sequence[str],
        actions: Sequence[Callable],
        reward: str,
        set: Optional[dict] = None,
        ticks_per_step: int = 1,
    ):
        if not actions:
            raise ValueError("give at least one action (a callable taking the world)")
        if not obs:
            raise ValueError("give at least one observation (a KPI column or expression)")
        self._actions = list(actions)
        self._pending: Optional[int] = None
        self.ticks_per_step = int(ticks_per_step)
        env = weakref.ref(self)

        class _Policy:
            """The controlled agent: does what the policy chose for this step."""

            def __init__(self, name, params):
                self.name = name

            def step(self, world):
                owner = env()
                if owner is not None:
                    owner._act(world)

        extra = []
        self._obs_columns = []
        for i, item in enumerate(obs):
            if _COLUMN.match(item):
                self._obs_columns.append(item)
            else:
                extra.append((f"obs.{i}", item))
                self._obs_columns.append(f"obs.{i}")
        if _COLUMN.match(reward):
            self._reward_column = reward
        else:
            extra.append(("obs.reward", reward))
            self._reward_column = "obs.reward"
        sets = _sets(set, None, {agent: _Policy})
        self._sim = _core.Sim(str(netlist), sets, extra)
        self._sim.reset(0)
        columns = self._sim.columns()
        missing = [c for c in self._obs_columns + [self._reward_column] if c not in columns]
        if missing:
            raise KeyError(f"not KPI columns of the netlist: {', '.join(missing)} (write an expression instead)")
        self._obs_index = [columns.index(c) for c in self._obs_columns]
        self._reward_index = columns.index(self._reward_column)
        self.action_space = gymnasium.spaces.Discrete(len(self._actions))
        self.observation_space = gymnasium.spaces.Box(-np.inf, np.inf, shape=(len(self._obs_index),), dtype=np.float64)
        self._last_value = 0.0

    def _act(self, world) -> None:
        if self._pending is not None:
            self._actions[self._pending](world)

    def _observe(self):
        row = self._sim.observe()
        return np.array([row[i] for i in self._obs_index], dtype=np.float64), row[self._reward_index]

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict] = None):
        super().reset(seed=seed)
        episode_seed = int(seed) if seed is not None else int(self.np_random.integers(0, 2**63 - 1))
        self._sim.reset(episode_seed)
        self._pending = None
        # Agents receive their funding at their first step: the episode
        # starts after a first tick without an action.
        self._sim.step()
        observation, self._last_value = self._observe()
        return observation, {"tick": self._sim.tick, "seed": episode_seed}

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(f"action {action!r} is not in {self.action_space}")
        if self._sim.finished:
            raise RuntimeError("the episode has ended (every tick of the netlist ran): call reset()")
        self._pending = int(action)
        for _ in range(self.ticks_per_step):
            if self._sim.finished:
                break
            self._sim.step()
            self._pending = None  # the action is taken once per step
        observation, value = self._observe()
        reward = value - self._last_value
        self._last_value = value
        return observation, float(reward), bool(self._sim.finished), False, {"tick": self._sim.tick}
