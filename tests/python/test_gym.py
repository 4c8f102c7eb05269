"""The Gymnasium environment: it steps, resets to the same episode for the
same seed, checks its actions and observations, and tabular Q-learning on
curve_market learns a policy whose return beats a random policy's."""

import sys
import unittest
from pathlib import Path

import gymnasium
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python" / "examples"))

import qlearning  # noqa: E402  (python/examples/qlearning.py)
import tokenspice.gym  # noqa: E402


def trajectory(env, seed, actions):
    observation, info = env.reset(seed=seed)
    seen = [observation.tolist()]
    for action in actions:
        observation, reward, terminated, truncated, info = env.step(action)
        seen.append((observation.tolist(), reward, terminated))
    return seen


class Environment(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.env = qlearning.make_env(days=5)

    def test_it_is_a_gymnasium_env_with_discrete_actions_and_box_observations(self):
        self.assertIsInstance(self.env, gymnasium.Env)
        self.assertEqual(self.env.action_space.n, 3)
        observation, info = self.env.reset(seed=1)
        self.assertEqual(observation.shape, (2,))
        self.assertTrue(self.env.observation_space.contains(observation))
        self.assertEqual(info["tick"], 1)

    def test_the_same_seed_replays_the_same_episode_and_another_differs(self):
        actions = [1, 0, 0, 2, 1, 0, 2, 0]
        first = trajectory(self.env, 7, actions)
        self.assertEqual(first, trajectory(self.env, 7, actions))
        self.assertNotEqual(first, trajectory(self.env, 8, actions))

    def test_a_buy_shows_in_the_observation_and_the_episode_ends(self):
        self.env.reset(seed=3)
        observation, reward, *_ = self.env.step(1)
        self.assertGreater(observation[1], 0.0)  # tokens held after buying
        self.assertLess(reward, 0.0)  # the 1% fee and the price impact cost worth at once
        done, steps = False, 1
        while not done:
            *_, done, _, info = self.env.step(0)
            steps += 1
        self.assertEqual(info["tick"], 5 * 4)  # 5 days of 6 h ticks
        with self.assertRaises(RuntimeError):
            self.env.step(0)

    def test_a_bad_action_or_observation_is_refused(self):
        with self.assertRaises(ValueError):
            self.env.step(7)
        with self.assertRaisesRegex(KeyError, "agent.nobody.usd"):
            tokenspice.gym.make(qlearning.NETLIST, agent="trader", obs=["agent.nobody.usd"],
                                actions=qlearning.ACTIONS, reward=qlearning.WORTH)


class QLearning(unittest.TestCase):
    def test_q_learning_beats_a_random_policy(self):
        env = qlearning.make_env()
        q = qlearning.train(env, episodes=40, seed=0)
        seeds = range(1, 11)
        learned = np.mean([qlearning.episode(env, s, qlearning.greedy(q)) for s in seeds])
        randomly = np.mean([qlearning.episode(env, s, qlearning.random_policy(s)) for s in seeds])
        self.assertGreater(learned, randomly + 500.0, (learned, randomly))
        # It learned to buy when the mood is up and it holds nothing.
        self.assertEqual(qlearning.greedy(q)((1, 0)), 1, q)


if __name__ == "__main__":
    unittest.main()
