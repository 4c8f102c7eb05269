"""Tabular Q-learning over a tokenspice Gymnasium environment, shared by the
examples (qlearning.py: the curve market's trader; vamm_qlearning.py: the
vAMM's operator).

A policy sees a small discrete state, made from the observation by a
`state` function the example gives, and picks an action index. No
deep-learning framework: the table is a dict from state to one value per
action. Exploration draws from Python's `random.Random(seed)`, so a training
run is reproducible; the episodes themselves are seeded through
`env.reset(seed=...)`.
"""

import random


def episode(env, seed, state, choose):
    """Play one episode of `env` from `seed`, choosing `choose(state(observation))`
    at each step; returns its total reward."""
    observation, _ = env.reset(seed=seed)
    total, done = 0.0, False
    while not done:
        observation, reward, done, _, _ = env.step(choose(state(observation)))
        total += reward
    return total


def train(env, state, states, episodes, seed=0, alpha=0.2, gamma=0.95, epsilon=0.2, first_episode_seed=1000):
    """Epsilon-greedy Q-learning over `episodes` episodes (seeds
    `first_episode_seed`, +1, ...); `states` lists every state `state` can
    return. `alpha`: the learning rate, or None for 1 / (the pair's visits so
    far): each value is then the mean of its targets, which suits noisy
    rewards. Values start at 0. Returns the table: state -> one value per
    action."""
    actions = env.action_space.n
    rng = random.Random(seed)
    q = {s: [0.0] * actions for s in states}
    visits = {s: [0] * actions for s in states}
    for n in range(episodes):
        observation, _ = env.reset(seed=first_episode_seed + n)
        s, done = state(observation), False
        while not done:
            a = rng.randrange(actions) if rng.random() < epsilon else max(range(actions), key=q[s].__getitem__)
            observation, reward, done, _, _ = env.step(a)
            s2 = state(observation)
            target = reward + (0.0 if done else gamma * max(q[s2]))
            visits[s][a] += 1
            q[s][a] += (alpha if alpha is not None else 1.0 / visits[s][a]) * (target - q[s][a])
            s = s2
    return q


def greedy(q):
    """The policy that picks the action of highest value (the first on ties)."""
    return lambda s: max(range(len(q[s])), key=q[s].__getitem__)


def random_policy(actions, seed=0):
    """A policy that picks one of `actions` actions uniformly, from its own seeded stream."""
    rng = random.Random(seed)
    return lambda s: rng.randrange(actions)


def constant_policy(action):
    """A policy that always picks `action`."""
    return lambda s: action
