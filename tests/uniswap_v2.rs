//! Uniswap V2 from its published npm builds (`@uniswap/v2-core` 1.0.1 and
//! `@uniswap/v2-periphery` 1.1.0-beta.0, installed by
//! scripts/uniswap-builds.sh) on the embedded EVM, every call encoded from
//! the artifacts' ABIs:
//!
//! * both builds open as Waffle builds and hold the contracts a netlist needs,
//!   with the constructors it must pass;
//! * the router's hard-coded pair init-code hash is keccak256 of the pair's
//!   creation code in v2-core, so the router finds the pairs the factory makes;
//! * liquidity added and removed through Router02, and swaps through it both
//!   ways (exact in, exact out), move the pair's reserves, share supply,
//!   events and the traders' balances exactly (to the wei) as the integer
//!   reference of the V2 formulas says, and never lower the constant product;
//! * a direct pair swap takes exactly the reference output, and one wei more
//!   reverts with "UniswapV2: K".

#[path = "support/uniswap_builds.rs"]
mod uniswap_builds;
#[path = "support/uniswap_v2_ref.rs"]
mod uniswap_v2_ref;

use alloy_dyn_abi::{DecodedEvent, DynSolValue, EventExt, FunctionExt, JsonAbiExt};
use alloy_json_abi::{Function, JsonAbi};
use alloy_primitives::{b256, keccak256, Address, Bytes, Log, B256, U256};
use tokenspice::artifacts::{Artifact, Build, Format};
use tokenspice::chain::{address_for, Backend, Chain, Outcome, Receipt, GOD};
use uniswap_builds::uniswap_build;
use uniswap_v2_ref::{amount_in, amount_out, isqrt, optimal_deposit, PairRef, MINIMUM_LIQUIDITY};

/// The init-code hash that UniswapV2Library.pairFor hard-codes (periphery source).
const ROUTER_INIT_CODE_HASH: B256 = b256!("96e8ac4277198ff8b6f785478aa9a39f403cb768dd02cbee326c3e7da348845f");

/// `n` whole tokens of 18 decimals.
fn tokens(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
}

fn uint(value: &DynSolValue) -> U256 {
    match value {
        DynSolValue::Uint(v, _) => *v,
        other => panic!("expected a uint, got {other:?}"),
    }
}

fn address(value: &DynSolValue) -> Address {
    value.as_address().unwrap_or_else(|| panic!("expected an address, got {value:?}"))
}

fn uints(value: &DynSolValue) -> Vec<U256> {
    value.as_array().unwrap_or_else(|| panic!("expected an array, got {value:?}")).iter().map(uint).collect()
}

/// A deployed contract and the ABI its artifact gave.
#[derive(Debug, Clone)]
struct Contract {
    name: String,
    address: Address,
    abi: JsonAbi,
}

/// A committed transaction's decoded return values, gas and logs.
#[derive(Debug)]
struct Sent {
    outputs: Vec<DynSolValue>,
    gas_used: u64,
    logs: Vec<Log>,
}

impl Contract {
    fn deploy(chain: &mut Chain, artifact: &Artifact, args: &[DynSolValue]) -> Self {
        let init = artifact.init_code(args).unwrap_or_else(|e| panic!("{e}"));
        let address = chain.deploy_contract(GOD, init).unwrap_or_else(|e| panic!("{}: {e}", artifact.name));
        Self { name: artifact.name.clone(), address, abi: artifact.abi.clone() }
    }

    /// The function with exactly this signature, e.g. `getReserves()`.
    fn function(&self, signature: &str) -> &Function {
        let name = signature.split('(').next().unwrap_or(signature);
        self.abi
            .functions
            .get(name)
            .and_then(|overloads| overloads.iter().find(|f| f.signature() == signature))
            .unwrap_or_else(|| panic!("{} has no function {signature}", self.name))
    }

    fn encode(&self, signature: &str, args: &[DynSolValue]) -> Bytes {
        let encoded = self.function(signature).abi_encode_input(args);
        encoded.unwrap_or_else(|e| panic!("{}.{signature}: {e}", self.name)).into()
    }

    fn transact(&self, chain: &mut Chain, from: Address, signature: &str, args: &[DynSolValue]) -> Receipt {
        let data = self.encode(signature, args);
        chain.transact(from, self.address, data, U256::ZERO).unwrap()
    }

