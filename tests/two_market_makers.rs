//! The two-market-maker game: `contracts/lp/TwoMakerMarket.sol` on the
//! embedded EVM against the float rules of the game (stakes move by ±m
//! clipped to [0, max], the fee by ∓gamma only when both move the same way,
//! clipped to [0, 1]) over a long sequence of moves that hits every clip,
//! the contract's refusals, and the netlist's refusals of a wrong
//! `[two_makers]` set-up. The equilibrium paths are checked against an
//! independent numpy value iteration in `tests/python/test_two_market_makers.py`.

use alloy_primitives::{keccak256, Address, U256};
use alloy_sol_types::sol;
use std::path::Path;
use tokenspice::artifacts::deploy_own;
use tokenspice::chain::{address_for, Backend, Chain, ChainError, RevertReason, GOD};
use tokenspice::models::makers::game::{GameParams, State};
use tokenspice::netlist::load;

sol! {
    interface Market {
        function moveStake(int8 direction) external;
        function advance() external;
        function stake(uint256 i) external view returns (uint256);
        function fee() external view returns (uint256);
        function step() external view returns (uint256);
    }
}

const NETLIST: &str = "netlists/two_market_makers.toml";

fn wad(x: f64) -> String {
    format!("{:.0}", x * 1e18)
}

fn tokens(value: U256) -> f64 {
    value.to_string().parse::<f64>().expect("decimal") / 1e18
}

struct Game {
    chain: Chain,
    market: Address,
    makers: [Address; 2],
}

impl Game {
    fn deploy(start: State, steps: usize) -> Self {
        let mut chain = Chain::new();
        let makers = [address_for("maker_a"), address_for("maker_b")];
        let p = GameParams::NOTEBOOK;
        let args = [
            makers[0].to_string(),
            makers[1].to_string(),
            GOD.to_string(),
            wad(p.m),
            wad(p.gamma),
            wad(p.max_stake),
            steps.to_string(),
            wad(start.stakes[0]),
            wad(start.stakes[1]),
            wad(start.fee),
        ];
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let market = deploy_own(&mut chain, "TwoMakerMarket", &args).expect("deploys");
        Self { chain, market, makers }
    }

    fn state(&mut self) -> State {
        let stake = |chain: &mut Chain, i: u64| {
            tokens(chain.view(self.market, &Market::stakeCall { i: U256::from(i) }).expect("stake"))
        };
        let stakes = [stake(&mut self.chain, 0), stake(&mut self.chain, 1)];
        State { stakes, fee: tokens(self.chain.view(self.market, &Market::feeCall {}).expect("fee")) }
    }

    fn play(&mut self, moves: [i8; 2]) {
        for (maker, direction) in self.makers.into_iter().zip(moves) {
            self.chain.send(maker, self.market, &Market::moveStakeCall { direction }).expect("moves");
        }
        self.chain.send(GOD, self.market, &Market::advanceCall {}).expect("advances");
    }
}

#[test]
fn the_contract_follows_the_rules_of_the_game_through_every_clip() {
    let p = GameParams::NOTEBOOK;
    let start = State { stakes: [2.0, 115.0], fee: 0.15 };
    let mut game = Game::deploy(start, 400);
    let mut expected = start;
    // A fixed pseudo-random walk of moves, biased down then up, twice, to reach
    // both clips of both stakes and of the fee.
    let mut seed = 7u64;
    let mut clips = std::collections::BTreeSet::new();
    for step in 0..400 {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let phase = step / 100;
        let pick = |shift: u32| -> i8 {
            let r = ((seed >> shift) % 4) as i8;
            match (phase, r) {
                (0, 0) | (2, 0) => 1,
                (0, _) | (2, _) => -1,
                (1, 0) | (3, 0) => -1,
                _ => 1,
            }
        };
        let moves = [pick(33), pick(45)];
        game.play(moves);
        expected = p.next(expected, moves);
        let got = game.state();
        for (g, e) in got.stakes.iter().chain([&got.fee]).zip(expected.stakes.iter().chain([&expected.fee])) {
            assert!(
                (g - e).abs() < 1e-12,
                "step {step}, moves {moves:?}: contract {got:?}, rules {expected:?}"
            );
        }
        for (what, value) in [("stake 0", got.stakes[0]), ("stake 1", got.stakes[1]), ("fee", got.fee)] {
            let cap = if what == "fee" { 1.0 } else { p.max_stake };
            if value == 0.0 || value == cap {
                clips.insert(format!("{what} = {value}"));
            }
        }
    }
    assert_eq!(clips.len(), 6, "clips reached: {clips:?}");
    let step = game.chain.view(game.market, &Market::stepCall {}).expect("step");
    assert_eq!(step, U256::from(400));
}

