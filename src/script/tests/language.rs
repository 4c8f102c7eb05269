//! The language itself: uint arithmetic, math, units, the sandbox, the
//! environment, libraries and error messages.

use super::host::{origin, ChainHost};
use crate::script::{Env, ErrorKind, Library, Origin, Script, MAX_OPERATIONS};
use alloy_primitives::{U256, U512};
use proptest::prelude::*;
use rhai::Dynamic;

const WEI: &str = "1000000000000000000";

#[test]
fn uint_arithmetic_is_checked_and_names_the_operation() {
    let mut h = ChainHost::new();
    assert_eq!(h.show("uint(5) + 3"), "8");
    assert_eq!(h.show("2 * uint(21)"), "42");
    assert_eq!(h.show("uint(7) / 2"), "3");
    assert_eq!(h.show("uint(7) % uint(4)"), "3");
    assert_eq!(h.show("let x = uint(1); x += 2; x"), "3");
    assert_eq!(h.show("type_of(uint(1))"), "uint");
    assert_eq!(h.error("uint(3) - 5"), "uint underflow: 3 - 5");
    assert_eq!(h.error("uint(7) / 0"), "uint division by zero: 7 / 0");
    assert_eq!(h.error("uint(7) % 0"), "uint division by zero: 7 % 0");
    let max = U256::MAX.to_string();
    assert_eq!(h.error(&format!("uint(\"{max}\") + 1")), format!("uint overflow: {max} + 1"));
    assert_eq!(h.error(&format!("uint(\"{max}\") * 2")), format!("uint overflow: {max} * 2"));
    assert_eq!(h.error("uint(3) + -1"), "uint + a negative int (-1)");
}

#[test]
fn uint_comparisons_and_min_max_work_against_ints() {
    let mut h = ChainHost::new();
    for (source, expected) in [
        ("uint(5) == 5", true),
        ("5 == uint(5)", true),
        ("uint(5) != uint(6)", true),
        ("uint(5) < 6", true),
        ("uint(5) > -1", true),
        ("-1 < uint(0)", true),
        ("uint(5) >= uint(5)", true),
        ("uint(5) <= 4", false),
    ] {
        assert_eq!(h.eval(source).map(|v| v.as_bool()), Ok(Ok(expected)), "{source}");
    }
    assert_eq!(h.show("min(uint(5), 3)"), "3");
    assert_eq!(h.show("max(2, uint(5))"), "5");
    assert_eq!(h.show("max(uint(2), uint(9))"), "9");
    assert_eq!(h.error("min(uint(5), -3)"), "uint min a negative int (-3)");
    assert_eq!(h.show("to_int(uint(12))"), "12");
    assert_eq!(h.show("[uint(0).is_zero(), is_zero(uint(2))]"), "[true, false]");
    assert_eq!(h.show("[uint(1), \"a\", #{b: uint(2)}]"), "[1, \"a\", #{b: 2}]");
    assert_eq!(h.show("`${[uint(3)]}`"), "[3]");
    assert!(h.error("to_int(uint(\"10000000000000000000\"))").contains("does not fit in an int"));
    let address = alloy_primitives::Address::with_last_byte(0xab);
    assert_eq!(
        h.show(&format!("`${{uint(5)}} and ${{addr(\"{address:#x}\")}}`")),
        format!("5 and {}", address.to_checksum(None))
    );
    assert_eq!(h.show("\"n=\" + uint(5)"), "n=5");
}

#[test]
fn uint_times_and_over_float_is_exact_to_the_wei() {
    let mut h = ChainHost::new();
    assert_eq!(h.show(&format!("uint(\"{WEI}\") * 0.1")), "100000000000000000");
    assert_eq!(h.show("to_wei(3) / 1.5"), "2000000000000000000");
    assert_eq!(h.show("0.3 * to_wei(1)"), "300000000000000000");
    assert_eq!(h.show("uint(5) * 0.1"), "0"); // 0.5 wei, rounded down
    assert_eq!(h.error("uint(5) / 0.0"), "uint division by zero: 5 / 0");
    assert_eq!(h.error("uint(5) * -0.5"), "uint * float: -0.5 is negative");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// u * f for f with up to 6 decimals equals floor(u * f_micro / 10^6) in integers.
    #[test]
    fn uint_times_float_matches_an_integer_reference(u in any::<u128>(), micro in 0u64..10_000_000_000) {
        let f = micro as f64 / 1e6;
        let mut h = ChainHost::new();
        let got = h.show(&format!("uint(\"{u}\") * {f:?}"));
        let expected = U512::from(u) * U512::from(micro) / U512::from(1_000_000u64);
        prop_assert_eq!(got, expected.to_string());
        if micro > 0 {
            let got = h.show(&format!("uint(\"{u}\") / {f:?}"));
            let expected = U512::from(u) * U512::from(1_000_000u64) / U512::from(micro);
            prop_assert_eq!(got, expected.to_string());
        }
    }
}