    /// Send and decode; a revert fails the test with its reason.
    fn send(&self, chain: &mut Chain, from: Address, signature: &str, args: &[DynSolValue]) -> Sent {
        let receipt = self.transact(chain, from, signature, args);
        let (gas_used, logs) = (receipt.gas_used, receipt.logs.clone());
        let output = receipt.into_output().unwrap_or_else(|e| panic!("{}.{signature}: {e}", self.name));
        let outputs = self.function(signature).abi_decode_output(&output).unwrap();
        Sent { outputs, gas_used, logs }
    }

    fn view(&self, chain: &mut Chain, signature: &str, args: &[DynSolValue]) -> Vec<DynSolValue> {
        let data = self.encode(signature, args);
        let output = chain.call(Address::ZERO, self.address, data).unwrap().into_output();
        let output = output.unwrap_or_else(|e| panic!("{}.{signature}: {e}", self.name));
        self.function(signature).abi_decode_output(&output).unwrap()
    }

    /// The events this contract emitted among `logs`, decoded by its ABI, by name.
    fn events(&self, logs: &[Log]) -> Vec<(String, DecodedEvent)> {
        logs.iter()
            .filter(|log| log.address == self.address)
            .map(|log| {
                let topic0 = log.data.topics().first().copied().unwrap_or_default();
                let event = self.abi.events().find(|e| e.selector() == topic0).expect("an event of the ABI");
                (event.name.clone(), event.decode_log(&log.data).unwrap())
            })
            .collect()
    }

    fn balance_of(&self, chain: &mut Chain, who: Address) -> U256 {
        uint(&self.view(chain, "balanceOf(address)", &[who.into()])[0])
    }
}

/// The two builds, opened.
fn builds() -> (Build, Build) {
    let core = Build::open(uniswap_build("v2-core")).unwrap();
    let periphery = Build::open(uniswap_build("v2-periphery")).unwrap();
    (core, periphery)
}

/// Two test tokens, WETH9, the factory, Router02 and the tokens' pair, with
/// the reference's view of that pair.
#[derive(Debug)]
struct Market {
    chain: Chain,
    token_a: Contract,
    token_b: Contract,
    factory: Contract,
    router: Contract,
    pair: Contract,
    pair_creation_code: Bytes,
    a_is_token0: bool,
    model: PairRef,
}

impl Market {
    fn new() -> Self {
        let (core, periphery) = builds();
        let artifact = |build: &Build, name: &str| build.artifact(name).unwrap_or_else(|e| panic!("{e}"));
        let mut chain = Chain::new();
        let supply = DynSolValue::from(tokens(1_000_000_000));
        let erc20 = artifact(&core, "ERC20");
        let token_a = Contract::deploy(&mut chain, &erc20, std::slice::from_ref(&supply));
        let token_b = Contract::deploy(&mut chain, &erc20, &[supply]);
        let weth = Contract::deploy(&mut chain, &artifact(&periphery, "WETH9"), &[]);
        let factory = Contract::deploy(&mut chain, &artifact(&core, "UniswapV2Factory"), &[GOD.into()]);
        let router_args = [factory.address.into(), weth.address.into()];
        let router = Contract::deploy(&mut chain, &artifact(&periphery, "UniswapV2Router02"), &router_args);
        let pair_artifact = artifact(&core, "UniswapV2Pair");
        let pair_args = [token_a.address.into(), token_b.address.into()];
        let created = factory.send(&mut chain, GOD, "createPair(address,address)", &pair_args);
        let pair = Contract {
            name: pair_artifact.name.clone(),
            address: address(&created.outputs[0]),
            abi: pair_artifact.abi.clone(),
        };
        Self {
            chain,
            a_is_token0: token_a.address < token_b.address,
            token_a,
            token_b,
            factory,
            router,
            pair,
            pair_creation_code: pair_artifact.creation_code().unwrap(),
            model: PairRef::default(),
        }
    }

    fn deadline(&self) -> DynSolValue {
        U256::from(self.chain.timestamp() + 60).into()
    }

    fn path(&self, a_to_b: bool) -> DynSolValue {
        let (from, to) = if a_to_b { (&self.token_a, &self.token_b) } else { (&self.token_b, &self.token_a) };
        DynSolValue::Array(vec![from.address.into(), to.address.into()])
    }

    /// (token0, token1) amounts from (A, B) amounts; the same swap of places
    /// turns (token0, token1) amounts into (A, B) ones.
    fn ordered(&self, a: U256, b: U256) -> (U256, U256) {
        if self.a_is_token0 {
            (a, b)
        } else {
            (b, a)
        }
    }