#[test]
fn the_clips_are_reached() {
    let p = GameParams::NOTEBOOK;
    let mut game = Game::deploy(State { stakes: [1.0, 119.0], fee: 0.05 }, 10);
    game.play([-1, 1]);
    assert_eq!(game.state().stakes, [0.0, 120.0]);
    game.play([1, 1]);
    let x = game.state();
    assert_eq!((x.stakes, x.fee), ([3.0, 120.0], 0.0));
    for _ in 0..3 {
        game.play([-1, -1]);
    }
    let x = game.state();
    assert_eq!(x.stakes, [0.0, 111.0]);
    assert!((x.fee - 0.3).abs() < 1e-15);
    assert_eq!(p.next(State { stakes: [0.0, 111.0], fee: 0.95 }, [-1, -1]).fee, 1.0);
}

/// `result` is a revert with the custom error `error` (its signature).
fn refused<T>(result: tokenspice::chain::Result<T>, error: &str, what: &str) {
    match result.map(|_| ()) {
        Err(ChainError::Reverted { reason: RevertReason::Custom(data), .. }) => {
            assert_eq!(data.get(..4), Some(&keccak256(error)[..4]), "{what}: not {error}");
        }
        other => panic!("{what}: {other:?}, not a revert with {error}"),
    }
}

#[test]
fn the_contract_refuses_what_the_game_does_not_allow() {
    let mut game = Game::deploy(State { stakes: [10.0, 10.0], fee: 0.1 }, 1);
    let (market, [a, _]) = (game.market, game.makers);
    let stranger = address_for("stranger");
    let direction = |direction: i8| Market::moveStakeCall { direction };
    refused(game.chain.send(stranger, market, &direction(1)), "NotMaker(address)", "a stranger's move");
    refused(game.chain.send(a, market, &direction(2)), "BadDirection(int8)", "a move of 2");
    game.chain.send(a, market, &Market::moveStakeCall { direction: 1 }).expect("a move");
    refused(
        game.chain.send(a, market, &direction(-1)),
        "AlreadyMoved(uint256,uint256)",
        "a second move in a step",
    );
    refused(game.chain.send(a, market, &Market::advanceCall {}), "NotClock(address)", "a maker advancing");
    game.chain.send(GOD, market, &Market::advanceCall {}).expect("advances");
    assert_eq!(game.state().stakes, [13.0, 10.0]);
    refused(
        game.chain.send(GOD, market, &Market::advanceCall {}),
        "GameOver(uint256)",
        "a step after the last",
    );
    refused(game.chain.send(a, market, &direction(1)), "GameOver(uint256)", "a move after the last step");
}

#[test]
fn the_netlist_refuses_a_wrong_set_up() {
    let netlist = Path::new(NETLIST);
    for (set, expected) in [
        ("two_makers.makers=[\"maker_a\", \"nobody\"]", "\"nobody\", which the netlist does not define"),
        ("two_makers.gamma=1.5", "[two_makers] gamma = 1.5"),
        ("two_makers.start_stakes=[10.0, 500.0]", "start_stakes"),
        ("two_makers.stake_points=1", "stake_points = 1"),
        ("agent.maker_b.type=\"eoa\"", "it must be an agent of type equilibrium_maker"),
    ] {
        let error = match load(netlist, &[set.to_string()]).and_then(|loaded| loaded.build().map(|_| ())) {
            Ok(()) => panic!("{set} was accepted"),
            Err(error) => format!("{error:#}"),
        };
        assert!(error.contains(expected), "{set}: {error}");
    }
}

#[test]
fn the_netlist_plays_the_game_from_tick_1_and_books_the_gains() {
    let loaded = load(Path::new(NETLIST), &[]).expect("loads");
    let dir = tempfile::tempdir().expect("temp dir");
    tokenspice::cli::run_to_dir(&loaded, dir.path(), false).expect("runs");
    let table = tokenspice::kpis::read_kpis(&dir.path().join("kpis.csv")).expect("kpis");
    let column = |name: &str| table.column(name).unwrap_or_else(|| panic!("no column {name}")).to_vec();
    assert_eq!(column("market.step"), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    let p = GameParams::NOTEBOOK;
    let (a, b, fee) = (column("maker.maker_a.stake"), column("maker.maker_b.stake"), column("market.fee"));
    assert_eq!((a[0], b[0], fee[0]), (10.0, 10.0, 0.1));
    // Each step's gain is dt * gain(t_k, x_(k+1)) at the state the contract reports after it.
    let mut gains = [0.0; 2];
    for k in 0..p.steps {
        let after = State { stakes: [a[k + 1], b[k + 1]], fee: fee[k + 1] };
        for (i, total) in gains.iter_mut().enumerate() {
            *total += p.dt() * p.gain(i, k as f64 * p.dt(), after);
        }
        for (i, name) in ["maker_a", "maker_b"].iter().enumerate() {
            let booked = column(&format!("maker.{name}.gain"))[k + 1];
            assert!(
                (booked - gains[i]).abs() < 1e-9 * (1.0 + gains[i].abs()),
                "step {k}, {name}: {booked} vs {}",
                gains[i]
            );
        }
        // Every move is -m, 0 or +m (no clip is near on this path).
        for stakes in [&a, &b] {
            let moved = stakes[k + 1] - stakes[k];
            assert!([-p.m, 0.0, p.m].contains(&moved), "step {k}: moved {moved}");
        }
    }
    assert_eq!(column("maker.maker_a.value")[p.steps], 0.0);
}