#[test]
fn math_functions() {
    let mut h = ChainHost::new();
    let float = |h: &mut ChainHost, source: &str| h.eval(source).expect(source).as_float().expect(source);
    let int = |h: &mut ChainHost, source: &str| h.eval(source).expect(source).as_int().expect(source);
    assert_eq!(int(&mut h, "abs(-3)"), 3);
    assert_eq!(float(&mut h, "abs(-2.5)"), 2.5);
    assert_eq!(int(&mut h, "min(3, 4)"), 3);
    assert_eq!(float(&mut h, "max(3, 4.5)"), 4.5);
    assert_eq!(float(&mut h, "min(1.5, 2)"), 1.5);
    assert_eq!(float(&mut h, "sqrt(16.0)"), 4.0);
    assert_eq!(float(&mut h, "sqrt(2)"), 2f64.sqrt());
    assert_eq!(float(&mut h, "ln(exp(1.0))"), 1.0);
    assert_eq!(float(&mut h, "log10(1000)"), 3.0);
    assert_eq!(float(&mut h, "exp(0)"), 1.0);
    assert_eq!(int(&mut h, "pow(2, 10)"), 1024);
    assert_eq!(float(&mut h, "pow(2.0, 0.5)"), 2f64.sqrt());
    assert_eq!(float(&mut h, "pow(2.0, -1)"), 0.5);
    assert_eq!(float(&mut h, "floor(2.7)"), 2.0);
    assert_eq!(float(&mut h, "ceil(2.1)"), 3.0);
    assert_eq!(float(&mut h, "round(2.5)"), 3.0);
    assert_eq!(int(&mut h, "floor(5)"), 5);
    assert_eq!(int(&mut h, "clamp(5, 0, 3)"), 3);
    assert_eq!(float(&mut h, "clamp(0.5, 0, 1)"), 0.5);
    assert_eq!(float(&mut h, "clamp(-2, 0.5, 1)"), 0.5);
    assert_eq!(h.error("clamp(1, 3, 2)"), "clamp(1, 3, 2): the low bound is above the high one");
    assert_eq!(h.error("sqrt(-1.0)"), "sqrt(-1) is undefined here");
    assert_eq!(h.error("ln(0)"), "ln(0) is undefined here");
    assert_eq!(h.error("pow(2, -1)"), "pow(2, -1): negative exponent; use pow(2.0, -1)");
    assert_eq!(h.error("pow(10, 30)"), "int overflow: pow(10, 30)");
    assert_eq!(h.error("abs(-9223372036854775807 - 1)"), "int overflow: abs(-9223372036854775808)");
}

#[test]
fn unit_conversions() {
    let mut h = ChainHost::new();
    assert_eq!(h.show("to_wei(1.5)"), "1500000000000000000");
    assert_eq!(h.show("to_wei(2)"), "2000000000000000000");
    assert_eq!(h.show("to_wei(1, 6)"), "1000000");
    assert_eq!(h.show("to_wei(\"0.1\")"), "100000000000000000");
    assert_eq!(h.show("to_wei(\"123456789.123456789123456789\")"), "123456789123456789123456789");
    assert_eq!(
        h.error("to_wei(\"0.1234567\", 6)"),
        "to_wei(string \"0.1234567\"): 0.1234567 has more than 6 decimals"
    );
    assert_eq!(h.error("to_wei(-1)"), "to_wei(int -1): -1 is negative, a uint cannot be");
    assert_eq!(h.error("to_wei(1, 78)"), "decimals must be 0 to 77, got 78");
    assert_eq!(h.error("to_wei(uint(1))"), "to_wei(uint 1): already a uint (base units)");
    assert_eq!(h.eval("from_wei(to_wei(2.5))").map(|v| v.as_float()), Ok(Ok(2.5)));
    assert_eq!(h.eval("from_wei(uint(1500000), 6)").map(|v| v.as_float()), Ok(Ok(1.5)));
    assert_eq!(h.eval("from_wei(5, 1)").map(|v| v.as_float()), Ok(Ok(0.5)));
    assert_eq!(h.show("uint(\"0xff\")"), "255");
    assert_eq!(h.show("uint(\"123\")"), "123");
    assert_eq!(h.show("uint(7)"), "7");
    assert_eq!(h.error("uint(1.5)"), "uint(float 1.5): a float; use to_wei(x) for token amounts");
    assert_eq!(
        h.error("uint(\"1.5\")"),
        "uint(\"1.5\"): not a decimal or 0x hex number that fits in a uint256"
    );
    assert_eq!(h.error("uint(-2)"), "uint: -2 is negative, a uint cannot be");
    assert_eq!(h.eval("float(uint(3))").map(|v| v.as_float()), Ok(Ok(3.0)));
    assert_eq!(h.eval("float(3)").map(|v| v.as_float()), Ok(Ok(3.0)));
    assert_eq!(h.error("1.5 + uint(1)"), "Function not found: + (f64, uint)");
}