    fn reserves_ab(&self) -> (U256, U256) {
        self.ordered(self.model.reserve0, self.model.reserve1)
    }

    /// Give `who` 10,000 of each token and let the router spend them (and its LP shares).
    fn fund_and_approve(&mut self, who: Address) {
        for token in [self.token_a.clone(), self.token_b.clone()] {
            if who != GOD {
                token.send(
                    &mut self.chain,
                    GOD,
                    "transfer(address,uint256)",
                    &[who.into(), tokens(10_000).into()],
                );
            }
        }
        for token in [self.token_a.clone(), self.token_b.clone(), self.pair.clone()] {
            let args = [self.router.address.into(), U256::MAX.into()];
            token.send(&mut self.chain, who, "approve(address,uint256)", &args);
        }
    }

    /// The pair's reserves, share supply and token balances are the model's;
    /// its last Sync event (if `logs` hold one) too.
    fn check(&mut self, what: &str, logs: &[Log]) {
        let reserves = self.pair.view(&mut self.chain, "getReserves()", &[]);
        let (r0, r1) = (uint(&reserves[0]), uint(&reserves[1]));
        assert_eq!((r0, r1), (self.model.reserve0, self.model.reserve1), "{what}: reserves");
        let supply = uint(&self.pair.view(&mut self.chain, "totalSupply()", &[])[0]);
        assert_eq!(supply, self.model.total_supply, "{what}: LP share supply");
        let (pair, a, b) = (self.pair.address, self.token_a.clone(), self.token_b.clone());
        let (held_a, held_b) = (a.balance_of(&mut self.chain, pair), b.balance_of(&mut self.chain, pair));
        let held = self.ordered(held_a, held_b);
        assert_eq!(held, (r0, r1), "{what}: the pair holds exactly its reserves");
        let syncs: Vec<DecodedEvent> =
            self.pair.events(logs).into_iter().filter(|(name, _)| name == "Sync").map(|(_, e)| e).collect();
        if let Some(sync) = syncs.last() {
            assert_eq!((uint(&sync.body[0]), uint(&sync.body[1])), (r0, r1), "{what}: Sync event");
        }
    }

    /// `who` adds liquidity through the router; checks the deposit and the
    /// shares against the reference; returns the shares.
    fn add_liquidity(&mut self, who: Address, desired_a: U256, desired_b: U256) -> U256 {
        let (reserve_a, reserve_b) = self.reserves_ab();
        let (deposit_a, deposit_b) = optimal_deposit(desired_a, desired_b, reserve_a, reserve_b);
        let (deposit0, deposit1) = self.ordered(deposit_a, deposit_b);
        let expected_shares = self.model.mint(deposit0, deposit1);
        let args = [
            self.token_a.address.into(),
            self.token_b.address.into(),
            desired_a.into(),
            desired_b.into(),
            U256::ZERO.into(),
            U256::ZERO.into(),
            who.into(),
            self.deadline(),
        ];
        let signature = "addLiquidity(address,address,uint256,uint256,uint256,uint256,address,uint256)";
        let shares_before = self.pair.balance_of(&mut self.chain, who);
        let sent = self.router.clone().send(&mut self.chain, who, signature, &args);
        let got: Vec<U256> = sent.outputs.iter().map(uint).collect();
        let what = format!("addLiquidity({desired_a}, {desired_b})");
        assert_eq!(got, [deposit_a, deposit_b, expected_shares], "{what}: (amountA, amountB, liquidity)");
        let shares = self.pair.balance_of(&mut self.chain, who) - shares_before;
        assert_eq!(shares, expected_shares, "{what}: shares received");
        let mint = self.pair.events(&sent.logs).into_iter().find(|(name, _)| name == "Mint").unwrap().1;
        assert_eq!(address(&mint.indexed[0]), self.router.address, "{what}: Mint sender");
        assert_eq!((uint(&mint.body[0]), uint(&mint.body[1])), (deposit0, deposit1), "{what}: Mint amounts");
        self.check(&what, &sent.logs);
        shares
    }

