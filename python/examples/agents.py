"""Python agents of the examples (python/examples/curve_market.toml).

DipBuyer buys a part of its cash when the curve's price fell more than
`dip_pct` percent since its last step and sells half its tokens when it rose
that much; each of the two moves is considered with probability 1/2, drawn
from the agent's own seeded stream. trader_toml.toml is the same agent in
TOML: the package's tests check that both give the same KPIs.
"""

import tokenspice


class DipBuyer(tokenspice.Agent):
    def __init__(self, name, params):
        super().__init__(name, params)
        self.dip = int(params.get("dip_pct", 3))
        self.part = int(params.get("part", 5))
        self.last = 0  # spot price (USD base units per token) at the last step

    def step(self, world):
        # Exact integers throughout: prices and balances are base units.
        if world.chance(0.5):
            price = world.call("curve", "spotPrice")
            cash = world.balance_units("usd")
            if self.last > 0 and price * 100 < self.last * (100 - self.dip) and cash > 10**18:
                ticket = cash // self.part
                world.transact("curve", "buy", [ticket, 0], approve=[("usd", ticket)])
        if world.chance(0.5):
            price = world.call("curve", "spotPrice")
            tokens = world.balance_units("curve")
            if self.last > 0 and price * 100 > self.last * (100 + self.dip) and tokens > 0:
                world.transact("curve", "sell", [tokens // 2, 0])
        self.last = world.call("curve", "spotPrice")