#[test]
fn the_sandbox_holds() {
    let mut h = ChainHost::new();
    // print and debug do nothing and return nothing.
    assert!(h.eval("print(\"hello\")").expect("print").is_unit());
    assert!(h.eval("debug(\"hello\")").expect("debug").is_unit());
    // Endless loops stop at the operation limit, with a clear error.
    let endless = Script::statements("let n = 0; loop { n += 1; }", origin()).expect("compiles");
    let error = endless.eval(&mut Env::new(), &mut h).unwrap_err();
    assert_eq!(error.kind, ErrorKind::TooManyOperations);
    assert_eq!(
        error.to_string(),
        format!(
            "test.toml:7: kpi `x`: `let n = 0; loop {{ n += 1; }}`: more than {MAX_OPERATIONS} operations in one evaluation (an endless loop?) (at column 24)"
        )
    );
    // Doubling an array stops at the size limit, long before memory runs out.
    let doubling = Script::statements("let a = [1]; loop { a += a; }", origin()).expect("compiles");
    assert_eq!(doubling.eval(&mut Env::new(), &mut h).unwrap_err().message, "Size of array/BLOB too large");
    let strings = Script::statements("let s = \"ab\"; loop { s += s; }", origin()).expect("compiles");
    assert_eq!(strings.eval(&mut Env::new(), &mut h).unwrap_err().message, "Length of string too large");
    // Endless recursion stops at the call depth.
    let recursion = Script::statements("fn f(x) { f(x) } f(1)", origin()).expect("compiles");
    assert!(recursion
        .eval(&mut Env::new(), &mut h)
        .unwrap_err()
        .message
        .starts_with("calls nested deeper than 32"));
    // No eval, no modules.
    assert_eq!(
        Script::expression("eval(\"1\")", origin()).unwrap_err().message,
        "reserved keyword 'eval' is disabled"
    );
    assert!(Script::statements("import \"x\" as y;", origin()).is_err());
    // Long (but flat) expressions are fine; deep nesting is bounded.
    let long_sum = vec!["1"; 200].join(" + ");
    assert_eq!(h.eval(&long_sum).map(|v| v.as_int()), Ok(Ok(200)));
    let deep = format!("{}1{}", "(".repeat(300), ")".repeat(300));
    assert_eq!(
        Script::expression(&deep, origin()).unwrap_err().message,
        "Expression exceeds maximum complexity"
    );
    // Each evaluation gets the full budget again.
    let busy = Script::statements("let n = 0; for i in 0..200000 { n += i; } n", origin()).expect("compiles");
    for _ in 0..3 {
        assert_eq!(busy.eval(&mut Env::new(), &mut h).map(|v| v.as_int()), Ok(Ok(19_999_900_000)));
    }
}