    /// `who` burns `shares` through the router; checks the payout against the reference.
    fn remove_liquidity(&mut self, who: Address, shares: U256) {
        let before =
            (self.token_a.balance_of(&mut self.chain, who), self.token_b.balance_of(&mut self.chain, who));
        let (out0, out1) = self.model.burn(shares);
        let (out_a, out_b) = self.ordered(out0, out1);
        let args = [
            self.token_a.address.into(),
            self.token_b.address.into(),
            shares.into(),
            U256::ZERO.into(),
            U256::ZERO.into(),
            who.into(),
            self.deadline(),
        ];
        let signature = "removeLiquidity(address,address,uint256,uint256,uint256,address,uint256)";
        let sent = self.router.clone().send(&mut self.chain, who, signature, &args);
        let what = format!("removeLiquidity({shares})");
        assert_eq!(
            (uint(&sent.outputs[0]), uint(&sent.outputs[1])),
            (out_a, out_b),
            "{what}: (amountA, amountB)"
        );
        let after =
            (self.token_a.balance_of(&mut self.chain, who), self.token_b.balance_of(&mut self.chain, who));
        assert_eq!((after.0 - before.0, after.1 - before.1), (out_a, out_b), "{what}: tokens received");
        let burn = self.pair.events(&sent.logs).into_iter().find(|(name, _)| name == "Burn").unwrap().1;
        assert_eq!((uint(&burn.body[0]), uint(&burn.body[1])), (out0, out1), "{what}: Burn amounts");
        assert_eq!(address(&burn.indexed[1]), who, "{what}: Burn to");
        self.check(&what, &sent.logs);
    }

    /// `who` swaps through the router: `exact_in` sells `amount` of A (or B
    /// when `!a_to_b`), otherwise buys exactly `amount`. Checks the router's
    /// quote, the amounts, the Swap event, balances and k; returns the gas.
    fn swap(&mut self, who: Address, a_to_b: bool, exact_in: bool, amount: U256) -> u64 {
        let zero_for_one = a_to_b == self.a_is_token0;
        let (reserve_in, reserve_out) = self.model.reserves_in_out(zero_for_one);
        let (paid, bought) = if exact_in {
            (amount, amount_out(amount, reserve_in, reserve_out))
        } else {
            (amount_in(amount, reserve_in, reserve_out), amount)
        };
        let what = format!(
            "{} {amount} {}",
            if exact_in { "swapExactTokensForTokens" } else { "swapTokensForExactTokens" },
            if a_to_b { "A->B" } else { "B->A" }
        );
        let quote =
            if exact_in { "getAmountsOut(uint256,address[])" } else { "getAmountsIn(uint256,address[])" };
        let path = self.path(a_to_b);
        let quoted = uints(&self.router.view(&mut self.chain, quote, &[amount.into(), path])[0]);
        assert_eq!(quoted, [paid, bought], "{what}: the router's {quote}");

        let (token_in, token_out) = if a_to_b {
            (self.token_a.clone(), self.token_b.clone())
        } else {
            (self.token_b.clone(), self.token_a.clone())
        };
        let before = (token_in.balance_of(&mut self.chain, who), token_out.balance_of(&mut self.chain, who));
        let k_before = self.model.k();
        let (signature, limit) = if exact_in {
            ("swapExactTokensForTokens(uint256,uint256,address[],address,uint256)", U256::ZERO)
        } else {
            ("swapTokensForExactTokens(uint256,uint256,address[],address,uint256)", U256::MAX)
        };
        let args = [amount.into(), limit.into(), self.path(a_to_b), who.into(), self.deadline()];
        let sent = self.router.clone().send(&mut self.chain, who, signature, &args);
        assert_eq!(uints(&sent.outputs[0]), [paid, bought], "{what}: amounts");
        self.model.swap(zero_for_one, paid, bought);

        let after = (token_in.balance_of(&mut self.chain, who), token_out.balance_of(&mut self.chain, who));
        assert_eq!((before.0 - after.0, after.1 - before.1), (paid, bought), "{what}: trader's balances");
        let swap = self.pair.events(&sent.logs).into_iter().find(|(name, _)| name == "Swap").unwrap().1;
        let (in0, in1, out0, out1) = if zero_for_one {
            (paid, U256::ZERO, U256::ZERO, bought)
        } else {
            (U256::ZERO, paid, bought, U256::ZERO)
        };
        assert_eq!(
            swap.body.iter().map(uint).collect::<Vec<_>>(),
            [in0, in1, out0, out1],
            "{what}: Swap amounts"
        );
        assert_eq!(
            (address(&swap.indexed[0]), address(&swap.indexed[1])),
            (self.router.address, who),
            "{what}"
        );
        self.check(&what, &sent.logs);
        assert!(self.model.k() > k_before, "{what}: k fell from {k_before} to {}", self.model.k());
        sent.gas_used
    }
}

#[test]
fn the_builds_hold_the_contracts_a_netlist_needs() {
    let (core, periphery) = builds();
    assert_eq!(core.package.as_deref(), Some("@uniswap/v2-core@1.0.1"));
    assert_eq!(periphery.package.as_deref(), Some("@uniswap/v2-periphery@1.1.0-beta.0"));
    let expected = [
        (&core, "UniswapV2Factory", "(address)"),
        (&core, "UniswapV2Pair", "()"),
        (&core, "UniswapV2ERC20", "()"),
        (&core, "ERC20", "(uint256)"),
        (&periphery, "UniswapV2Router02", "(address,address)"),
        (&periphery, "UniswapV2Router01", "(address,address)"),
        (&periphery, "WETH9", "()"),
        (&periphery, "ERC20", "(uint256)"),
        (&periphery, "DeflatingERC20", "(uint256)"),
    ];
    for (build, name, constructor) in expected {
        let artifact = build.artifact(name).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(artifact.format, Format::Waffle, "{name}");
        assert_eq!(artifact.constructor_signature(), constructor, "{name}");
        assert!(artifact.runtime_code().unwrap().is_some_and(|code| !code.is_empty()), "{name}");
    }
    // v2-core's artifacts keep solc's metadata; v2-periphery's do not.
    assert_eq!(
        core.artifact("UniswapV2Pair").unwrap().compiler_version.as_deref(),
        Some("0.5.16+commit.9c3226ce")
    );
    assert_eq!(periphery.artifact("UniswapV2Router02").unwrap().compiler_version, None);
    assert!(!core.names().any(|name| name == "Combined-Json"));
    let interface = core.artifact("IUniswapV2Pair").unwrap_err().to_string();
    assert!(interface.contains("has no bytecode"), "{interface}");
}

#[test]
fn the_routers_init_code_hash_is_the_v2_core_pairs() {
    let mut market = Market::new();
    let code_hash = keccak256(&market.pair_creation_code);
    assert_eq!(code_hash, ROUTER_INIT_CODE_HASH, "keccak256 of v2-core's UniswapV2Pair creation code");
    let router_code = market.chain.code(market.router.address);
    assert!(
        router_code.windows(32).any(|window| window == ROUTER_INIT_CODE_HASH.as_slice()),
        "the deployed Router02 holds the hash it uses in pairFor"
    );
    // The factory made the pair by CREATE2 with that code and salt keccak256(token0 ++ token1).
    let (a, b) = (market.token_a.address, market.token_b.address);
    let (token0, token1) = if a < b { (a, b) } else { (b, a) };
    let salt = keccak256([token0.as_slice(), token1.as_slice()].concat());
    assert_eq!(market.factory.address.create2(salt, code_hash), market.pair.address);
    let factory = market.factory.clone();
    let listed = factory.view(&mut market.chain, "getPair(address,address)", &[b.into(), a.into()]);
    assert_eq!(address(&listed[0]), market.pair.address);
    let tokens_of_pair =
        ["token0()", "token1()"].map(|f| address(&market.pair.view(&mut market.chain, f, &[])[0]));
    assert_eq!(tokens_of_pair, [token0, token1]);
    let length = factory.view(&mut market.chain, "allPairsLength()", &[]);
    assert_eq!(uint(&length[0]), U256::from(1));
}