#[test]
fn the_environment_holds_params_memory_and_bindings() {
    let mut h = ChainHost::new();
    let params: toml::Table = toml::from_str("threshold = 0.5\nsize = 3").expect("toml");
    let memory: toml::Table = toml::from_str("trades = 0").expect("toml");
    let mut env = Env::from_tables(&params, &memory).expect("env");
    assert_eq!(h.eval_in(&mut env, "threshold * 2").map(|v| v.as_float()), Ok(Ok(1.0)));
    let update = Script::statements("let step = size - 2; memory.trades = memory.trades + step;", origin())
        .expect("ok");
    for _ in 0..3 {
        let _ = update.eval(&mut env, &mut h).expect("update");
    }
    assert_eq!(env.memory().map(|m| m["trades"].as_int()), Some(Ok(3)));
    // `let` variables do not outlive their evaluation.
    assert_eq!(h.eval_in(&mut env, "step").unwrap_err().message, "Variable not found: step");
    // Parameters are constants.
    let assign = Script::statements("threshold = 1.0;", origin()).expect("compiles");
    assert_eq!(assign.eval(&mut env, &mut h).unwrap_err().message, "Cannot modify constant threshold");
    // Values bound by the caller, and memory entries set by the caller.
    env.set("amounts", Dynamic::from_array(vec![Dynamic::from_int(4)])).expect("bind");
    env.set_memory("last", Dynamic::from_int(9)).expect("memory");
    assert_eq!(h.eval_in(&mut env, "amounts[0] + memory.last").map(|v| v.as_int()), Ok(Ok(13)));
    assert_eq!(
        env.set("threshold", Dynamic::UNIT),
        Err("`threshold` is a parameter; it cannot be rebound".into())
    );
    assert_eq!(env.set("memory", Dynamic::UNIT), Err("`memory` is reserved".into()));
    assert!(env.set("2x", Dynamic::UNIT).is_err());
    assert!(env.set("call", Dynamic::UNIT).unwrap_err().contains("not a keyword"));
    assert!(env.set("fn", Dynamic::UNIT).is_err());
    let bad: toml::Table = toml::from_str("\"a-b\" = 1").expect("toml");
    assert!(Env::from_tables(&bad, &toml::Table::new())
        .unwrap_err()
        .starts_with("parameter `a-b` is not a valid name"));
}

#[test]
fn library_functions_are_shared_and_see_only_their_arguments() {
    let mut h = ChainHost::new();
    h.mint("alice", super::host::tokens(3));
    let library = Library::new(
        "fn held(token, who) { from_wei(balance(token, who)) }\nfn leak() { threshold }\nfn twice(x) { 2 * x }",
        Origin::new("net.toml", 40, "[script] functions"),
    )
    .expect("library");
    assert_eq!(library.functions(), vec!["held/2", "leak/0", "twice/1"]);
    assert!(library.names().is_empty());
    let params: toml::Table = toml::from_str("threshold = 1").expect("toml");
    let mut env = Env::from_tables(&params, &toml::Table::new()).expect("env");
    let held =
        Script::expression("twice(held(@token, @alice))", origin()).expect("compiles").with_library(&library);
    assert_eq!(held.eval(&mut env, &mut h).map(|v| v.as_float()), Ok(Ok(6.0)));
    let leak = Script::expression("leak()", origin()).expect("compiles").with_library(&library);
    assert_eq!(
        leak.eval(&mut env, &mut h).unwrap_err().to_string(),
        "test.toml:7: kpi `x`: `leak()`: Variable not found: threshold (in fn leak, net.toml:40, line 2, column 13) (at column 1)"
    );
    let statement =
        Library::new("let x = 1;", Origin::new("net.toml", 40, "[script] functions")).unwrap_err();
    assert_eq!(
        statement.to_string(),
        "net.toml:40: [script] functions: `let x = 1;`: only `fn` definitions are allowed here (at column 1)"
    );
    let names = Library::new("fn p() { view(@pair, \"getReserves\") }", Origin::default()).expect("library");
    assert_eq!(names.names(), ["pair"]);
}

#[test]
fn errors_name_file_line_what_source_and_column() {
    let mut h = ChainHost::new();
    let unknown = h.eval("balance(@token, @nobody)").unwrap_err();
    assert_eq!(
        unknown.to_string(),
        "test.toml:7: kpi `x`: `balance(@token, @nobody)`: unknown name @nobody (not in the address book) (at column 18)"
    );
    let syntax = Script::expression("1 +", origin()).unwrap_err();
    assert_eq!(syntax.kind, ErrorKind::Compile);
    assert_eq!(syntax.to_string(), "test.toml:7: kpi `x`: `1 +`: Script is incomplete (at column 4)");
    let statement = Script::expression("let x = 1", origin()).unwrap_err();
    assert_eq!(statement.kind, ErrorKind::Compile);
    let multi = Script::statements("let a = 1;\nlet b = a +* 2;", origin()).unwrap_err();
    assert_eq!(multi.position.map(|(line, _)| line), Some(2));
    assert!(multi.to_string().contains("(at line 2, column"), "{multi}");
    let names =
        Script::expression("view(@pair, \"getReserves\")[0] + balance(@weth, @pair)", origin()).expect("ok");
    assert_eq!(names.names(), ["pair", "weth"]);
    assert_eq!(names.source(), "view(@pair, \"getReserves\")[0] + balance(@weth, @pair)");
    assert_eq!(names.origin(), &origin());
}