#[test]
fn router_liquidity_and_swaps_match_the_reference_to_the_wei() {
    let mut market = Market::new();
    let alice = address_for("alice");
    market.fund_and_approve(GOD);
    market.fund_and_approve(alice);

    let god_shares = market.add_liquidity(GOD, tokens(1000), tokens(4000));
    assert_eq!(god_shares, isqrt(tokens(1000) * tokens(4000)) - U256::from(MINIMUM_LIQUIDITY));
    assert_eq!(god_shares, tokens(2000) - U256::from(MINIMUM_LIQUIDITY));
    // Too much B for A at the pair's ratio, then too much A for B.
    let mut alice_shares = market.add_liquidity(alice, tokens(10) + U256::from(7), tokens(45));
    let god_extra = market.add_liquidity(GOD, tokens(25), tokens(3) + U256::from(123_456_789));
    let mut gas = Vec::new();
    let swaps: [(bool, bool, U256); 6] = [
        (true, true, tokens(3) + U256::from(700_000_000_000_000_000u64)),
        (false, true, tokens(55) + U256::from(1)),
        (true, false, tokens(12) + U256::from(340_000_000_000_000_000u64)),
        (false, false, tokens(2) + U256::from(500_000_000_000_000_000u64)),
        (true, true, U256::from(123_456_789u64)),
        (false, false, U256::from(1)),
    ];
    for (a_to_b, exact_in, amount) in swaps {
        gas.push((a_to_b, exact_in, market.swap(alice, a_to_b, exact_in, amount)));
    }
    alice_shares += market.add_liquidity(alice, tokens(7), tokens(100));
    assert_eq!(market.pair.balance_of(&mut market.chain, alice), alice_shares);

    market.remove_liquidity(GOD, (god_shares + god_extra) / U256::from(2));
    market.remove_liquidity(alice, alice_shares);
    let left = market.pair.balance_of(&mut market.chain, GOD);
    market.remove_liquidity(GOD, left);
    // Only the locked minimum is left, backed by a little of each token.
    assert_eq!(market.model.total_supply, U256::from(MINIMUM_LIQUIDITY));
    assert!(market.model.reserve0 > U256::ZERO && market.model.reserve1 > U256::ZERO);

    for (a_to_b, exact_in, used) in &gas {
        eprintln!(
            "router swap {} {}: {used} gas",
            if *a_to_b { "A->B" } else { "B->A" },
            if *exact_in { "exact in" } else { "exact out" }
        );
        assert!((60_000..200_000).contains(used), "{used}");
    }
}

#[test]
fn a_direct_pair_swap_takes_the_reference_output_and_not_one_wei_more() {
    let mut market = Market::new();
    market.fund_and_approve(GOD);
    market.add_liquidity(GOD, tokens(500), tokens(1500));
    let bob = address_for("bob");
    let pair = market.pair.clone();
    let (token0, token1) = if market.a_is_token0 {
        (market.token_a.clone(), market.token_b.clone())
    } else {
        (market.token_b.clone(), market.token_a.clone())
    };
    let signature = "swap(uint256,uint256,address,bytes)";
    for (zero_for_one, paid) in [(true, tokens(7)), (false, U256::from(987_654_321_987u64))] {
        let (token_in, token_out) = if zero_for_one { (&token0, &token1) } else { (&token1, &token0) };
        let what = format!("pair.swap, {} in of token{}", paid, u8::from(!zero_for_one));
        let (reserve_in, reserve_out) = market.model.reserves_in_out(zero_for_one);
        let bought = amount_out(paid, reserve_in, reserve_out);
        let k_before = market.model.k();
        token_in.send(
            &mut market.chain,
            GOD,
            "transfer(address,uint256)",
            &[pair.address.into(), paid.into()],
        );
        let outs = |out: U256| if zero_for_one { [U256::ZERO, out] } else { [out, U256::ZERO] };
        let args = |out: U256| {
            let [out0, out1] = outs(out);
            [out0.into(), out1.into(), bob.into(), DynSolValue::Bytes(Vec::new())]
        };
        let greedy = pair.transact(&mut market.chain, GOD, signature, &args(bought + U256::from(1)));
        match &greedy.outcome {
            Outcome::Revert(reason) => assert_eq!(reason.message(), Some("UniswapV2: K"), "{what}"),
            other => panic!("{what}: one wei more than the reference should revert, got {other:?}"),
        }
        let held_before = token_out.balance_of(&mut market.chain, bob);
        let sent = pair.send(&mut market.chain, GOD, signature, &args(bought));
        assert_eq!(token_out.balance_of(&mut market.chain, bob) - held_before, bought, "{what}");
        market.model.swap(zero_for_one, paid, bought);
        let swap = pair.events(&sent.logs).into_iter().find(|(name, _)| name == "Swap").unwrap().1;
        let ins = if zero_for_one { [paid, U256::ZERO] } else { [U256::ZERO, paid] };
        let expected: Vec<U256> = ins.into_iter().chain(outs(bought)).collect();
        assert_eq!(swap.body.iter().map(uint).collect::<Vec<_>>(), expected, "{what}: Swap event");
        market.check(&what, &sent.logs);
        assert!(market.model.k() > k_before, "{what}: k fell");
        eprintln!("direct pair swap (transfer not counted): {} gas", sent.gas_used);
        assert!((40_000..150_000).contains(&sent.gas_used), "{}", sent.gas_used);
    }
}
